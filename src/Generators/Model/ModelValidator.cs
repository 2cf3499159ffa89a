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

        // A model whose first layer is an embedding reads token ids; only that layer can take them.
        var layout = spec.Blocks[0].Layers.FirstOrDefault()?.Kind == EmbeddingLayer.KindName ? TensorLayout.Tokens : TensorLayout.Plain;

        var walk = new LayerWalk(trace);
        foreach (var block in spec.Blocks)
        {
            if (UnitInference.IsUnitBlock(block))
            {
                var (unitBlock, unitError) = UnitInference.Infer(block, shape, walk, layout);
                if (unitError is not null) return Failed(spec, unitError);
                blocks.Add(unitBlock!);
                shape = unitBlock!.OutputShape;
                layout = unitBlock.Layout;
                continue;
            }
            if (walk.Layers(block.Layers, block.Name, shape, layout) is not { } layers) return Failed(spec, walk.Error!);
            shape = layers.Count == 0 ? shape : layers[layers.Count - 1].OutputShape;
            layout = LayerWalk.After(layers, layout);
            var tail = UnitInference.ActivationTail(layers);
            blocks.Add(new ResolvedBlock(block.Name, block.Modifiers, layers.ToEquatableArray(), shape,
                layers.Sum(l => l.ParameterCount), ActivationTail: tail, HasPreActivation: tail > 0,
                Declaration: string.Join(", ", block.Layers.Select(l => l.SourceText)), Layout: layout));
        }

        if (PreActivationClash(spec, blocks) is { } clash) return Failed(spec, clash);

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

    /// <summary>
    /// A block whose pre-activation output is generated as the Features member <c>XPreActivation</c> (and the local
    /// <c>xPreActivation</c>, beside the parameter <c>withPreActivations</c>) must not meet a block of that name.
    /// </summary>
    private static DiagnosticInfo? PreActivationClash(ModelSpec spec, List<ResolvedBlock> blocks)
    {
        if (!blocks.Any(b => b.HasPreActivation)) return null;
        var names = new HashSet<string>(blocks.Select(b => Emit.ModelEmitter.LocalName(b.Name).TrimStart('@')), StringComparer.Ordinal);
        for (var i = 0; i < blocks.Count; i++)
        {
            var local = Emit.ModelEmitter.LocalName(blocks[i].Name).TrimStart('@');
            if (local == "withPreActivations")
                return DiagnosticInfo.Create(Descriptors.ReservedBlockName, spec.Blocks[i].Location, blocks[i].Name,
                    "has the name of the parameter ForwardFeatures takes when a block has a pre-activation output");
            if (blocks[i].HasPreActivation && names.Contains(Emit.ModelEmitter.Camel(Emit.ModelEmitter.PreActivationMember(blocks[i].Name))))
            {
                var other = blocks.First(b => Emit.ModelEmitter.LocalName(b.Name).TrimStart('@') == Emit.ModelEmitter.Camel(Emit.ModelEmitter.PreActivationMember(blocks[i].Name)));
                return DiagnosticInfo.Create(Descriptors.ReservedBlockName, spec.Blocks[blocks.IndexOf(other)].Location, other.Name,
                    $"clashes with the pre-activation output of block '{blocks[i].Name}' ({Emit.ModelEmitter.PreActivationMember(blocks[i].Name)})");
            }
        }
        return null;
    }

    private static ValidatedModel Failed(ModelSpec spec, DiagnosticInfo error) =>
        new(null, spec, EquatableArray.Of(error));
}
