using System.Collections.Generic;
using System.Linq;

namespace DslKd.Generators.Emit;

/// <summary>
/// Every name the emitters declare in a user's class, or rely on there, in one place. The parsers check the class's name
/// and the user's own members against these lists, so a clash is a DKD error on the user's line and never a compile error
/// in generated code; a test checks that every member the emitted code declares is listed here.
/// </summary>
internal static class GeneratedMembers
{
    /// <summary>
    /// A name the generated code declares or uses. <see cref="Parameters"/> is set for a method: a user's method of the
    /// same name with other parameter types is an overload and allowed ("*" matches any type; a type is named as
    /// <see cref="ParameterKey"/> gives it). A name the generated code only uses (a TorchSharp member it calls, the
    /// <c>nameof</c> operator) says why a user's member of that name breaks it.
    /// </summary>
    internal sealed class Member(string name, string[]? parameters = null, string? usedBecause = null)
    {
        public string Name { get; } = name;

        public string[]? Parameters { get; } = parameters;

        /// <summary>Set for a name the generated code uses but does not declare: why a user's member of that name breaks it.</summary>
        public string? UsedBecause { get; } = usedBecause;

        public bool Declared => UsedBecause is null;

        public bool IsConstructor => Name == Constructor;

        public bool IsType => Types.Contains(Name);
    }

    /// <summary>The nested types the generated code declares.</summary>
    public static readonly IReadOnlyCollection<string> Types = ["Features", "Shapes", "Losses", "LossSettings"];

    private const string HidesCalledMember = "which hides the TorchSharp member of that name that the generated code calls";

    private static readonly Member NameOf = new("nameof", usedBecause: "which turns the generated code's nameof(...) into a call");

    public const string Constructor = ".ctor";

    private const string Tensor = "Tensor";

    /// <summary>Every generated model: constants and descriptions, the nested Features and Shapes types, the module's members.</summary>
    public static readonly IReadOnlyList<Member> Model =
    [
        new("ParameterCount"), new("Summary"), new("InputShape"), new("OutputShape"), new("Description"),
        new("Features"), new("Shapes"),
        new("ForwardFeatures", [Tensor]), new("ForwardFeatures", [Tensor, "Boolean"]), new("forward", [Tensor]), new("RegisterComponents", []),
        new("OnnxGraph"), // the ONNX description (Emit/OnnxGraphEmitter.cs)
        new(Constructor, ["Device", "ScalarType?", "Int64?"]),
        // called by the generated constructor on the model, and by the generated recipes on their models
        new("register_module", ["String", "Module"], HidesCalledMember), new("call", [Tensor], HidesCalledMember), NameOf,
    ];

    /// <summary>Every generated distillation recipe (<c>AnchoredParameters</c> only with [ParameterAnchoring], reserved always).</summary>
    public static readonly IReadOnlyList<Member> Distillation =
    [
        new("TeacherParameterCount"), new("StudentParameterCount"), new("AdapterParameterCount"), new("CompressionRatio"),
        new("AnchoredParameters"), new("Teacher"), new("Student"), new("DefaultLoss"), new("Loss"), new("DefaultOptions"),
        new("Losses"), new("LossSettings"),
        new("_teacher"), new("_student"), new("_anchoredPairs"),
        new("ComputeLoss", [Tensor, Tensor]), new("ComputeLoss", ["Features", "Features", Tensor]),
        new("Train", ["LabeledDataset", "LabeledDataset", "TrainingOptions", "IProgress", "CancellationToken"]),
        new("RegisterComponents", []),
        new(Constructor, ["*", "*", "Device", "ScalarType?", "Int64?", "LossSettings"]),
        new("register_module", ["String", "Module"], HidesCalledMember), NameOf,
    ];

    /// <summary>Every generated supervised recipe.</summary>
    public static readonly IReadOnlyList<Member> Supervised =
    [
        new("LabelSmoothing"), new("Model"), new("DefaultOptions"), new("_model"),
        new("Train", ["LabeledDataset", "LabeledDataset", "TrainingOptions", "IProgress", "CancellationToken"]),
        new(Constructor, ["*"]), NameOf,
    ];

    /// <summary>The field a model declares for a block: <c>Stem</c> -> <c>_stem</c>.</summary>
    public static string BlockField(string blockName) => "_" + ModelEmitter.Camel(blockName);

    /// <summary>
    /// Contextual keywords the generated code uses as keywords (<c>var x = ...</c>, <c>nameof(T)</c>): a class of that name
    /// makes them mean the class, and a member named <c>nameof</c> turns <c>nameof(...)</c> into a call.
    /// </summary>
    public static readonly IReadOnlyList<string> Keywords = ["var", "nameof"];

    /// <summary>
    /// Namespaces the generated code names as <c>global::System</c>, <c>global::TorchSharp</c>, <c>global::DslKd</c>: a class
    /// of that name in the global namespace is what <c>global::</c> then finds.
    /// </summary>
    public static readonly IReadOnlyList<string> Namespaces = ["System", "TorchSharp", "DslKd"];

    /// <summary>Members of object and of the records the generated code declares (Features, Losses, LossSettings).</summary>
    public static readonly IReadOnlyList<string> ObjectAndRecordMembers =
        ["Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "Deconstruct", "EqualityContract", "PrintMembers"];

    /// <summary>
    /// Names a block cannot have: a block is a property of the model and a positional member of its Features record, so
    /// it must not collide with the model's generated members, object's and records' members, or the TorchSharp members
    /// generated code calls (<c>forward</c>, <c>call</c>, <c>register_module</c>) and the capitalised ones it would hide.
    /// </summary>
    public static readonly IReadOnlyCollection<string> ReservedBlockNames = new HashSet<string>(
        Model.Select(m => m.Name).Where(n => n != Constructor)
            .Concat(ObjectAndRecordMembers)
            .Concat(["Dispose", "GetName", "nameof"]));

    /// <summary>A parameter's type as the lists above name it: its simple name, <c>?</c> for a nullable value type.</summary>
    /// A type the user's code names before it is generated (LossSettings) is unresolved, and <c>?</c> on it is ignored.
    public static string ParameterKey(Microsoft.CodeAnalysis.ITypeSymbol type) =>
        type is Microsoft.CodeAnalysis.INamedTypeSymbol { OriginalDefinition.SpecialType: Microsoft.CodeAnalysis.SpecialType.System_Nullable_T } nullable
            ? ParameterKey(nullable.TypeArguments[0]) + (nullable.TypeArguments[0].TypeKind == Microsoft.CodeAnalysis.TypeKind.Error ? "" : "?")
            : type.Name;
}
