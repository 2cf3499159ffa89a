using System.Linq;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Import;

/// <summary>One [PyTorchName] rule as written, with its attribute's location.</summary>
internal sealed record NameRuleSpec(string PyTorch, string DslKd, LocationInfo? Location);

/// <summary>A tensor's name, safetensors dtype code and shape, as plain data.</summary>
internal sealed record TensorSpec(string Name, string DType, EquatableArray<long> Shape)
{
    public TensorEntry ToEntry() => new(Name, DType, Shape.ToArray());
}

/// <summary>
/// What the import checks need of a model that carries [PyTorchName] or [PretrainedWeights]: its rules, the weights it
/// names, and (when its declaration resolved) every tensor of its state_dict with DslKd names. <see cref="UnknownLayers"/>
/// are layers with parameters whose tensors the generator cannot list (a layer kind without ParameterShapes); their
/// tensors are left out of the comparison on both sides.
/// </summary>
internal sealed record ImportSpec(
    string ModelName,
    EquatableArray<NameRuleSpec> Rules,
    string? WeightsPath,
    LocationInfo? WeightsLocation,
    bool Resolved,
    EquatableArray<TensorSpec> Tensors,
    EquatableArray<string> UnknownLayers);

/// <summary>
/// A safetensors header the build made available: <see cref="Source"/> is the weights file as the project names it
/// (the AdditionalFiles item), <see cref="FullPath"/> its full path; either the tensors or an <see cref="Error"/>.
/// </summary>
internal sealed record WeightsHeader(string Source, string FullPath, EquatableArray<TensorSpec> Tensors, string? Error);

/// <summary>The input shapes of a distillation recipe's teacher and student, as declared.</summary>
internal sealed record RecipeInputs(string Recipe, string Teacher, EquatableArray<long> TeacherShape, string Student, EquatableArray<long> StudentShape, LocationInfo? Location);
