using System;
using System.Collections.Generic;
using System.Linq;

namespace DslKd.Export;

/// <summary>
/// Static int8 quantization in ONNX's QDQ form: every Conv and Gemm reads its input through QuantizeLinear/DequantizeLinear
/// (uint8, asymmetric, the calibrated range), its weights as int8 per output channel (symmetric) and its bias as int32
/// (scale = input scale x weight scale), and its output (after a ReLU that follows it alone) is quantized again, unless it
/// is a graph output (the logits stay float). ONNX Runtime fuses these patterns into QLinearConv, QGemm and friends.
/// </summary>
internal static class OnnxInt8
{
    public static void Quantize(OnnxIr ir, IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        var quantizable = ir.Nodes.Where(n => n.Op is "Conv" or "Gemm" && n.Inputs.Skip(1).All(ir.Initializers.ContainsKey)).ToHashSet();
        var requantize = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in quantizable)
        {
            var y = node.Outputs[0];
            if (ir.IsGraphOutput(y)) continue;
            var readers = ir.Consumers(y);
            requantize.Add(readers is [{ Op: "Relu" } relu] ? relu.Outputs[0] : y);
        }

        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        foreach (var node in ir.Nodes)
        {
            var inputs = node.Inputs.Select(i => dequantized.GetValueOrDefault(i, i)).ToArray();
            if (quantizable.Contains(node))
            {
                var x = node.Inputs[0];
                if (!dequantized.ContainsKey(x)) QuantizeActivation(ir, nodes, dequantized, x, ranges);
                var (xScale, _) = ActivationParameters(x, ranges);
                var (weight, weightScales) = QuantizeWeight(ir, nodes, node.Inputs[1]);
                var quantizedInputs = new List<string> { dequantized[x], weight };
                if (node.Inputs.Length > 2) quantizedInputs.Add(QuantizeBias(ir, nodes, node.Inputs[2], xScale, weightScales));
                var replaced = new OnnxNode(node.Op, node.Name, quantizedInputs.ToArray(), node.Outputs);
                foreach (var (key, value) in node.Attributes) replaced.Attributes[key] = value;
                nodes.Add(replaced);
            }
            else
            {
                var copy = new OnnxNode(node.Op, node.Name, inputs, node.Outputs);
                foreach (var (key, value) in node.Attributes) copy.Attributes[key] = value;
                nodes.Add(copy);
            }
            foreach (var output in node.Outputs)
                if (requantize.Contains(output) && ir.Consumers(output).Count > 0)
                    QuantizeActivation(ir, nodes, dequantized, output, ranges);
        }
        ir.Nodes.Clear();
        ir.Nodes.AddRange(nodes);
        ir.RemoveUnusedInitializers();
    }

    /// <summary>uint8 scale and zero point for a calibrated range (widened to hold 0, so ReLU outputs get zero point 0).</summary>
    internal static (float Scale, byte ZeroPoint) ActivationParameters(string value, IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        if (!ranges.TryGetValue(value, out var range))
            throw new InvalidOperationException($"ONNX int8 export: no calibrated range for '{value}'.");
        var min = Math.Min(range.Min, 0f);
        var max = Math.Max(range.Max, 0f);
        var scale = (max - min) / 255f;
        if (!(scale > 0) || !float.IsFinite(scale)) return (1f, 0);
        var zeroPoint = (byte)Math.Clamp(Math.Round(-min / scale), 0, 255);
        return (scale, zeroPoint);
    }

    private static void QuantizeActivation(OnnxIr ir, List<OnnxNode> nodes, Dictionary<string, string> dequantized, string value,
        IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        var (scale, zeroPoint) = ActivationParameters(value, ranges);
        var scaleName = ir.Constant(OnnxTensor.Scalar(value + ".scale", scale));
        var zeroName = ir.Constant(new OnnxTensor(value + ".zero_point", [], OnnxElementType.UInt8, new[] { zeroPoint }));
        nodes.Add(new OnnxNode("QuantizeLinear", value + "/quantize", [value, scaleName, zeroName], [value + "/q"]));
        nodes.Add(new OnnxNode("DequantizeLinear", value + "/dequantize", [value + "/q", scaleName, zeroName], [value + "/dq"]));
        dequantized[value] = value + "/dq";
    }

    /// <summary>int8 weights, one symmetric scale per output channel (axis 0), read through DequantizeLinear.</summary>
    private static (string Value, float[] Scales) QuantizeWeight(OnnxIr ir, List<OnnxNode> nodes, string name)
    {
        var weight = ir.Initializers[name];
        var channels = (int)weight.Dims[0];
        var perChannel = weight.Floats.Length / channels;
        var scales = new float[channels];
        var quantized = new sbyte[weight.Floats.Length];
        for (var c = 0; c < channels; c++)
        {
            var span = weight.Floats.AsSpan(c * perChannel, perChannel);
            var maxAbs = 0f;
            foreach (var w in span) maxAbs = Math.Max(maxAbs, Math.Abs(w));
            scales[c] = maxAbs > 0 ? maxAbs / 127f : 1f;
            for (var i = 0; i < perChannel; i++)
                quantized[c * perChannel + i] = (sbyte)Math.Clamp(Math.Round(span[i] / scales[c]), -127, 127);
        }
        var q = ir.Constant(new OnnxTensor(name + ".int8", weight.Dims, OnnxElementType.Int8, quantized));
        var s = ir.Constant(OnnxTensor.Float(name + ".scale", [channels], scales));
        var z = ir.Constant(new OnnxTensor(name + ".zero_point", [channels], OnnxElementType.Int8, new sbyte[channels]));
        nodes.Add(new OnnxNode("DequantizeLinear", name + "/dequantize", [q, s, z], [name + "/dq"]).With("axis", 0L));
        return (name + "/dq", scales);
    }

    /// <summary>int32 bias with scale input scale x weight scale per channel (zero point 0), read through DequantizeLinear.</summary>
    private static string QuantizeBias(OnnxIr ir, List<OnnxNode> nodes, string name, float inputScale, float[] weightScales)
    {
        var bias = ir.Initializers[name].Floats;
        var scales = weightScales.Select(w => inputScale * w).ToArray();
        var quantized = new int[bias.Length];
        for (var c = 0; c < bias.Length; c++)
            quantized[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)scales[c]), int.MinValue, int.MaxValue);
        var q = ir.Constant(new OnnxTensor(name + ".int32", [bias.Length], OnnxElementType.Int32, quantized));
        var s = ir.Constant(OnnxTensor.Float(name + ".scale", [bias.Length], scales));
        var z = ir.Constant(new OnnxTensor(name + ".zero_point", [bias.Length], OnnxElementType.Int32, new int[bias.Length]));
        nodes.Add(new OnnxNode("DequantizeLinear", name + "/dequantize", [q, s, z], [name + "/dq"]).With("axis", 0L));
        return name + "/dq";
    }
}
