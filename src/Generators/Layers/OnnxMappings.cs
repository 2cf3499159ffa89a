using System;
using System.Collections.Generic;
using System.Linq;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// How each layer kind appears in an exported ONNX graph: the C# expression of its <c>DslKd.Export.OnnxLayer</c> record,
/// which the runtime exporter lowers to ONNX nodes. A model whose layers all have a mapping implements
/// <c>IOnnxExportable</c>; a layer kind without one (a kind added to <see cref="LayerCatalog"/> and not here) makes every
/// export of a model using it DKD0050, at the call (<see cref="OnnxExportAnalyzer"/>).
/// </summary>
internal sealed class OnnxMappings
{
    private const string Export = "global::DslKd.Export.";

    // A mapping may decline a use of its kind it cannot lower (null): Linear on a sequence.
    private readonly Dictionary<string, Func<ResolvedLayer, string, string?>> _byKind;

    private OnnxMappings(Dictionary<string, Func<ResolvedLayer, string, string?>> byKind) => _byKind = byKind;

    /// <summary>
    /// The mappings of the layer kinds ONNX export supports: every kind except the opaque TorchScript layer and the
    /// sequence layers TransformerEncoder, PositionalEncoding, MaxPool1d and AvgPool1d, whose lowering is not written yet,
    /// and PoolOverTime over windows. An Embedding with a padding index has no mapping on purpose: it makes the padding
    /// mask that LSTM, GRU and PoolOverTime read, and masking is not exported; they are mapped because without such an
    /// Embedding a model's sequences never have one.
    /// </summary>
    public static OnnxMappings Default { get; } = new(new Dictionary<string, Func<ResolvedLayer, string, string?>>
    {
        // Gemm on a vector; MatMul + Add on a sequence (the Linear applied to each step).
        ["Linear"] = (l, path) => Record("OnnxLinear", l, path, "Bias: " + Literal.Of(l.Layer.Arguments.Bool("Bias", true))),
        // Token ids -> Gather; with a padding index there is no mapping: the mask it makes is not exported (see Unmapped).
        ["Embedding"] = (l, path) => l.Layer.Arguments.Int("PaddingIndex", -1) >= 0 ? null : Record("OnnxEmbedding", l, path),
        ["LSTM"] = Recurrent("Lstm"),
        ["GRU"] = Recurrent("Gru"),
        // Over the whole sequence only: windows (Kernel > 0) have no mapping yet.
        ["PoolOverTime"] = (l, path) => l.Layer.Arguments.Int("Kernel", 0) != 0 ? null
            : Record("OnnxPoolOverTime", l, path, "Max: " + Literal.Of(l.Layer.Arguments.Int("Pooling", 0) == 0)),
        ["Conv1d"] = Convolution,
        ["Conv2d"] = Convolution,
        ["BatchNorm1d"] = (l, path) => Record("OnnxBatchNorm", l, path, "Eps: " + Literal.Of(l.Layer.Arguments.Real("Eps", 1e-5))),
        ["BatchNorm2d"] = (l, path) => Record("OnnxBatchNorm", l, path, "Eps: " + Literal.Of(l.Layer.Arguments.Real("Eps", 1e-5))),
        ["LayerNorm"] = (l, path) => Record("OnnxLayerNorm", l, path, "Eps: " + Literal.Of(l.Layer.Arguments.Real("Eps", 1e-5))),
        ["Dropout"] = (l, path) => Record("OnnxPassThrough", l, path, "Layer: \"Dropout\""),
        ["Identity"] = (l, path) => Record("OnnxPassThrough", l, path, "Layer: \"Identity\""),
        ["Flatten"] = (l, path) => Record("OnnxFlatten", l, path),
        ["MaxPool2d"] = (l, path) => Pooling(l, path, "Max"),
        ["AvgPool2d"] = (l, path) => Pooling(l, path, "Average"),
        ["AdaptiveAvgPool2d"] = (l, path) => Record("OnnxAdaptiveAveragePooling", l, path),
        ["ReLU"] = Activation("ReLU"),
        ["ReLU6"] = Activation("ReLU6"),
        ["GELU"] = Activation("GELU"),
        ["SiLU"] = Activation("SiLU"),
        ["Hardswish"] = Activation("Hardswish"),
        ["Tanh"] = Activation("Tanh"),
        ["Sigmoid"] = Activation("Sigmoid"),
        ["LeakyReLU"] = (l, path) => Record("OnnxActivation", l, path, $"Kind: {Export}OnnxActivationKind.LeakyReLU", "Slope: " + Literal.Of(l.Layer.Arguments.Real("Slope", 0.01))),
    });

    /// <summary>The same mappings without <paramref name="kinds"/>: for tests of what happens when a kind has none.</summary>
    internal OnnxMappings Without(params string[] kinds) =>
        new(_byKind.Where(p => !kinds.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value));

    public bool Has(string kind) => _byKind.ContainsKey(kind);

    /// <summary>The layer's record expression, or null when its kind has no mapping (or none for this use of it).</summary>
    public string? Map(ResolvedLayer layer, string path) => _byKind.TryGetValue(layer.Layer.Kind, out var map) ? map(layer, path) : null;

    /// <summary>
    /// The first layer (block name and kind, with the use when the kind has a mapping for other uses) of
    /// <paramref name="model"/> without a mapping, or null when it can be exported.
    /// </summary>
    public (string Block, string Kind)? FirstUnmapped(ResolvedModel model)
    {
        foreach (var block in model.Blocks)
            foreach (var (path, layer) in block.NamedLayers())
                if (Map(layer, path) is null)
                    return (block.Name, Unmapped(layer));
        return null;
    }

    /// <summary>
    /// How DKD0050 names an unmapped layer: its kind, with the use when the kind has a mapping for other uses, and why for
    /// an Embedding with a padding index.
    /// </summary>
    private string Unmapped(ResolvedLayer layer) => layer.Layer.Kind switch
    {
        "Embedding" => "Embedding (with a PaddingIndex: the padding mask it makes for the layers after it is not exported)",
        var kind when Has(kind) => $"{kind} on {ShapeText.Format(layer.InputShape)}",
        var kind => kind,
    };

    private static string Convolution(ResolvedLayer layer, string path)
    {
        var a = layer.Layer.Arguments;
        var groups = a.Bool("Depthwise", false) ? layer.InputShape[0] : a.Int("Groups", 1);
        return Record("OnnxConvolution", layer, path,
            "Kernel: " + Literal.Of(a.Int("Kernel", 0)),
            "Stride: " + Literal.Of(a.Int("Stride", 1)),
            "Padding: " + Literal.Of(a.Int("Padding", 0)),
            "Dilation: " + Literal.Of(a.Int("Dilation", 1)),
            "Groups: " + Literal.Of(groups),
            "Bias: " + Literal.Of(a.Bool("Bias", true)));
    }

    private static string Pooling(ResolvedLayer layer, string path, string kind)
    {
        var a = layer.Layer.Arguments;
        var kernel = a.Int("Kernel", 0);
        // Stride 0 (the attribute's default) means "the window", as in PyTorch and WindowPoolLayer.
        var stride = a.Int("Stride", 0) == 0 && !a.Has("Stride") ? kernel : a.Int("Stride", 0);
        return Record("OnnxPooling", layer, path, $"Kind: {Export}OnnxPoolingKind.{kind}",
            "Kernel: " + Literal.Of(kernel), "Stride: " + Literal.Of(stride), "Padding: " + Literal.Of(a.Int("Padding", 0)));
    }

    private static Func<ResolvedLayer, string, string?> Recurrent(string cell) =>
        (layer, path) =>
        {
            var a = layer.Layer.Arguments;
            return Record("OnnxRecurrent", layer, path, $"Cell: {Export}OnnxRecurrentCell.{cell}",
                "Hidden: " + Literal.Of(a.Int("HiddenSize", 0)),
                "Layers: " + Literal.Of(a.Int("Layers", 1)),
                "Bidirectional: " + Literal.Of(a.Bool("Bidirectional", false)),
                "Sequence: " + Literal.Of(a.Int("Output", 0) == 0));
        };

    private static Func<ResolvedLayer, string, string?> Activation(string kind) =>
        (layer, path) => Record("OnnxActivation", layer, path, $"Kind: {Export}OnnxActivationKind.{kind}");

    private static string Record(string type, ResolvedLayer layer, string path, params string[] settings) =>
        $"new {Export}{type}(" + Literal.Join(new[] { Literal.CSharpString(path), Shape(layer.InputShape), Shape(layer.OutputShape) }.Concat(settings).ToArray()) + ")";

    internal static string Shape(EquatableArray<long> shape) =>
        "new global::DslKd.Shape(" + string.Join(", ", shape.Select(d => Literal.Of(d) + "L")) + ")";
}
