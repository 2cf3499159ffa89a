namespace DslKd.CodeFixes;

/// <summary>
/// The ids of the DslKd diagnostics these fixes handle. They are the generator's (src/Generators/Diagnostics/Descriptors.cs),
/// repeated as strings so this assembly does not load the generator's; a test checks the two agree.
/// </summary>
internal static class DiagnosticIds
{
    public const string ModelMustBePartial = "DKD0001";
    public const string InvalidBlockMember = "DKD0002";
    public const string InvalidLayerArgument = "DKD0006";
    public const string InvalidTemperature = "DKD0018";
    public const string NegativeWeight = "DKD0019";
    public const string UnsupportedRecipeDeclaration = "DKD0027";
    public const string InvalidTermArgument = "DKD0028";
    public const string InvalidTrainingOption = "DKD0029";
}
