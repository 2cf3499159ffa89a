using System.Collections.Generic;

namespace DslKd.Export;

/// <summary>
/// A generated model that can be exported to ONNX: the generator implements it for every model whose layers all have an
/// ONNX mapping, writing <see cref="OnnxGraph"/> from the declaration. <see cref="OnnxExport"/> turns that description and
/// the module's trained tensors into a <c>.onnx</c> file.
/// </summary>
public interface IOnnxExportable : IGeneratedModel
{
    /// <summary>The model's layers as the generator resolved them: kinds, settings, shapes and state_dict paths.</summary>
    OnnxGraph OnnxGraph { get; }
}

/// <summary>A model's structure for ONNX export, written by the generator from the layer attributes.</summary>
/// <param name="Model">The model class name.</param>
/// <param name="InputShape">One input sample (no batch dimension).</param>
/// <param name="OutputShape">One output sample: the last block's output.</param>
/// <param name="Blocks">The blocks in the order they run.</param>
public sealed record OnnxGraph(string Model, Shape InputShape, Shape OutputShape, IReadOnlyList<OnnxBlock> Blocks);

/// <summary>One block: its steps (layers and residual units) in order; its output is the feature named after it.</summary>
/// <param name="Name">The block's property name (and state_dict prefix).</param>
/// <param name="OutputShape">The block's output for one sample.</param>
/// <param name="Steps">Layers and residual units, in order.</param>
public sealed record OnnxBlock(string Name, Shape OutputShape, IReadOnlyList<OnnxStep> Steps);

/// <summary>A layer or a residual unit; <paramref name="Path"/> is its state_dict prefix (<c>Stem.0</c>, <c>Layer1.0</c>).</summary>
/// <param name="Path">The state_dict prefix of the step's tensors; also the name of the value it produces in the ONNX graph.</param>
public abstract record OnnxStep(string Path);

/// <summary>
/// A residual unit: <c>afterAdd(body(x) + shortcut(x))</c>, the shortcut a projection block or, when null, the identity.
/// The add's output is the value <c>Path + ".add"</c>.
/// </summary>
/// <param name="Path">The unit's state_dict prefix (<c>Layer1.0</c>).</param>
/// <param name="Body">The layers before the add.</param>
/// <param name="Shortcut">The projection's layers (<c>Layer1.0.Shortcut.0</c>, ...), or null for the identity.</param>
/// <param name="AfterAdd">The layers after the add.</param>
public sealed record OnnxResidualUnit(string Path, IReadOnlyList<OnnxLayer> Body, IReadOnlyList<OnnxLayer>? Shortcut, IReadOnlyList<OnnxLayer> AfterAdd)
    : OnnxStep(Path);

/// <summary>One layer with the shapes the generator inferred (per sample, no batch dimension).</summary>
/// <param name="Path">The layer's state_dict prefix; its weights are <c>Path.weight</c>, ...; its output value is named <c>Path</c>.</param>
/// <param name="Input">The layer's input shape.</param>
/// <param name="Output">The layer's output shape.</param>
public abstract record OnnxLayer(string Path, Shape Input, Shape Output) : OnnxStep(Path);

/// <summary>
/// [Linear]: ONNX <c>Gemm</c> (transB = 1) on a vector; on a sequence (or any input of rank 2 or more, applied to the last
/// dimension) <c>MatMul</c> with the transposed weight, then <c>Add</c> of the bias.
/// </summary>
public sealed record OnnxLinear(string Path, Shape Input, Shape Output, bool Bias) : OnnxLayer(Path, Input, Output);

/// <summary>[Conv1d], [Conv2d]: ONNX <c>Conv</c> with square kernels, symmetric padding, groups and dilation.</summary>
public sealed record OnnxConvolution(string Path, Shape Input, Shape Output, long Kernel, long Stride, long Padding, long Dilation, long Groups, bool Bias)
    : OnnxLayer(Path, Input, Output);

/// <summary>[BatchNorm1d], [BatchNorm2d] in eval mode: ONNX <c>BatchNormalization</c> with the running statistics.</summary>
public sealed record OnnxBatchNorm(string Path, Shape Input, Shape Output, double Eps) : OnnxLayer(Path, Input, Output);

/// <summary>[LayerNorm] over the last dimension: ONNX <c>LayerNormalization</c> (opset 17).</summary>
public sealed record OnnxLayerNorm(string Path, Shape Input, Shape Output, double Eps) : OnnxLayer(Path, Input, Output);

/// <summary>The two window poolings.</summary>
public enum OnnxPoolingKind
{
    /// <summary>[MaxPool2d]: ONNX <c>MaxPool</c> (padding never wins the max, as in PyTorch).</summary>
    Max,
    /// <summary>[AvgPool2d]: ONNX <c>AveragePool</c> with <c>count_include_pad = 1</c>, PyTorch's default.</summary>
    Average,
}

/// <summary>[MaxPool2d], [AvgPool2d]: square windows, floor rounding (<c>ceil_mode = 0</c>), symmetric padding.</summary>
public sealed record OnnxPooling(string Path, Shape Input, Shape Output, OnnxPoolingKind Kind, long Kernel, long Stride, long Padding)
    : OnnxLayer(Path, Input, Output);

/// <summary>
/// [AdaptiveAvgPool2d]: <c>GlobalAveragePool</c> for a 1x1 output, <c>AveragePool</c> when the output divides the input,
/// and otherwise PyTorch's uneven bins exactly, as two constant averaging matrices (<c>MatMul</c>).
/// </summary>
public sealed record OnnxAdaptiveAveragePooling(string Path, Shape Input, Shape Output) : OnnxLayer(Path, Input, Output);

/// <summary>The element-wise activations.</summary>
public enum OnnxActivationKind
{
    /// <summary><c>Relu</c>.</summary>
    ReLU,
    /// <summary><c>Clip(0, 6)</c>.</summary>
    ReLU6,
    /// <summary><c>LeakyRelu(alpha = slope)</c>.</summary>
    LeakyReLU,
    /// <summary>The exact (erf) form: <c>0.5 x (1 + erf(x / sqrt 2))</c>; opset 17 has no Gelu operator.</summary>
    GELU,
    /// <summary><c>x * Sigmoid(x)</c>.</summary>
    SiLU,
    /// <summary><c>HardSwish</c>.</summary>
    Hardswish,
    /// <summary><c>Tanh</c>.</summary>
    Tanh,
    /// <summary><c>Sigmoid</c>.</summary>
    Sigmoid,
}

/// <summary>An activation; <paramref name="Slope"/> is LeakyReLU's negative slope.</summary>
public sealed record OnnxActivation(string Path, Shape Input, Shape Output, OnnxActivationKind Kind, double Slope = 0.01)
    : OnnxLayer(Path, Input, Output);

/// <summary>[Flatten]: ONNX <c>Flatten(axis = 1)</c>.</summary>
public sealed record OnnxFlatten(string Path, Shape Input, Shape Output) : OnnxLayer(Path, Input, Output);

/// <summary>
/// [Identity] and [Dropout] (the identity at inference): no node, the value passes through. <paramref name="Layer"/> is
/// the layer kind it came from, "Identity" or "Dropout".
/// </summary>
public sealed record OnnxPassThrough(string Path, Shape Input, Shape Output, string Layer) : OnnxLayer(Path, Input, Output);

/// <summary>
/// [Embedding] without a padding index, the model's first layer: ONNX <c>Gather</c> of the table's rows by the token ids,
/// so the graph's input is int64 <c>[batch, T]</c>. (With a padding index the model has no mapping: the padding mask is not
/// exported.)
/// </summary>
public sealed record OnnxEmbedding(string Path, Shape Input, Shape Output) : OnnxLayer(Path, Input, Output);

/// <summary>The two recurrent cells.</summary>
public enum OnnxRecurrentCell
{
    /// <summary>[LSTM]: ONNX <c>LSTM</c>, gates permuted from PyTorch's i, f, g, o to ONNX's i, o, f, c.</summary>
    Lstm,
    /// <summary>[GRU]: ONNX <c>GRU</c> with <c>linear_before_reset = 1</c> (PyTorch's form), gates permuted from r, z, n to z, r, h.</summary>
    Gru,
}

/// <summary>
/// [LSTM], [GRU] on a sequence without a padding mask: one ONNX <c>LSTM</c> / <c>GRU</c> node per stacked layer, over the
/// input transposed to time first; <paramref name="Sequence"/> gives every step's output <c>[batch, T, hidden x
/// directions]</c>, otherwise the top layer's final state <c>[batch, hidden x directions]</c>, forward direction first.
/// </summary>
public sealed record OnnxRecurrent(string Path, Shape Input, Shape Output, OnnxRecurrentCell Cell, long Hidden, long Layers, bool Bidirectional, bool Sequence)
    : OnnxLayer(Path, Input, Output);

/// <summary>[PoolOverTime] over the whole sequence, without a padding mask: <c>ReduceMax</c> or <c>ReduceMean</c> over time.</summary>
public sealed record OnnxPoolOverTime(string Path, Shape Input, Shape Output, bool Max) : OnnxLayer(Path, Input, Output);
