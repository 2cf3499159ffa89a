using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Model;

/// <summary>
/// Metadata names of the runtime types the generator looks for. The DSL's attribute classes are compiled into the
/// generator from the runtime's own sources, so their names come from the types themselves (<c>typeof</c>), never from a
/// string that a rename could leave behind; only the types outside the DSL (Block, TorchSharp's Tensor) are spelled here.
/// </summary>
internal static class KnownNames
{
    public const string Namespace = "DslKd";
    public static readonly string TeacherAttribute = typeof(DslKd.TeacherAttribute).FullName!;
    public static readonly string StudentAttribute = typeof(DslKd.StudentAttribute).FullName!;
    public static readonly string ModelAttribute = typeof(DslKd.ModelAttribute).FullName!;
    public static readonly string LayerAttribute = typeof(DslKd.LayerAttribute).FullName!;
    public static readonly string DistillationAttribute = typeof(DistillationAttribute<,>).FullName!;   // "DslKd.DistillationAttribute`2"
    public static readonly string SupervisedAttribute = typeof(SupervisedAttribute<>).FullName!;        // "DslKd.SupervisedAttribute`1"
    public static readonly string LossTermAttribute = typeof(DslKd.LossTermAttribute).FullName!;
    public static readonly string TrainingOptionAttribute = typeof(DslKd.TrainingOptionAttribute).FullName!;
    public static readonly string CustomLossAttribute = typeof(DslKd.CustomLossAttribute).FullName!;
    public static readonly string RepeatAttribute = typeof(DslKd.RepeatAttribute).FullName!;
    public static readonly string AddInputLayer = nameof(AddInputAttribute).Substring(0, nameof(AddInputAttribute).Length - "Attribute".Length);
    public const string Block = "DslKd.Block";
    public const string Tensor = "TorchSharp.torch.Tensor";

    public static readonly string[] RoleAttributes = [TeacherAttribute, StudentAttribute, ModelAttribute];

    /// <summary>The metadata name of a symbol's type definition: "DslKd.DistillationAttribute`2" for any construction of it.</summary>
    public static string MetadataNameOf(INamedTypeSymbol type)
    {
        var definition = type.OriginalDefinition;
        return definition.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + definition.MetadataName : definition.MetadataName;
    }

    /// <summary>Which DslKd declarations a class carries: "model", "distillation", "supervised" (a class should carry one).</summary>
    public static HashSet<string> DeclarationKinds(INamedTypeSymbol type)
    {
        var kinds = new HashSet<string>();
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is not { } attributeClass) continue;
            var name = MetadataNameOf(attributeClass);
            if (name == TeacherAttribute || name == StudentAttribute || name == ModelAttribute) kinds.Add("model");
            else if (name == DistillationAttribute) kinds.Add("distillation");
            else if (name == SupervisedAttribute) kinds.Add("supervised");
        }
        return kinds;
    }

    public const string SeveralDeclarations = "a class is a model, a distillation recipe or a supervised recipe, not several; declare each in its own class";

    /// <summary>"DslKd.TeacherAttribute" -> "Teacher".</summary>
    public static string RoleName(string roleAttributeMetadataName) =>
        roleAttributeMetadataName.Substring(Namespace.Length + 1, roleAttributeMetadataName.Length - Namespace.Length - 1 - "Attribute".Length);
}
