using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Export;

/// <summary>
/// Measures the range of every value of the exported graph on calibration batches, by running the module's own layers in
/// the order of its <see cref="OnnxGraph"/> (eval mode, no autograd): the same walk that names the graph's values names
/// the ranges.
/// </summary>
internal static class OnnxCalibration
{
    public static Dictionary<string, (float Min, float Max)> Measure(nn.Module<Tensor, Tensor> model, OnnxGraph graph, IEnumerable<Tensor> batches, string inputName)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var ranges = new Dictionary<string, (float Min, float Max)>(StringComparer.Ordinal);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var count = 0;
            foreach (var batch in batches)
            {
                using var scope = NewDisposeScope();
                // Token ids stay int64 (an embedding reads them); anything else is read as float, as the graph does.
                var input = batch.dtype == ScalarType.Int64 ? batch : batch.to(ScalarType.Float32);
                Record(ranges, inputName, input);
                OnnxGraphWalk.Run(graph, (Name: inputName, Value: input),
                    (layer, x) =>
                    {
                        if (layer is OnnxPassThrough) return x;
                        if (!modules.TryGetValue(layer.Path, out var module) || module is not nn.Module<Tensor, Tensor> callable)
                            throw new InvalidOperationException($"ONNX calibration: the module has no layer '{layer.Path}' that its generated description names.");
                        var y = callable.call(x.Value);
                        Record(ranges, layer.Path, y);
                        return (layer.Path, y);
                    },
                    (unit, body, shortcut) =>
                    {
                        var sum = body.Value + shortcut.Value;
                        var name = OnnxGraphWalk.AddName(unit);
                        Record(ranges, name, sum);
                        return (name, sum);
                    });
                count++;
            }
            if (count == 0) throw new ArgumentException("ONNX int8 export needs at least one calibration batch.", nameof(batches));
        }
        finally
        {
            model.train(wasTraining);
        }
        return ranges;
    }

    private static void Record(Dictionary<string, (float Min, float Max)> ranges, string name, Tensor value)
    {
        var min = value.min().to(ScalarType.Float32).ToSingle();
        var max = value.max().to(ScalarType.Float32).ToSingle();
        ranges[name] = ranges.TryGetValue(name, out var seen) ? (Math.Min(seen.Min, min), Math.Max(seen.Max, max)) : (min, max);
    }
}
