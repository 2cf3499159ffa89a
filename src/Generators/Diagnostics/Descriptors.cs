using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Diagnostics;

/// <summary>Every diagnostic DslKd reports. Each is documented in docs/diagnostics.md.</summary>
internal static class Descriptors
{
    private const string ModelCategory = "DslKd.Model";

    private static DiagnosticDescriptor Error(string id, string title, string message, string category = ModelCategory) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ModelMustBePartial = Error(
        "DKD0001", "Model class must be partial",
        "Model '{0}' must be declared 'partial' so the generator can add its TorchSharp module code");

    public static readonly DiagnosticDescriptor InvalidBlockMember = Error(
        "DKD0002", "Block must be a partial get-only Block property",
        "Block '{0}' must be declared as 'public partial Block {0} {{ get; }}': {1}");

    public static readonly DiagnosticDescriptor ModelHasNoBlocks = Error(
        "DKD0003", "Model has no blocks",
        "Model '{0}' declares no blocks; add at least one 'partial Block' property with layer attributes, e.g. [Linear(10)] public partial Block Logits {{ get; }}");

    public static readonly DiagnosticDescriptor LayerRejectsInputShape = Error(
        "DKD0004", "Layer cannot take the incoming shape",
        "{0} in block '{1}' cannot take input of shape {2}: {3}");

    public static readonly DiagnosticDescriptor SpatialSizeCollapses = Error(
        "DKD0005", "Spatial size collapses below 1",
        "{0} in block '{1}' needs a window of {2} but the padded input is only {3} wide, so the output would be empty; shapes so far: {4}");

    public static readonly DiagnosticDescriptor InvalidAttributeArgument = Error(
        "DKD0006", "Invalid layer argument",
        "{0} in block '{1}': {2}");

    public static readonly DiagnosticDescriptor OutputDoesNotMatchClasses = Error(
        "DKD0007", "Model output does not match Classes",
        "Model '{0}' declares Classes = {1} but its last block '{2}' outputs {3}; end with a layer of {1} outputs, e.g. [Linear({1})]");

    public static readonly DiagnosticDescriptor UnsupportedModelDeclaration = Error(
        "DKD0008", "Unsupported model declaration",
        "'{0}' cannot be a model: {1}");

    public static readonly DiagnosticDescriptor InvalidModelAttribute = Error(
        "DKD0009", "Invalid model attribute",
        "Model '{0}': {1}");

    public static readonly DiagnosticDescriptor ConflictingModelRoles = Error(
        "DKD0010", "Model has more than one role",
        "'{0}' has more than one of [Teacher], [Student] and [Model]; keep exactly one");

    public static readonly DiagnosticDescriptor BlockHasNoLayers = Error(
        "DKD0011", "Block has no layers",
        "Block '{0}' has no layer attributes; list its layers in order, e.g. [Linear(128), ReLU]");

    public static readonly DiagnosticDescriptor ReservedBlockName = Error(
        "DKD0012", "Block name is reserved",
        "Block '{0}' has a name the generated code uses for itself; rename the block");

    public static readonly DiagnosticDescriptor UnknownLayer = Error(
        "DKD0013", "Unknown layer",
        "Layer [{0}] is not known to this version of the DslKd generator; update the DslKd package so the runtime and generator match");
}
