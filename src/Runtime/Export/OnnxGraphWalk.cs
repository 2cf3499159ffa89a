using System;
using System.Collections.Generic;

namespace DslKd.Export;

/// <summary>
/// Walks an <see cref="OnnxGraph"/> in execution order: each layer, each residual unit's body, shortcut, add and layers
/// after it. Lowering (values are names) and calibration (values are tensors) both walk with it, so the value a layer
/// produces has the same name in both.
/// </summary>
internal static class OnnxGraphWalk
{
    /// <summary>Runs the graph on <paramref name="input"/> and returns every block's output, in block order.</summary>
    public static List<T> Run<T>(OnnxGraph graph, T input, Func<OnnxLayer, T, T> layer, Func<OnnxResidualUnit, T, T, T> add)
    {
        var x = input;
        var outputs = new List<T>(graph.Blocks.Count);
        foreach (var block in graph.Blocks)
        {
            foreach (var step in block.Steps) x = Step(step, x, layer, add);
            outputs.Add(x);
        }
        return outputs;
    }

    private static T Step<T>(OnnxStep step, T x, Func<OnnxLayer, T, T> layer, Func<OnnxResidualUnit, T, T, T> add)
    {
        switch (step)
        {
            case OnnxLayer single:
                return layer(single, x);
            case OnnxResidualUnit unit:
                var body = Layers(unit.Body, x, layer);
                var shortcut = unit.Shortcut is null ? x : Layers(unit.Shortcut, x, layer);
                return Layers(unit.AfterAdd, add(unit, body, shortcut), layer);
            default:
                throw new NotSupportedException($"ONNX export: unknown step {step.GetType().Name} at '{step.Path}'.");
        }
    }

    private static T Layers<T>(IReadOnlyList<OnnxLayer> layers, T x, Func<OnnxLayer, T, T> layer)
    {
        foreach (var l in layers) x = layer(l, x);
        return x;
    }

    /// <summary>The name of a residual unit's sum in the exported graph.</summary>
    public static string AddName(OnnxResidualUnit unit) => unit.Path + ".add";
}
