using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Layers;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Model;

/// <summary>
/// The model after validation: <see cref="Model"/> is set when every shape was inferred; otherwise <see cref="Spec"/>
/// (if any) lets the emitter write placeholder block implementations so only the DKD diagnostics show.
/// </summary>
internal sealed record ValidatedModel(ResolvedModel? Model, ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Infers every layer's shape and parameter count through the model, in declaration order.</summary>
internal static class ModelValidator
{
    public static ValidatedModel Validate(ParsedModel parsed)
    {
        if (parsed.Spec is not { } spec || parsed.Diagnostics.Count > 0 || spec.Blocks.Count == 0 || spec.InputShape.Count == 0 || spec.HasUnboundLayers)
            return new ValidatedModel(null, parsed.Spec, parsed.Diagnostics);

        try
        {
            return Infer(spec);
        }
        catch (OverflowException)
        {
            var error = DiagnosticInfo.Create(Descriptors.InvalidModelAttribute, spec.RoleAttributeLocation, spec.ClassName,
                "its sizes are too large: a shape or parameter count does not fit in 64 bits");
            return new ValidatedModel(null, spec, EquatableArray.Of(error));
        }
    }

    private static ValidatedModel Infer(ModelSpec spec)
    {
        var shape = spec.InputShape;
        var trace = new StringBuilder("input ").Append(ShapeText.Format(shape));
        var blocks = new List<ResolvedBlock>();

        foreach (var block in spec.Blocks)
        {
            var layers = new List<ResolvedLayer>();
            foreach (var layer in block.Layers)
            {
                if (LayerCatalog.Find(layer.Kind) is not { } kind)
                    return Failed(spec, DiagnosticInfo.Create(Descriptors.UnknownLayer, layer.Location, layer.Kind));

                var inference = kind.Infer(new LayerContext(layer, block.Name, shape, trace.ToString()));
                if (inference.Error is { } error)
                    return Failed(spec, error);

                layers.Add(new ResolvedLayer(layer, shape, inference.Output, inference.Parameters));
                shape = inference.Output;
                trace.Append(" -> ").Append(layer.Kind).Append(' ').Append(ShapeText.Format(shape));
            }
            blocks.Add(new ResolvedBlock(block.Name, block.Modifiers, layers.ToEquatableArray(), shape,
                layers.Sum(l => l.ParameterCount)));
        }

        if (spec.Classes > 0 && !(shape.Count == 1 && shape[0] == spec.Classes))
        {
            var lastBlock = spec.Blocks[spec.Blocks.Count - 1];
            var location = lastBlock.Layers.LastOrDefault()?.Location ?? lastBlock.Location;
            return Failed(spec, DiagnosticInfo.Create(Descriptors.OutputDoesNotMatchClasses, location,
                spec.ClassName, spec.Classes, lastBlock.Name, ShapeText.Format(shape)));
        }

        var model = new ResolvedModel(spec, blocks.ToEquatableArray(), shape, blocks.Sum(b => b.ParameterCount));
        return new ValidatedModel(model, spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static ValidatedModel Failed(ModelSpec spec, DiagnosticInfo error) =>
        new(null, spec, EquatableArray.Of(error));
}
