using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Export;

/// <summary>How <see cref="OnnxExport"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>In <see cref="Features"/>: every block's output.</summary>
    public const string EveryBlock = "*";

    /// <summary>The graph input's name; its shape is <c>[batch, ...InputShape]</c> with a dynamic batch dimension.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The name of the model's output (the last block's output).</summary>
    public string OutputName { get; init; } = "logits";

    /// <summary>
    /// Blocks whose outputs become extra graph outputs, named after the block (<see cref="EveryBlock"/> for all of them);
    /// null (the default) for the output alone. The last block is the output and is not repeated.
    /// </summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>
    /// Folds each BatchNorm that directly follows a convolution or Linear layer into that layer's weights and bias.
    /// Off by default: the graph keeps <c>BatchNormalization</c> nodes with the running statistics, one node per declared
    /// layer, and ONNX Runtime fuses them into the convolution when it loads the model. Int8 export always folds.
    /// </summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>
    /// Extra entries for the file's metadata_props (the preprocessing an application must apply, class names, ...);
    /// DslKd adds <c>dslkd.model</c>, <c>dslkd.input_shape</c> and <c>dslkd.output_shape</c> itself.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>
/// Exports a generated model to ONNX (opset <see cref="Opset"/>): the graph from the generator's description of the
/// declaration (<see cref="IOnnxExportable.OnnxGraph"/>), the weights and BatchNorm running statistics from the module.
/// The result runs in ONNX Runtime without TorchSharp. See docs/deploy.md.
/// </summary>
public static class OnnxExport
{
    /// <summary>
    /// The ONNX opset the exporter writes: 17, the first with LayerNormalization, and the newest that ONNX 1.12 (Debian's
    /// python3-onnx, whose checker the tests run) knows; ONNX Runtime supports it fully.
    /// </summary>
    public const int Opset = 17;

    /// <summary>The extension of exported files.</summary>
    public const string Extension = ".onnx";

    /// <summary>The model as a serialized ONNX ModelProto (float32).</summary>
    /// <param name="model">A generated model; its weights are read as they are (train it, or load it, first).</param>
    /// <param name="options">Input, output and feature names, BatchNorm folding; the defaults when null.</param>
    public static byte[] ToBytes<TModel>(TModel model, OnnxExportOptions? options = null)
        where TModel : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        var ir = OnnxLowering.Lower(model.OnnxGraph, TensorsOf(model), options);
        if (options.FoldBatchNorm) OnnxBatchNormFolding.Fold(ir);
        return Serialize(ir, model.OnnxGraph, quantization: null, options.Metadata);
    }

    /// <summary>
    /// The model as an int8 ONNX ModelProto: weights of every convolution and Linear layer quantized per output channel
    /// (symmetric int8), their inputs and outputs quantized to uint8 with ranges measured on <paramref name="calibration"/>
    /// (static quantization, QuantizeLinear/DequantizeLinear pairs that ONNX Runtime runs as QLinearConv, QGemm and
    /// QLinearMatMul). BatchNorm is folded first; the output (logits) stays float.
    /// </summary>
    /// <param name="model">A generated model with trained weights.</param>
    /// <param name="calibration">Input batches from the training data, <c>[batch, ...InputShape]</c>: a few thousand samples are plenty.</param>
    /// <param name="options">Names and features; <see cref="OnnxExportOptions.FoldBatchNorm"/> is implied.</param>
    public static byte[] ToInt8Bytes<TModel>(TModel model, IEnumerable<Tensor> calibration, OnnxExportOptions? options = null)
        where TModel : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        options ??= new OnnxExportOptions();
        var ranges = OnnxCalibration.Measure(model, model.OnnxGraph, calibration, options.InputName);
        var ir = OnnxLowering.Lower(model.OnnxGraph, TensorsOf(model), options);
        OnnxBatchNormFolding.Fold(ir);
        OnnxInt8.Quantize(ir, ranges);
        return Serialize(ir, model.OnnxGraph, quantization: "int8: per-channel symmetric int8 weights, uint8 activations (min/max calibration)", options.Metadata);
    }

    /// <summary>Writes <see cref="ToBytes"/> to <paramref name="path"/>, atomically.</summary>
    public static void Save<TModel>(TModel model, string path, OnnxExportOptions? options = null)
        where TModel : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ToBytes(model, options);
        AtomicFile.Write(path, writer => writer.Write(bytes));
    }

    /// <summary>Writes <see cref="ToInt8Bytes"/> to <paramref name="path"/>, atomically.</summary>
    public static void SaveInt8<TModel>(TModel model, string path, IEnumerable<Tensor> calibration, OnnxExportOptions? options = null)
        where TModel : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ToInt8Bytes(model, calibration, options);
        AtomicFile.Write(path, writer => writer.Write(bytes));
    }

    private static byte[] Serialize(OnnxIr ir, OnnxGraph graph, string? quantization, IReadOnlyDictionary<string, string>? metadata)
    {
        OnnxLowering.NameOutputs(ir);
        ir.RemoveUnusedInitializers();
        ir.Doc = $"{graph.Model}: exported by DslKd from its declaration; input '{ir.InputName}' [batch, {string.Join(", ", graph.InputShape)}].";
        if (quantization is not null) ir.Metadata["dslkd.quantization"] = quantization;
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) ir.Metadata.TryAdd(key, value);
        using var stream = new MemoryStream();
        using (var coded = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true))
            OnnxProtoWriter.ToProto(ir, Opset).WriteTo(coded);
        return stream.ToArray();
    }

    /// <summary>Every tensor of the module's state_dict as float32, by state_dict name.</summary>
    internal static Dictionary<string, OnnxTensor> TensorsOf(nn.Module module)
    {
        var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) continue; // num_batches_tracked
            using var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            tensors[name] = OnnxTensor.Float(name, tensor.shape, values.data<float>().ToArray());
        }
        return tensors;
    }
}
