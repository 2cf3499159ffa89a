using System.Collections.Generic;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Layers;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Model;

/// <summary>
/// Shape inference for a block that repeats a unit ([Repeat(n)]) or adds its input back ([AddInput]): each unit's body,
/// the shortcut the generator sizes when the body changes the shape, the layers after the add. Convolution strides
/// apply to the first unit only.
/// </summary>
internal static class UnitInference
{
    public static bool IsUnitBlock(BlockSpec block) => block.RepeatLocation is not null || block.Layers.Any(IsAddInput);

    /// <summary>The resolved block, or the diagnostic that stops inference.</summary>
    public static (ResolvedBlock? Block, DiagnosticInfo? Error) Infer(BlockSpec block, EquatableArray<long> input, LayerWalk walk,
        TensorLayout inputLayout = TensorLayout.Plain)
    {
        var repeat = block.RepeatLocation is null ? 1 : block.Repeat;
        if (repeat < 1)
            return Fail(DiagnosticInfo.Create(Descriptors.InvalidAttributeArgument, block.RepeatLocation, "Repeat", block.Name,
                $"the number of units must be at least 1 but is {repeat}"));
        var markers = block.Layers.Where(IsAddInput).ToList();
        if (markers.Count > 1)
            return Fail(DiagnosticInfo.Create(Descriptors.InvalidAttributeArgument, markers[1].Location, "AddInput", block.Name,
                "a unit adds its input back once; split the layers into two blocks, each with its own AddInput"));
        var marker = markers.FirstOrDefault();
        var markerIndex = marker is null ? block.Layers.Count : IndexOf(block.Layers, marker);
        var body = block.Layers.Take(markerIndex).ToList();
        var after = block.Layers.Skip(markerIndex + 1).ToList();
        if (marker is not null && body.Count == 0)
            return Fail(DiagnosticInfo.Create(Descriptors.InvalidAttributeArgument, marker.Location, "AddInput", block.Name,
                "AddInput needs the unit's layers before it: the input would be added to itself"));
        var shortcutKind = (ShortcutKind)(marker?.Arguments.Int(nameof(AddInputAttribute.Shortcut), (long)ShortcutKind.Projection) ?? 0);

        var units = new List<ResolvedUnit>();
        var shape = input;
        var layout = inputLayout;
        for (var u = 0; u < repeat; u++)
        {
            var unitBody = u == 0 ? body : body.Select(WithoutStride).ToList();
            var unitAfter = u == 0 ? after : after.Select(WithoutStride).ToList();
            var unitName = $"{block.Name} unit {u}";
            if (walk.Layers(unitBody, unitName, shape, layout) is not { } bodyLayers) return Fail(walk.Error!);
            var bodyOutput = bodyLayers.Count == 0 ? shape : bodyLayers[bodyLayers.Count - 1].OutputShape;
            var bodyLayout = LayerWalk.After(bodyLayers, layout);

            var adds = marker is not null;
            // A branch that makes a sequence reads its input as one (a declared rank-2 input included): the shortcut maps steps.
            var sequence = layout != TensorLayout.Channels && bodyLayout == TensorLayout.Sequence && shape.Count == 2;
            var shortcut = new List<ResolvedLayer>();
            if (adds && !bodyOutput.Equals(shape))
            {
                if (shortcutKind == ShortcutKind.IdentityOrNone)
                {
                    adds = false;
                }
                else if (shortcutKind == ShortcutKind.Identity)
                {
                    return Fail(Mismatch(block, marker!, u, shape, bodyOutput,
                        "Shortcut = ShortcutKind.Identity adds the input as it is, so the shapes must agree; use ShortcutKind.Projection to let the generator size a projection"));
                }
                else if (Projection(shape, bodyOutput, withBatchNorm: shortcutKind == ShortcutKind.Projection, sequence: sequence) is { } projection)
                {
                    if (walk.Layers(projection, $"{block.Name} unit {u} shortcut", shape, sequence ? TensorLayout.Sequence : layout) is not { } projected)
                        return Fail(walk.Error!);
                    shortcut = projected;
                }
                else
                {
                    return Fail(Mismatch(block, marker!, u, shape, bodyOutput, sequence
                        ? "a projection maps the features of each step, so the sequence length must stay; change the layers"
                        : "no 1x1 projection maps one onto the other (the spatial sizes must shrink by one whole stride, and the rank must stay); change the layers or the stride"));
                }
            }

            if (walk.Layers(unitAfter, unitName, bodyOutput, bodyLayout) is not { } afterLayers) return Fail(walk.Error!);
            var output = afterLayers.Count == 0 ? bodyOutput : afterLayers[afterLayers.Count - 1].OutputShape;
            var tail = adds ? 0 : ActivationTail(bodyLayers.Concat(afterLayers).ToList());
            var parameters = bodyLayers.Concat(shortcut).Concat(afterLayers).Aggregate(0L, (sum, l) => checked(sum + l.ParameterCount));
            units.Add(new ResolvedUnit(bodyLayers.ToEquatableArray(), adds, shortcut.ToEquatableArray(), afterLayers.ToEquatableArray(),
                shape, output, parameters, tail));
            shape = output;
            layout = LayerWalk.After(afterLayers, bodyLayout);
        }

        var last = units[units.Count - 1];
        var hasPreActivation = last.Adds ? last.AfterAdd.Count > 0 : last.ActivationTail > 0;
        return (new ResolvedBlock(block.Name, block.Modifiers, EquatableArray<ResolvedLayer>.Empty, shape,
            units.Aggregate(0L, (sum, unit) => checked(sum + unit.ParameterCount)), units.ToEquatableArray(), 0, hasPreActivation,
            (block.RepeatLocation is null ? "" : $"Repeat({repeat}) of ") + string.Join(", ", block.Layers.Select(l => l.SourceText)), layout), null);
    }

    /// <summary>How many of the layers at the end are activations (what a pre-activation output skips).</summary>
    public static int ActivationTail(IReadOnlyList<ResolvedLayer> layers)
    {
        var tail = 0;
        for (var i = layers.Count - 1; i >= 0 && LayerCatalog.Find(layers[i].Layer.Kind)?.IsActivation == true; i--) tail++;
        return tail;
    }

    private static bool IsAddInput(LayerSpec layer) => layer.Kind == KnownNames.AddInputLayer;

    private static int IndexOf(EquatableArray<LayerSpec> layers, LayerSpec layer)
    {
        for (var i = 0; i < layers.Count; i++)
            if (ReferenceEquals(layers[i], layer)) return i;
        return -1;
    }

    /// <summary>A convolution of a later unit: the stride belongs to the first unit, which changes the size.</summary>
    private static LayerSpec WithoutStride(LayerSpec layer) =>
        layer.Kind is "Conv1d" or "Conv2d" && layer.Arguments.Has("Stride")
            ? layer with { Arguments = layer.Arguments.Where(a => a.Name != "Stride").ToEquatableArray() }
            : layer;

    /// <summary>
    /// The layers that map <paramref name="input"/> onto <paramref name="output"/>: a 1x1 convolution (bias-free) with the
    /// stride that gives the output's size, then BatchNorm when asked; Linear for vectors; for sequences [T, d] of the
    /// same length, a bias-free Linear on the feature axis alone (BatchNorm does not apply to sequences). Null when none can.
    /// </summary>
    private static List<LayerSpec>? Projection(EquatableArray<long> input, EquatableArray<long> output, bool withBatchNorm, bool sequence)
    {
        if (input.Count != output.Count || input.Count is < 1 or > 3) return null;
        if (sequence)
        {
            if (input[0] != output[0]) return null;
            return [Synthetic("Linear", $"Linear({Literal.Of(output[1])}, Bias = false)", ("OutFeatures", output[1]), ("Bias", false))];
        }
        var channels = output[0];
        if (input.Count == 1)
        {
            var linear = Synthetic("Linear", $"Linear({channels}, Bias = false)", ("OutFeatures", channels), ("Bias", false));
            return withBatchNorm ? [linear, Synthetic("BatchNorm1d", "BatchNorm1d")] : [linear];
        }
        long? stride = null;
        for (long s = 1; s <= input[1] && stride is null; s++)
        {
            var fits = true;
            for (var d = 1; d < input.Count; d++) fits &= (input[d] - 1) / s + 1 == output[d];
            if (fits) stride = s;
        }
        if (stride is not { } found) return null;
        var kind = input.Count == 2 ? "Conv1d" : "Conv2d";
        var strideText = found == 1 ? "" : $", Stride = {Literal.Of(found)}";
        var convolution = Synthetic(kind, $"{kind}({channels}, Kernel = 1{strideText}, Bias = false)",
            ("OutChannels", channels), ("Kernel", 1L), ("Stride", found), ("Bias", false));
        var norm = input.Count == 2 ? "BatchNorm1d" : "BatchNorm2d";
        return withBatchNorm ? [convolution, Synthetic(norm, norm)] : [convolution];
    }

    private static LayerSpec Synthetic(string kind, string sourceText, params (string Name, object Value)[] arguments) =>
        new(kind, arguments.Select(a => new AttributeArgument(a.Name, a.Value, null)).ToEquatableArray(), "shortcut: " + sourceText, null);

    private static DiagnosticInfo Mismatch(BlockSpec block, LayerSpec marker, int unit, EquatableArray<long> input, EquatableArray<long> output, string why) =>
        DiagnosticInfo.Create(Descriptors.ResidualShapeMismatch, marker.Location, block.Name, unit, ShapeText.Format(input), ShapeText.Format(output), why);

    private static (ResolvedBlock?, DiagnosticInfo?) Fail(DiagnosticInfo error) => (null, error);
}

/// <summary>Walks layers through the layer catalogue, recording the shapes so far for messages; shared by plain blocks and units.</summary>
internal sealed class LayerWalk(System.Text.StringBuilder trace)
{
    public DiagnosticInfo? Error { get; private set; }

    /// <summary>
    /// The resolved layers from <paramref name="input"/> (whose axes mean what <paramref name="layout"/> says), or null with
    /// <see cref="Error"/> set.
    /// </summary>
    public List<ResolvedLayer>? Layers(IEnumerable<LayerSpec> layers, string block, EquatableArray<long> input, TensorLayout layout = TensorLayout.Plain)
    {
        var resolved = new List<ResolvedLayer>();
        var shape = input;
        foreach (var layer in layers)
        {
            if (LayerCatalog.Find(layer.Kind) is not { } kind)
            {
                Error = DiagnosticInfo.Create(Descriptors.UnknownLayer, layer.Location, layer.Kind);
                return null;
            }
            var inference = kind.Infer(new LayerContext(layer, block, shape, trace.ToString(), layout));
            if (inference.Error is { } error)
            {
                Error = error;
                return null;
            }
            resolved.Add(new ResolvedLayer(layer, shape, inference.Output, inference.Parameters, layout, inference.Layout));
            shape = inference.Output;
            layout = inference.Layout;
            trace.Append(" -> ").Append(layer.Kind).Append(' ').Append(ShapeText.Format(shape));
        }
        return resolved;
    }

    /// <summary>The layout after <paramref name="layers"/>: the last one's output, or <paramref name="input"/> when there are none.</summary>
    public static TensorLayout After(IReadOnlyList<ResolvedLayer> layers, TensorLayout input) =>
        layers.Count == 0 ? input : layers[layers.Count - 1].OutputLayout;
}
