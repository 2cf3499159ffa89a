using System;
using System.Linq;

namespace DslKd.Export;

/// <summary>
/// Folds a BatchNormalization that directly follows a Conv or Gemm (its only reader) into that node:
/// <c>W'[c] = W[c] * s[c]</c>, <c>b'[c] = (b[c] - mean[c]) * s[c] + beta[c]</c> with <c>s = gamma / sqrt(var + eps)</c>,
/// computed in double. The folded node takes over the BatchNorm's output name.
/// </summary>
internal static class OnnxBatchNormFolding
{
    public static void Fold(OnnxIr ir)
    {
        foreach (var norm in ir.Nodes.Where(n => n.Op == "BatchNormalization").ToList())
        {
            if (ir.Producer(norm.Inputs[0]) is not { Op: "Conv" or "Gemm" } layer) continue;
            if (ir.Consumers(layer.Outputs[0]).Count != 1 || ir.IsGraphOutput(layer.Outputs[0])) continue;
            if (!norm.Inputs.Skip(1).All(ir.Initializers.ContainsKey) || !layer.Inputs.Skip(1).All(ir.Initializers.ContainsKey)) continue;

            var gamma = ir.Initializers[norm.Inputs[1]].Floats;
            var beta = ir.Initializers[norm.Inputs[2]].Floats;
            var mean = ir.Initializers[norm.Inputs[3]].Floats;
            var variance = ir.Initializers[norm.Inputs[4]].Floats;
            var eps = (double)(float)norm.Attributes["epsilon"];
            var weight = ir.Initializers[layer.Inputs[1]];
            var channels = weight.Dims[0];
            if (gamma.Length != channels) continue;
            var perChannel = weight.Floats.Length / channels;
            var bias = layer.Inputs.Length > 2 ? ir.Initializers[layer.Inputs[2]].Floats : new float[channels];

            var foldedWeight = new float[weight.Floats.Length];
            var foldedBias = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                var scale = gamma[c] / Math.Sqrt(variance[c] + eps);
                for (var i = 0; i < perChannel; i++) foldedWeight[c * perChannel + i] = (float)(weight.Floats[c * perChannel + i] * scale);
                foldedBias[c] = (float)((bias[c] - mean[c]) * scale + beta[c]);
            }

            var normPath = norm.Name;
            var w = ir.Constant(OnnxTensor.Float(layer.Name + ".weight+" + normPath, weight.Dims, foldedWeight));
            var b = ir.Constant(OnnxTensor.Float(layer.Name + ".bias+" + normPath, [channels], foldedBias));
            var folded = new OnnxNode(layer.Op, layer.Name, [layer.Inputs[0], w, b], [norm.Outputs[0]]);
            foreach (var (key, value) in layer.Attributes) folded.Attributes[key] = value;
            ir.Nodes[ir.Nodes.IndexOf(layer)] = folded;
            ir.Nodes.Remove(norm);
            ir.ValueShapes.Remove(layer.Outputs[0]);
        }
        ir.RemoveUnusedInitializers();
    }
}
