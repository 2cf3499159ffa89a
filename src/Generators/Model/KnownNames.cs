namespace DslKd.Generators.Model;

/// <summary>Metadata names of the runtime types the generator looks for.</summary>
internal static class KnownNames
{
    public const string Namespace = "DslKd";
    public const string TeacherAttribute = "DslKd.TeacherAttribute";
    public const string StudentAttribute = "DslKd.StudentAttribute";
    public const string ModelAttribute = "DslKd.ModelAttribute";
    public const string LayerAttribute = "DslKd.LayerAttribute";
    public const string Block = "DslKd.Block";
    public const string DistillationAttribute = "DslKd.DistillationAttribute`2";
    public const string LossTermAttribute = "DslKd.LossTermAttribute";
    public const string TrainingOptionAttribute = "DslKd.TrainingOptionAttribute";
    public const string SupervisedAttribute = "DslKd.SupervisedAttribute`1";
    public const string CustomLossAttribute = "DslKd.CustomLossAttribute";
    public const string Tensor = "TorchSharp.torch.Tensor";

    public static readonly string[] RoleAttributes = [TeacherAttribute, StudentAttribute, ModelAttribute];

    /// <summary>Which DslKd declarations a class carries: "model", "distillation", "supervised" (a class should carry one).</summary>
    public static System.Collections.Generic.HashSet<string> DeclarationKinds(Microsoft.CodeAnalysis.INamedTypeSymbol type)
    {
        var kinds = new System.Collections.Generic.HashSet<string>();
        foreach (var attribute in type.GetAttributes())
        {
            switch (attribute.AttributeClass?.OriginalDefinition.ToDisplayString())
            {
                case TeacherAttribute or StudentAttribute or ModelAttribute: kinds.Add("model"); break;
                case "DslKd.DistillationAttribute<TTeacher, TStudent>": kinds.Add("distillation"); break;
                case "DslKd.SupervisedAttribute<TModel>": kinds.Add("supervised"); break;
            }
        }
        return kinds;
    }

    public const string SeveralDeclarations = "a class is a model, a distillation recipe or a supervised recipe, not several; declare each in its own class";

    /// <summary>"DslKd.TeacherAttribute" -> "Teacher".</summary>
    public static string RoleName(string roleAttributeMetadataName) =>
        roleAttributeMetadataName.Substring(Namespace.Length + 1, roleAttributeMetadataName.Length - Namespace.Length - 1 - "Attribute".Length);
}
