using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Diagnostics;

/// <summary>Every diagnostic DslKd reports. Each is documented in docs/diagnostics.md.</summary>
internal static class Descriptors
{
    private const string ModelCategory = "DslKd.Model";

    private const string RecipeCategory = "DslKd.Recipe";

    private static DiagnosticDescriptor Error(string id, string title, string message, string category = ModelCategory) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message, string category) =>
        new(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

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
        "Block '{0}' {1}; rename the block");

    public static readonly DiagnosticDescriptor UnknownLayer = Error(
        "DKD0013", "Unknown layer",
        "Layer [{0}] is not known to this version of the DslKd generator; update the DslKd package so the runtime and generator match");

    public static readonly DiagnosticDescriptor RecipeTypeIsNotAModel = Error(
        "DKD0014", "Recipe type argument is not a model",
        "The {0} of recipe '{1}' is '{2}', which is not a DslKd model; mark it [Teacher], [Student] or [Model]", RecipeCategory);

    public static readonly DiagnosticDescriptor LogitShapesDiffer = Error(
        "DKD0015", "Teacher and student outputs differ",
        "{0} compares logits, but teacher '{1}' outputs {2} and student '{3}' outputs {4}; both must output the same classes", RecipeCategory);

    public static readonly DiagnosticDescriptor UnknownFeature = Error(
        "DKD0016", "Feature is not a block of the model",
        "{0}: '{1}' is not a block of the {2} '{3}'{4}; its blocks are {5}", RecipeCategory);

    public static readonly DiagnosticDescriptor FeatureRankMismatch = Error(
        "DKD0017", "Term applied to a feature of the wrong rank",
        "{0}: {1}", RecipeCategory);

    public static readonly DiagnosticDescriptor InvalidTemperature = Error(
        "DKD0018", "Temperature must be positive",
        "{0}: Temperature must be a positive number but is {1}", RecipeCategory);

    public static readonly DiagnosticDescriptor NegativeWeight = Error(
        "DKD0019", "Loss weight must not be negative",
        "{0}: Weight must be zero or positive but is {1}", RecipeCategory);

    public static readonly DiagnosticDescriptor AllWeightsZero = Error(
        "DKD0020", "Every loss weight is zero",
        "Recipe '{0}': every loss term has Weight = 0, so nothing would be learned; give at least one term a positive weight", RecipeCategory);

    public static readonly DiagnosticDescriptor NoLossTerms = Error(
        "DKD0021", "Recipe has no loss terms",
        "Recipe '{0}' has no loss terms; add e.g. [SoftTargets(Temperature = 4, Weight = 0.5)] and [HardLabels(Weight = 0.5)]", RecipeCategory);

    public static readonly DiagnosticDescriptor NoMatchingParameters = Error(
        "DKD0022", "Parameter anchoring has no parameters to pair",
        "ParameterAnchoring: no parameter of student '{0}' has the same name and shape as a parameter of teacher '{1}' (student: {2}; teacher: {3})", RecipeCategory);

    public static readonly DiagnosticDescriptor SameTeacherAndStudent = Warning(
        "DKD0023", "Teacher and student are the same model",
        "Recipe '{0}' distils '{1}' into itself; a student is normally a smaller model", RecipeCategory);

    public static readonly DiagnosticDescriptor StudentNotSmaller = Warning(
        "DKD0024", "Student is not smaller than the teacher",
        "Recipe '{0}': student '{1}' has {2} parameters, not fewer than teacher '{3}' with {4}", RecipeCategory);

    public static readonly DiagnosticDescriptor SpatialSizesDiffer = Error(
        "DKD0025", "Feature maps differ in spatial size",
        "{0}: teacher feature '{1}' is {2} but student feature '{3}' is {4}; set Alignment = FeatureAlignment.AdaptivePool to pool the larger map to the smaller size", RecipeCategory);

    public static readonly DiagnosticDescriptor InvalidCustomLoss = Error(
        "DKD0026", "Custom loss has the wrong signature",
        "Custom loss '{0}' must be declared as 'Tensor {0}({1}.Features teacher, {2}.Features student, Tensor labels)': {3}", RecipeCategory);

    public static readonly DiagnosticDescriptor UnsupportedRecipeDeclaration = Error(
        "DKD0027", "Unsupported recipe declaration",
        "'{0}' cannot be a recipe: {1}", RecipeCategory);

    public static readonly DiagnosticDescriptor InvalidTermArgument = Error(
        "DKD0028", "Invalid loss term argument",
        "{0}: {1}", RecipeCategory);

    public static readonly DiagnosticDescriptor ModelFromAnotherAssembly = Error(
        "DKD0030", "Model declared in another assembly",
        "The {0} of recipe '{1}' is '{2}', declared in another assembly; the generator reads models from their source, so declare models and recipes in the same project", RecipeCategory);

    public static readonly DiagnosticDescriptor InvalidTrainingOption = Error(
        "DKD0029", "Invalid training option",
        "{0}: {1}", RecipeCategory);

    public static readonly DiagnosticDescriptor ResidualShapeMismatch = Error(
        "DKD0031", "Residual unit cannot add its input back",
        "Block '{0}', unit {1}: the layers before AddInput turn {2} into {3}; {4}");

    public static readonly DiagnosticDescriptor TeacherAndStudentReadDifferentTokens = Error(
        "DKD0032", "Teacher and student read different kinds of input",
        "Recipe '{0}': the teacher '{1}' reads {2} but the student '{3}' reads {4}; both read the same batches, so {5}", RecipeCategory);

    // DKD0040-DKD0049: PyTorch weights and imported models (src/Generators/Import).
    private const string ImportCategory = "DslKd.Import";

    public static readonly DiagnosticDescriptor InvalidTensorNameRule = Error(
        "DKD0040", "Invalid PyTorch name rule",
        "[PyTorchName(\"{0}\", \"{1}\")] on model '{2}': {3}", ImportCategory);

    public static readonly DiagnosticDescriptor TensorNameRuleMatchesNothing = Error(
        "DKD0041", "PyTorch name rule names no layer with tensors",
        "[PyTorchName(\"{0}\", \"{1}\")] on model '{2}': '{1}' names no layer with tensors; the model's layers with tensors are {3}", ImportCategory);

    public static readonly DiagnosticDescriptor WeightsFileNotInBuild = Warning(
        "DKD0042", "Pretrained weights are not checked at compile time",
        "Model '{0}' names the weights '{1}', which is not an AdditionalFiles item of the project, so its tensors are not checked at compile time; add <AdditionalFiles Include=\"{1}\" /> to the project file", ImportCategory);

    public static readonly DiagnosticDescriptor WeightsTensorMissing = Error(
        "DKD0043", "Tensor missing from the weights file",
        "Weights '{0}' do not fit model '{1}': {2}", ImportCategory);

    public static readonly DiagnosticDescriptor WeightsTensorUnexpected = Error(
        "DKD0044", "Unexpected tensor in the weights file",
        "Weights '{0}' do not fit model '{1}': {2}", ImportCategory);

    public static readonly DiagnosticDescriptor WeightsTensorShapeDiffers = Error(
        "DKD0045", "Tensor shape differs from the weights file",
        "Weights '{0}' do not fit model '{1}': {2}", ImportCategory);

    public static readonly DiagnosticDescriptor TeacherAndStudentInputsDiffer = Error(
        "DKD0046", "Teacher and student take different inputs",
        "Recipe '{0}': the teacher '{1}' takes InputShape {2} but the student '{3}' takes {4}; both read the same batches, so declare the same InputShape (resize or reshape the data for one of them outside the recipe)", ImportCategory);

    public static readonly DiagnosticDescriptor WeightsHeaderUnreadable = Error(
        "DKD0047", "Weights file header cannot be read",
        "Model '{0}': the weights '{1}' cannot be checked: {2}", ImportCategory);

    public static readonly DiagnosticDescriptor WeightsTensorsCollide = Error(
        "DKD0048", "Two tensors of the weights file map to one name",
        "Weights '{0}' do not fit model '{1}': {2}", ImportCategory);
    public static readonly DiagnosticDescriptor NoOnnxMapping = Error(
        "DKD0050", "Model cannot be exported to ONNX",
        "'{0}' cannot be exported to ONNX: layer {1} in block '{2}' has no ONNX mapping in this version of DslKd; export a model without it");
}
