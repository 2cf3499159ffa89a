using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslKd.Generators.Layers;
using DslKd.Generators.Model;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Import;

/// <summary>
/// Reads a model's [PyTorchName] rules and [PretrainedWeights] path, and lists the tensors of its state_dict as the
/// generated module will have them (the layers' parameters, BatchNorm's running statistics and num_batches_tracked), from
/// the same parse and shape inference the model generator runs.
/// </summary>
internal static class ImportParser
{
    public static readonly string PyTorchNameAttribute = typeof(DslKd.PyTorchNameAttribute).FullName!;
    public static readonly string PretrainedWeightsAttribute = typeof(DslKd.PretrainedWeightsAttribute).FullName!;

    /// <summary>The import spec of <paramref name="type"/>, or null when it carries neither attribute.</summary>
    public static ImportSpec? Parse(INamedTypeSymbol type, string roleAttribute, CancellationToken cancellationToken)
    {
        var rules = new List<NameRuleSpec>();
        string? weights = null;
        LocationInfo? weightsLocation = null;
        foreach (var attribute in type.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            var location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
            if (name == PyTorchNameAttribute && attribute.ConstructorArguments.Length == 2)
                rules.Add(new NameRuleSpec(attribute.ConstructorArguments[0].Value as string ?? "", attribute.ConstructorArguments[1].Value as string ?? "", location));
            else if (name == PretrainedWeightsAttribute && attribute.ConstructorArguments.Length == 1)
                (weights, weightsLocation) = (attribute.ConstructorArguments[0].Value as string ?? "", location);
        }
        if (rules.Count == 0 && weights is null) return null;

        var parsed = ModelParser.Parse(type, roleAttribute, cancellationToken);
        var validated = parsed is null ? null : ModelValidator.Validate(parsed);
        var tensors = new List<TensorSpec>();
        var unknown = new List<string>();
        if (validated?.Model is { } model) ListTensors(model, tensors, unknown);
        return new ImportSpec(type.Name, rules.ToEquatableArray(), weights, weightsLocation, validated?.Model is not null,
            tensors.ToEquatableArray(), unknown.ToEquatableArray());
    }

    /// <summary>Every tensor of the model's state_dict, DslKd names, in the order TorchSharp lists them.</summary>
    internal static void ListTensors(ResolvedModel model, List<TensorSpec> tensors, List<string> unknown)
    {
        foreach (var block in model.Blocks)
        foreach (var (path, layer) in block.NamedLayers())
        {
            var kind = LayerCatalog.Find(layer.Layer.Kind);
            var parameters = kind?.ParameterShapes(layer).ToList() ?? [];
            if (parameters.Count == 0 && layer.ParameterCount > 0)
            {
                unknown.Add(path);
                continue;
            }
            foreach (var (name, shape) in parameters) tensors.Add(new TensorSpec(path + "." + name, "F32", shape.ToEquatableArray()));
            if (layer.Layer.Kind is "BatchNorm1d" or "BatchNorm2d")
            {
                var channels = layer.InputShape[0];
                tensors.Add(new TensorSpec(path + ".running_mean", "F32", EquatableArray.Of(channels)));
                tensors.Add(new TensorSpec(path + ".running_var", "F32", EquatableArray.Of(channels)));
                tensors.Add(new TensorSpec(path + ".num_batches_tracked", "I64", EquatableArray<long>.Empty));
            }
        }
    }

    /// <summary>The input shapes of a [Distillation&lt;T, S&gt;] recipe's teacher and student, or null when either is not a model.</summary>
    public static RecipeInputs? ParseRecipe(INamedTypeSymbol recipe, AttributeData distillation, CancellationToken cancellationToken)
    {
        if (distillation.AttributeClass is not { TypeArguments.Length: 2 } attributeClass) return null;
        if (attributeClass.TypeArguments[0] is not INamedTypeSymbol teacher || attributeClass.TypeArguments[1] is not INamedTypeSymbol student) return null;
        var teacherShape = InputShape(teacher);
        var studentShape = InputShape(student);
        if (teacherShape is null || studentShape is null) return null;
        return new RecipeInputs(recipe.Name, teacher.Name, teacherShape.Value, student.Name, studentShape.Value,
            LocationInfo.From(distillation.ApplicationSyntaxReference?.GetSyntax(cancellationToken)));
    }

    private static EquatableArray<long>? InputShape(INamedTypeSymbol model)
    {
        foreach (var attribute in model.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() is not { } name || !KnownNames.RoleAttributes.Contains(name)) continue;
            foreach (var argument in attribute.NamedArguments)
                if (argument.Key == nameof(ModelRoleAttribute.InputShape) && argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
                    return argument.Value.Values.Select(v => v.Value is int i ? (long)i : -1L).ToEquatableArray();
            return null;
        }
        return null;
    }
}
