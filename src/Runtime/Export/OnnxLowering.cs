using System;
using System.Collections.Generic;
using System.Linq;

namespace DslKd.Export;

/// <summary>
/// Turns the generator's <see cref="OnnxGraph"/> and the module's tensors into ONNX nodes (opset 17). Each layer's output
/// value is named after its state_dict path and its tensors keep their state_dict names, so the graph reads like the
/// declaration.
/// </summary>
internal static class OnnxLowering
{
    private const string Zero = "const.zero";
    private const string Six = "const.six";
    private const string One = "const.one";
    private const string Half = "const.half";
    private const string SqrtHalf = "const.sqrt_half";

    public static OnnxIr Lower(OnnxGraph graph, IReadOnlyDictionary<string, OnnxTensor> tensors, OnnxExportOptions options)
    {
        var ir = new OnnxIr { InputName = options.InputName, InputShape = graph.InputShape };
        var blockOutputs = OnnxGraphWalk.Run(graph, ir.InputName,
            (layer, x) => Layer(ir, layer, x, tensors),
            (unit, body, shortcut) =>
            {
                var name = OnnxGraphWalk.AddName(unit);
                ir.Add("Add", name, [body, shortcut], name);
                if (unit.Body.Count > 0) ir.ValueShapes[name] = unit.Body[^1].Output;
                return name;
            });

        ir.Outputs.Add(new OnnxOutput(blockOutputs[^1], options.OutputName, graph.OutputShape));
        if (options.Features is { } features)
        {
            if (features.FirstOrDefault(f => f != OnnxExportOptions.EveryBlock && graph.Blocks.All(b => b.Name != f)) is { } unknown)
                throw new ArgumentException($"ONNX export of {graph.Model}: there is no block '{unknown}' (blocks: {string.Join(", ", graph.Blocks.Select(b => b.Name))}).", nameof(options));
            for (var i = 0; i < graph.Blocks.Count - 1; i++)
                if (features.Contains(OnnxExportOptions.EveryBlock) || features.Contains(graph.Blocks[i].Name))
                    ir.Outputs.Add(new OnnxOutput(blockOutputs[i], graph.Blocks[i].Name, graph.Blocks[i].OutputShape));
        }
        ir.Metadata["dslkd.model"] = graph.Model;
        ir.Metadata["dslkd.input_shape"] = string.Join(",", graph.InputShape);
        ir.Metadata["dslkd.output_shape"] = string.Join(",", graph.OutputShape);
        return ir;
    }

    /// <summary>
    /// Gives each graph output its name, once the graph is final: the value is renamed where it can be, copied with
    /// Identity where not (the input itself, a value two outputs share).
    /// </summary>
    public static void NameOutputs(OnnxIr ir)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { ir.InputName };
        var done = new List<OnnxOutput>();
        foreach (var output in ir.Outputs)
        {
            if (!taken.Add(output.Name))
                throw new ArgumentException($"ONNX export: the output name '{output.Name}' is used twice (the input, the output and the feature blocks need different names).");
            if (output.Value != output.Name)
            {
                var value = output.Value;
                var renamable = value != ir.InputName && !ir.Initializers.ContainsKey(value) && done.All(o => o.Value != value)
                                && ir.Producer(value) is not null && !ir.Nodes.Any(n => n.Outputs.Contains(output.Name) || n.Inputs.Contains(output.Name));
                if (renamable)
                {
                    // Renames every output reading it too; those later ones then find it taken and copy it.
                    ir.Rename(value, output.Name);
                }
                else
                {
                    ir.Add("Identity", output.Name, [value], output.Name);
                    output.Value = output.Name;
                }
            }
            ir.ValueShapes.Remove(output.Name);
            done.Add(output);
        }
    }

    private static string Layer(OnnxIr ir, OnnxLayer layer, string x, IReadOnlyDictionary<string, OnnxTensor> tensors)
    {
        var y = layer.Path;
        switch (layer)
        {
            case OnnxPassThrough:
                return x;
            case OnnxLinear { Input.Rank: 1 } linear:
                ir.Add("Gemm", y, WithOptionalBias(ir, tensors, linear.Path, x, linear.Bias), y).With("transB", 1L);
                break;
            case OnnxLinear linear:
                LinearOnLastDimension(ir, linear, x, tensors);
                break;
            case OnnxEmbedding embedding:
                // The model's first layer (the generator allows no other): the graph reads int64 token ids.
                if (x == ir.InputName) ir.InputType = OnnxElementType.Int64;
                ir.Add("Gather", y, [Weight(ir, tensors, embedding.Path + ".weight"), x], y).With("axis", 0L);
                break;
            case OnnxRecurrent recurrent:
                Recurrent(ir, recurrent, x, tensors);
                break;
            case OnnxPoolOverTime pool:
                ir.Add(pool.Max ? "ReduceMax" : "ReduceMean", y, [x], y).With("axes", new[] { 1L }).With("keepdims", 0L);
                break;
            case OnnxConvolution conv:
            {
                var rank = conv.Input.Rank - 1;
                ir.Add("Conv", y, WithOptionalBias(ir, tensors, conv.Path, x, conv.Bias), y)
                    .With("kernel_shape", Repeat(conv.Kernel, rank))
                    .With("strides", Repeat(conv.Stride, rank))
                    .With("pads", Repeat(conv.Padding, 2 * rank))
                    .With("dilations", Repeat(conv.Dilation, rank))
                    .With("group", conv.Groups);
                break;
            }
            case OnnxBatchNorm norm:
                ir.Add("BatchNormalization", y,
                    [x, Weight(ir, tensors, norm.Path + ".weight"), Weight(ir, tensors, norm.Path + ".bias"),
                     Weight(ir, tensors, norm.Path + ".running_mean"), Weight(ir, tensors, norm.Path + ".running_var")], y)
                    .With("epsilon", (float)norm.Eps);
                break;
            case OnnxLayerNorm norm:
                ir.Add("LayerNormalization", y, [x, Weight(ir, tensors, norm.Path + ".weight"), Weight(ir, tensors, norm.Path + ".bias")], y)
                    .With("axis", -1L)
                    .With("epsilon", (float)norm.Eps);
                break;
            case OnnxPooling pool:
            {
                var node = ir.Add(pool.Kind == OnnxPoolingKind.Max ? "MaxPool" : "AveragePool", y, [x], y)
                    .With("kernel_shape", Repeat(pool.Kernel, 2))
                    .With("strides", Repeat(pool.Stride, 2))
                    .With("pads", Repeat(pool.Padding, 4))
                    .With("ceil_mode", 0L);
                if (pool.Kind == OnnxPoolingKind.Average) node.With("count_include_pad", 1L);
                break;
            }
            case OnnxAdaptiveAveragePooling adaptive:
                AdaptiveAveragePool(ir, adaptive, x);
                break;
            case OnnxActivation activation:
                Activation(ir, activation, x);
                break;
            case OnnxFlatten:
                ir.Add("Flatten", y, [x], y).With("axis", 1L);
                break;
            default:
                throw new NotSupportedException($"ONNX export: no lowering for {layer.GetType().Name} at '{layer.Path}'.");
        }
        ir.ValueShapes[y] = layer.Output;
        return y;
    }

    private static string[] WithOptionalBias(OnnxIr ir, IReadOnlyDictionary<string, OnnxTensor> tensors, string path, string x, bool bias) =>
        bias ? [x, Weight(ir, tensors, path + ".weight"), Weight(ir, tensors, path + ".bias")] : [x, Weight(ir, tensors, path + ".weight")];

    private static string Weight(OnnxIr ir, IReadOnlyDictionary<string, OnnxTensor> tensors, string name) =>
        tensors.TryGetValue(name, out var tensor)
            ? ir.Constant(tensor)
            : throw new InvalidOperationException($"ONNX export: the module has no tensor '{name}' that its generated description names; was it built from another declaration?");

    /// <summary>A Linear on <c>[batch, ..., in]</c>: <c>MatMul</c> with the weight transposed to <c>[in, out]</c>, then the bias.</summary>
    private static void LinearOnLastDimension(OnnxIr ir, OnnxLinear linear, string x, IReadOnlyDictionary<string, OnnxTensor> tensors)
    {
        var y = linear.Path;
        var weight = Tensor(tensors, y + ".weight");
        long outputs = weight.Dims[0], inputs = weight.Dims[1];
        var transposed = ir.Constant(OnnxTensor.Float(y + ".weight_t", [inputs, outputs], Transpose(weight.Floats, outputs, inputs)));
        if (!linear.Bias)
        {
            ir.Add("MatMul", y, [x, transposed], y);
            return;
        }
        ir.Add("MatMul", y + "/matmul", [x, transposed], y + "/matmul");
        ir.Add("Add", y, [y + "/matmul", Weight(ir, tensors, y + ".bias")], y);
    }

    /// <summary>
    /// LSTM / GRU, batch first: the input goes time first (<c>[T, batch, in]</c>), each stacked layer is one node whose
    /// <c>Y [T, directions, batch, hidden]</c> is joined to <c>[T, batch, hidden x directions]</c> for the next, and the
    /// output is the top layer's <c>Y</c> back to batch first, or its <c>Y_h [directions, batch, hidden]</c> as
    /// <c>[batch, hidden x directions]</c> (forward first).
    /// </summary>
    private static void Recurrent(OnnxIr ir, OnnxRecurrent rnn, string x, IReadOnlyDictionary<string, OnnxTensor> tensors)
    {
        var y = rnn.Path;
        var lstm = rnn.Cell == OnnxRecurrentCell.Lstm;
        // ONNX's gate order from PyTorch's: LSTM i, f, g, o -> i, o, f, c; GRU r, z, n -> z, r, h.
        int[] order = lstm ? [0, 3, 1, 2] : [1, 0, 2];
        var suffixes = rnn.Bidirectional ? new[] { "", "_reverse" } : [""];
        var joined = ir.Constant(OnnxTensor.Int64s("const.shape_join_last2", [0, 0, -1]));
        var current = y + "/time_first";
        ir.Add("Transpose", current, [x], current).With("perm", new[] { 1L, 0L, 2L });
        for (var l = 0; l < rnn.Layers; l++)
        {
            var prefix = $"{y}/l{l}";
            var w = PackGates(ir, tensors, y, $"weight_ih_l{l}", suffixes, order, $"{y}.W_l{l}");
            var r = PackGates(ir, tensors, y, $"weight_hh_l{l}", suffixes, order, $"{y}.R_l{l}");
            var b = PackBias(ir, tensors, y, l, suffixes, order, $"{y}.B_l{l}");
            var node = ir.Add(lstm ? "LSTM" : "GRU", prefix, [current, w, r, b], prefix + "/Y", prefix + "/Y_h")
                .With("hidden_size", rnn.Hidden)
                .With("direction", rnn.Bidirectional ? "bidirectional" : "forward");
            if (!lstm) node.With("linear_before_reset", 1L);
            var last = l == rnn.Layers - 1;
            if (last && !rnn.Sequence)
            {
                ir.Add("Transpose", prefix + "/Y_h/batch_first", [prefix + "/Y_h"], prefix + "/Y_h/batch_first").With("perm", new[] { 1L, 0L, 2L });
                ir.Add("Reshape", y, [prefix + "/Y_h/batch_first", ir.Constant(OnnxTensor.Int64s("const.shape_join_last", [0, -1]))], y);
            }
            else if (last)
            {
                ir.Add("Transpose", prefix + "/Y/batch_first", [prefix + "/Y"], prefix + "/Y/batch_first").With("perm", new[] { 2L, 0L, 1L, 3L });
                ir.Add("Reshape", y, [prefix + "/Y/batch_first", joined], y);
            }
            else
            {
                ir.Add("Transpose", prefix + "/Y/steps", [prefix + "/Y"], prefix + "/Y/steps").With("perm", new[] { 0L, 2L, 1L, 3L });
                current = prefix + "/Y/joined";
                ir.Add("Reshape", current, [prefix + "/Y/steps", joined], current);
            }
        }
    }

    /// <summary>A layer's weights of every direction, gates reordered, as ONNX's <c>[directions, gates x hidden, in]</c>.</summary>
    private static string PackGates(OnnxIr ir, IReadOnlyDictionary<string, OnnxTensor> tensors, string path, string name, string[] suffixes, int[] order, string packed)
    {
        var parts = suffixes.Select(s => Tensor(tensors, $"{path}.{name}{s}")).ToList();
        var dims = parts[0].Dims;
        var values = parts.SelectMany(p => Reorder(p.Floats, order)).ToArray();
        return ir.Constant(OnnxTensor.Float(packed, [suffixes.Length, dims[0], dims[1]], values));
    }

    /// <summary>A layer's biases as ONNX's <c>[directions, 2 x gates x hidden]</c>: input then recurrent bias, gates reordered.</summary>
    private static string PackBias(OnnxIr ir, IReadOnlyDictionary<string, OnnxTensor> tensors, string path, int layer, string[] suffixes, int[] order, string packed)
    {
        var values = suffixes.SelectMany(s =>
            Reorder(Tensor(tensors, $"{path}.bias_ih_l{layer}{s}").Floats, order)
                .Concat(Reorder(Tensor(tensors, $"{path}.bias_hh_l{layer}{s}").Floats, order))).ToArray();
        return ir.Constant(OnnxTensor.Float(packed, [suffixes.Length, values.Length / suffixes.Length], values));
    }

    /// <summary>The gate blocks (equal slices along the first axis) of <paramref name="values"/> in <paramref name="order"/>.</summary>
    private static float[] Reorder(float[] values, int[] order)
    {
        var block = values.Length / order.Length;
        var result = new float[values.Length];
        for (var i = 0; i < order.Length; i++) Array.Copy(values, order[i] * block, result, i * block, block);
        return result;
    }

    private static OnnxTensor Tensor(IReadOnlyDictionary<string, OnnxTensor> tensors, string name) =>
        tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidOperationException($"ONNX export: the module has no tensor '{name}' that its generated description names; was it built from another declaration?");

    private static void AdaptiveAveragePool(OnnxIr ir, OnnxAdaptiveAveragePooling pool, string x)
    {
        var y = pool.Path;
        long inH = pool.Input[1], inW = pool.Input[2], outH = pool.Output[1], outW = pool.Output[2];
        if (outH == 1 && outW == 1)
        {
            ir.Add("GlobalAveragePool", y, [x], y);
        }
        else if (inH % outH == 0 && inW % outW == 0)
        {
            ir.Add("AveragePool", y, [x], y)
                .With("kernel_shape", new[] { inH / outH, inW / outW })
                .With("strides", new[] { inH / outH, inW / outW });
        }
        else
        {
            // PyTorch's bins: output i averages input [floor(i * in / out), ceil((i + 1) * in / out)), uneven when out does not
            // divide in. The pooling is linear and separable: y = A_h x A_w^T with constant averaging matrices.
            var columns = ir.Constant(OnnxTensor.Float(y + ".columns", [inW, outW], Transpose(Bins(inW, outW), outW, inW)));
            var rows = ir.Constant(OnnxTensor.Float(y + ".rows", [outH, inH], Bins(inH, outH)));
            ir.Add("MatMul", y + "/columns", [x, columns], y + "/columns");
            ir.Add("MatMul", y, [rows, y + "/columns"], y);
        }
    }

    /// <summary>The [output, input] averaging matrix of PyTorch's adaptive average pooling along one axis.</summary>
    internal static float[] Bins(long input, long output)
    {
        var matrix = new float[output * input];
        for (long i = 0; i < output; i++)
        {
            var start = i * input / output;
            var end = ((i + 1) * input + output - 1) / output;
            for (var j = start; j < end; j++) matrix[i * input + j] = 1f / (end - start);
        }
        return matrix;
    }

    private static float[] Transpose(float[] matrix, long rows, long columns)
    {
        var result = new float[matrix.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                result[c * rows + r] = matrix[r * columns + c];
        return result;
    }

    private static void Activation(OnnxIr ir, OnnxActivation activation, string x)
    {
        var y = activation.Path;
        switch (activation.Kind)
        {
            case OnnxActivationKind.ReLU:
                ir.Add("Relu", y, [x], y);
                break;
            case OnnxActivationKind.ReLU6:
                ir.Add("Clip", y, [x, ir.Constant(OnnxTensor.Scalar(Zero, 0f)), ir.Constant(OnnxTensor.Scalar(Six, 6f))], y);
                break;
            case OnnxActivationKind.LeakyReLU:
                ir.Add("LeakyRelu", y, [x], y).With("alpha", (float)activation.Slope);
                break;
            case OnnxActivationKind.GELU:
                // PyTorch's exact GELU, in its order: (x * 0.5) * (1 + erf(x * sqrt(1/2))).
                ir.Add("Mul", y + "/half", [x, ir.Constant(OnnxTensor.Scalar(Half, 0.5f))], y + "/half");
                ir.Add("Mul", y + "/scaled", [x, ir.Constant(OnnxTensor.Scalar(SqrtHalf, (float)Math.Sqrt(0.5)))], y + "/scaled");
                ir.Add("Erf", y + "/erf", [y + "/scaled"], y + "/erf");
                ir.Add("Add", y + "/one_plus", [y + "/erf", ir.Constant(OnnxTensor.Scalar(One, 1f))], y + "/one_plus");
                ir.Add("Mul", y, [y + "/half", y + "/one_plus"], y);
                break;
            case OnnxActivationKind.SiLU:
                ir.Add("Sigmoid", y + "/sigmoid", [x], y + "/sigmoid");
                ir.Add("Mul", y, [x, y + "/sigmoid"], y);
                break;
            case OnnxActivationKind.Hardswish:
                ir.Add("HardSwish", y, [x], y);
                break;
            case OnnxActivationKind.Tanh:
                ir.Add("Tanh", y, [x], y);
                break;
            case OnnxActivationKind.Sigmoid:
                ir.Add("Sigmoid", y, [x], y);
                break;
            default:
                throw new NotSupportedException($"ONNX export: no lowering for activation {activation.Kind} at '{y}'.");
        }
    }

    private static long[] Repeat(long value, int count) => Enumerable.Repeat(value, count).ToArray();
}
