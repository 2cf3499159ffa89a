using System;
using System.Collections.Generic;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

// The sequence layers (docs/sequence-models.md). Sequences are [T, features] per sample, time first (batch first in the
// module: [B, T, features]); a model whose first layer is an Embedding reads int64 token ids [T]. Parameter counts are
// PyTorch's modules' (nn.Embedding, nn.LSTM, nn.GRU, nn.TransformerEncoderLayer), checked against PyTorch itself in
// tests/DslKd.Generators.Tests/SequenceLayerTests.cs.

/// <summary>
/// [Embedding(vocabulary, dimensions, PaddingIndex = p)]: token ids [T] -> [T, dimensions]; vocabulary x dimensions
/// weights (state_dict key <c>weight</c>, as nn.Embedding). Only the model's first layer can be one.
/// </summary>
internal sealed class EmbeddingLayer : LayerKind
{
    public static readonly string KindName = KindOf(nameof(EmbeddingAttribute));
    public const string VocabularyArgument = nameof(EmbeddingAttribute.Vocabulary);
    private const string DimensionsArgument = nameof(EmbeddingAttribute.Dimensions);
    private const string PaddingArgument = nameof(EmbeddingAttribute.PaddingIndex);
    private static readonly int DefaultPadding = new EmbeddingAttribute(1, 1).PaddingIndex;

    public override string Name => KindName;

    public override LayerInference Infer(LayerContext context)
    {
        var vocabulary = context.Int(VocabularyArgument, 0);
        var dimensions = context.Int(DimensionsArgument, 0);
        var padding = context.Int(PaddingArgument, DefaultPadding);
        if (vocabulary <= 0)
            return context.InvalidArgument(VocabularyArgument, $"the vocabulary must be positive but is {vocabulary}");
        if (dimensions <= 0)
            return context.InvalidArgument(DimensionsArgument, $"the number of dimensions must be positive but is {dimensions}");
        if (padding < -1 || padding >= vocabulary)
            return context.InvalidArgument(PaddingArgument,
                $"the padding index must be a token id in [0, {vocabulary}) or -1 for none, but is {padding}");
        if (context.Layout != TensorLayout.Tokens)
            return context.RejectInput("an embedding reads token ids, so it can only be the first layer of the model's first block");
        if (context.Input.Count != 1)
            return context.RejectInput("an embedding reads token ids [T]; declare the sequence length as the input, e.g. InputShape = [64]");
        return LayerInference.Ok([context.Input[0], dimensions], checked(vocabulary * dimensions), TensorLayout.Sequence);
    }

    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer) =>
        [("weight", [Vocabulary(layer), Dimensions(layer)])];

    public override string Describe(ResolvedLayer layer) =>
        $"Embedding({Literal.Join(Literal.Of(Vocabulary(layer)), Literal.Of(Dimensions(layer)), Padding(layer) >= 0 ? "padding_idx=" + Literal.Of(Padding(layer)) : null)})";

    public override string Construct(ResolvedLayer layer) =>
        $"new global::DslKd.TokenEmbedding({Literal.Of(Vocabulary(layer))}, {Literal.Of(Dimensions(layer))}, {Literal.Of(Padding(layer))}, {DeviceAndDtype})";

    private static long Vocabulary(ResolvedLayer layer) => layer.Layer.Arguments.Int(VocabularyArgument, 0);

    private static long Dimensions(ResolvedLayer layer) => layer.OutputShape[1];

    private static long Padding(ResolvedLayer layer) => layer.Layer.Arguments.Int(PaddingArgument, DefaultPadding);
}

/// <summary>
/// [LSTM(hidden, output)] and [GRU(hidden, output)] on a sequence [T, f]: [T, h * directions] (every step) or
/// [h * directions] (the last state). Per layer and direction, PyTorch's G*h*(in + h) + 2*G*h parameters, G = 4 gates
/// (LSTM) or 3 (GRU), in = f for the first layer and h * directions after it.
/// </summary>
internal sealed class RecurrentLayerKind(bool lstm) : LayerKind
{
    private const string HiddenArgument = nameof(LSTMAttribute.HiddenSize);
    private const string OutputArgument = nameof(LSTMAttribute.Output);
    private const string LayersArgument = nameof(LSTMAttribute.Layers);
    private const string BidirectionalArgument = nameof(LSTMAttribute.Bidirectional);
    private const string DropoutArgument = nameof(LSTMAttribute.Dropout);
    private static readonly LSTMAttribute Defaults = new(1, RecurrentOutput.Sequence);

    public override string Name => lstm ? KindOf(nameof(LSTMAttribute)) : KindOf(nameof(GRUAttribute));

    private int Gates => lstm ? 4 : 3;

    public override LayerInference Infer(LayerContext context)
    {
        var hidden = context.Int(HiddenArgument, 0);
        var output = context.Int(OutputArgument, (long)RecurrentOutput.Sequence);
        var layers = context.Int(LayersArgument, Defaults.Layers);
        var dropout = context.Real(DropoutArgument, Defaults.Dropout);
        if (hidden <= 0)
            return context.InvalidArgument(HiddenArgument, $"the hidden size must be positive but is {hidden}");
        if (!Enum.IsDefined(typeof(RecurrentOutput), (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, output))))
            return context.InvalidArgument(OutputArgument, $"the output must be RecurrentOutput.Sequence or RecurrentOutput.LastState but is {output}");
        if (layers < 1)
            return context.InvalidArgument(LayersArgument, $"the number of layers must be at least 1 but is {layers}");
        if (!ValueRange.Probability.Contains(dropout))
            return context.OutOfRange(DropoutArgument, ValueRange.Probability, dropout, Defaults.Dropout,
                $"the dropout between layers must be {ValueRange.Probability.Describe()} but is {Literal.Of(dropout)}");
        if (dropout > 0 && layers == 1)
            return context.InvalidArgument(DropoutArgument,
                "the dropout acts between stacked layers, so with one layer it would do nothing; set Layers = 2 or more, or remove Dropout");
        if (RejectNonSequence(context, Name) is { } rejected) return rejected;

        var directions = context.Bool(BidirectionalArgument, Defaults.Bidirectional) ? 2L : 1L;
        var features = context.Input[1];
        var parameters = checked(directions * (PerDirection(features, hidden) + (layers - 1) * PerDirection(hidden * directions, hidden)));
        var width = checked(hidden * directions);
        return (RecurrentOutput)output == RecurrentOutput.Sequence
            ? LayerInference.Ok([context.Input[0], width], parameters, TensorLayout.Sequence)
            : LayerInference.Ok([width], parameters);
    }

    /// <summary>One layer, one direction: the input-to-hidden and hidden-to-hidden weights and their two biases.</summary>
    private long PerDirection(long input, long hidden) => checked(Gates * hidden * (input + hidden) + 2 * Gates * hidden);

    /// <summary>PyTorch's names and order (nn.LSTM / nn.GRU), which the runtime's layer registers directly.</summary>
    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer)
    {
        var hidden = layer.Layer.Arguments.Int(HiddenArgument, 0);
        var directions = Bidirectional(layer) ? 2L : 1L;
        var gates = Gates * hidden;
        for (var l = 0; l < Layers(layer); l++)
        {
            var input = l == 0 ? layer.InputShape[1] : hidden * directions;
            foreach (var suffix in directions == 2 ? new[] { "", "_reverse" } : [""])
            {
                yield return ($"weight_ih_l{l}{suffix}", [gates, input]);
                yield return ($"weight_hh_l{l}{suffix}", [gates, hidden]);
                yield return ($"bias_ih_l{l}{suffix}", [gates]);
                yield return ($"bias_hh_l{l}{suffix}", [gates]);
            }
        }
    }

    public override string Describe(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Name}(" + Literal.Join(
            Literal.Of(layer.InputShape[1]),
            Literal.Of(a.Int(HiddenArgument, 0)),
            Layers(layer) != 1 ? "layers=" + Literal.Of(Layers(layer)) : null,
            Bidirectional(layer) ? "bidirectional" : null,
            Dropout(layer) != 0 ? "dropout=" + Literal.Of(Dropout(layer)) : null,
            Output(layer) == RecurrentOutput.Sequence ? "sequence" : "last state") + ")";
    }

    public override string Construct(ResolvedLayer layer) =>
        "new global::DslKd.RecurrentLayer(" + Literal.Join(
            $"global::DslKd.RecurrentCell.{(lstm ? "Lstm" : "Gru")}",
            Literal.Of(layer.InputShape[1]),
            Literal.Of(layer.Layer.Arguments.Int(HiddenArgument, 0)),
            $"global::DslKd.RecurrentOutput.{Output(layer)}",
            "layers: " + Literal.Of(Layers(layer)),
            "bidirectional: " + Literal.Of(Bidirectional(layer)),
            "dropout: " + Literal.Of(Dropout(layer)),
            DeviceAndDtype) + ")";

    private static RecurrentOutput Output(ResolvedLayer layer) => (RecurrentOutput)layer.Layer.Arguments.Int(OutputArgument, 0);

    private static long Layers(ResolvedLayer layer) => layer.Layer.Arguments.Int(LayersArgument, Defaults.Layers);

    private static bool Bidirectional(ResolvedLayer layer) => layer.Layer.Arguments.Bool(BidirectionalArgument, Defaults.Bidirectional);

    private static double Dropout(ResolvedLayer layer) => layer.Layer.Arguments.Real(DropoutArgument, Defaults.Dropout);

    /// <summary>
    /// DKD0004 unless the input is a sequence [T, features]: a sequence layer's output or a model's declared rank-2 input
    /// (read as [T, features]). A map [channels, length] from Conv1d has time last; a vector has no time axis.
    /// </summary>
    internal static LayerInference? RejectNonSequence(LayerContext context, string name)
    {
        if (context.IsSequenceLike) return null;
        if (context.Input.Count == 2)
            return context.RejectInput($"{name} expects a sequence [T, features], but this is a map [channels, length] from Conv1d or 1-d pooling, " +
                                       "whose time axis is the last; put the sequence layers before the convolutions");
        var hint = context.Input.Count == 1 ? " (a vector has no time axis: sequence layers come before [Flatten], a global [PoolOverTime] or a recurrent layer's last state)" : "";
        return context.RejectInput($"{name} expects a sequence [T, features]{hint}");
    }
}

/// <summary>
/// [TransformerEncoder(heads)] on [T, d] -> [T, d], d divisible by the heads. Per layer (PyTorch's
/// nn.TransformerEncoderLayer): in_proj 3d*d + 3d, out_proj d*d + d, linear1 ff*d + ff, linear2 d*ff + d, two LayerNorms
/// 2d each, where ff is FeedForward (4d when 0).
/// </summary>
internal sealed class TransformerEncoderLayer : LayerKind
{
    private const string HeadsArgument = nameof(TransformerEncoderAttribute.Heads);
    private const string FeedForwardArgument = nameof(TransformerEncoderAttribute.FeedForward);
    private const string DropoutArgument = nameof(TransformerEncoderAttribute.Dropout);
    private const string NormFirstArgument = nameof(TransformerEncoderAttribute.NormFirst);
    private const string ActivationArgument = nameof(TransformerEncoderAttribute.Activation);
    private const string LayersArgument = nameof(TransformerEncoderAttribute.Layers);
    private static readonly TransformerEncoderAttribute Defaults = new(1);

    public override string Name => KindOf(nameof(TransformerEncoderAttribute));

    public override LayerInference Infer(LayerContext context)
    {
        var heads = context.Int(HeadsArgument, 0);
        var feedForward = context.Int(FeedForwardArgument, Defaults.FeedForward);
        var dropout = context.Real(DropoutArgument, Defaults.Dropout);
        var activation = context.Int(ActivationArgument, (long)Defaults.Activation);
        var layers = context.Int(LayersArgument, Defaults.Layers);
        if (heads <= 0)
            return context.InvalidArgument(HeadsArgument, $"the number of heads must be positive but is {heads}");
        if (feedForward < 0)
            return context.InvalidArgument(FeedForwardArgument, $"the feed-forward size must be positive (or 0 for 4 times the features) but is {feedForward}");
        if (!ValueRange.Probability.Contains(dropout))
            return context.OutOfRange(DropoutArgument, ValueRange.Probability, dropout, Defaults.Dropout,
                $"the dropout must be {ValueRange.Probability.Describe()} but is {Literal.Of(dropout)}");
        if (!Enum.IsDefined(typeof(FeedForwardActivation), (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, activation))))
            return context.InvalidArgument(ActivationArgument, $"the activation must be FeedForwardActivation.ReLU or FeedForwardActivation.GELU but is {activation}");
        if (layers < 1)
            return context.InvalidArgument(LayersArgument, $"the number of layers must be at least 1 but is {layers}");
        if (RecurrentLayerKind.RejectNonSequence(context, Name) is { } rejected) return rejected;

        var d = context.Input[1];
        if (d % heads != 0)
            return context.InvalidArgument(HeadsArgument, $"the {d} features do not divide into {heads} heads; choose heads that divide {d}");
        var ff = feedForward == 0 ? checked(4 * d) : feedForward;
        var perLayer = checked(3 * d * d + 3 * d + d * d + d + ff * d + ff + d * ff + d + 4 * d);
        return LayerInference.Ok(context.Input, checked(layers * perLayer), TensorLayout.Sequence);
    }

    /// <summary>PyTorch's names (nn.TransformerEncoder of nn.TransformerEncoderLayer), which the runtime's layers register.</summary>
    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer)
    {
        var d = layer.InputShape[1];
        var ff = FeedForward(layer);
        for (var i = 0; i < Layers(layer); i++)
        {
            var prefix = $"layers.{i}.";
            yield return (prefix + "self_attn.in_proj_weight", [3 * d, d]);
            yield return (prefix + "self_attn.in_proj_bias", [3 * d]);
            yield return (prefix + "self_attn.out_proj.weight", [d, d]);
            yield return (prefix + "self_attn.out_proj.bias", [d]);
            yield return (prefix + "linear1.weight", [ff, d]);
            yield return (prefix + "linear1.bias", [ff]);
            yield return (prefix + "linear2.weight", [d, ff]);
            yield return (prefix + "linear2.bias", [d]);
            yield return (prefix + "norm1.weight", [d]);
            yield return (prefix + "norm1.bias", [d]);
            yield return (prefix + "norm2.weight", [d]);
            yield return (prefix + "norm2.bias", [d]);
        }
    }

    public override string Describe(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Name}(" + Literal.Join(
            Literal.Of(layer.InputShape[1]),
            "heads=" + Literal.Of(a.Int(HeadsArgument, 0)),
            "feed_forward=" + Literal.Of(FeedForward(layer)),
            "dropout=" + Literal.Of(Dropout(layer)),
            NormFirst(layer) ? "norm_first" : null,
            Activation(layer) != FeedForwardActivation.ReLU ? Activation(layer).ToString() : null,
            Layers(layer) != 1 ? "layers=" + Literal.Of(Layers(layer)) : null) + ")";
    }

    public override string Construct(ResolvedLayer layer) =>
        "new global::DslKd.TransformerEncoderLayers(" + Literal.Join(
            Literal.Of(layer.InputShape[1]),
            Literal.Of(layer.Layer.Arguments.Int(HeadsArgument, 0)),
            Literal.Of(FeedForward(layer)),
            "dropout: " + Literal.Of(Dropout(layer)),
            "normFirst: " + Literal.Of(NormFirst(layer)),
            $"activation: global::DslKd.FeedForwardActivation.{Activation(layer)}",
            "layers: " + Literal.Of(Layers(layer)),
            DeviceAndDtype) + ")";

    private static long FeedForward(ResolvedLayer layer)
    {
        var declared = layer.Layer.Arguments.Int(FeedForwardArgument, Defaults.FeedForward);
        return declared == 0 ? 4 * layer.InputShape[1] : declared;
    }

    private static double Dropout(ResolvedLayer layer) => layer.Layer.Arguments.Real(DropoutArgument, Defaults.Dropout);

    private static bool NormFirst(ResolvedLayer layer) => layer.Layer.Arguments.Bool(NormFirstArgument, Defaults.NormFirst);

    private static FeedForwardActivation Activation(ResolvedLayer layer) =>
        (FeedForwardActivation)layer.Layer.Arguments.Int(ActivationArgument, (long)Defaults.Activation);

    private static long Layers(ResolvedLayer layer) => layer.Layer.Arguments.Int(LayersArgument, Defaults.Layers);
}

/// <summary>[PositionalEncoding] on [T, d] -> [T, d]: sinusoidal (no parameters) or learned (T x d).</summary>
internal sealed class PositionalEncodingLayerKind : LayerKind
{
    private const string KindArgument = nameof(PositionalEncodingAttribute.Kind);
    private const string DropoutArgument = nameof(PositionalEncodingAttribute.Dropout);
    private static readonly PositionalEncodingAttribute Defaults = new();

    public override string Name => KindOf(nameof(PositionalEncodingAttribute));

    public override LayerInference Infer(LayerContext context)
    {
        var kind = context.Int(KindArgument, (long)Defaults.Kind);
        var dropout = context.Real(DropoutArgument, Defaults.Dropout);
        if (!Enum.IsDefined(typeof(PositionalEncodingKind), (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, kind))))
            return context.InvalidArgument(KindArgument, $"the kind must be PositionalEncodingKind.Sinusoidal or PositionalEncodingKind.Learned but is {kind}");
        if (!ValueRange.Probability.Contains(dropout))
            return context.OutOfRange(DropoutArgument, ValueRange.Probability, dropout, Defaults.Dropout,
                $"the dropout must be {ValueRange.Probability.Describe()} but is {Literal.Of(dropout)}");
        if (RecurrentLayerKind.RejectNonSequence(context, Name) is { } rejected) return rejected;
        var parameters = (PositionalEncodingKind)kind == PositionalEncodingKind.Learned ? checked(context.Input[0] * context.Input[1]) : 0;
        return LayerInference.Ok(context.Input, parameters, TensorLayout.Sequence);
    }

    /// <summary>The learned table is the runtime layer's <c>weight</c>; the sinusoids are a buffer that is not saved.</summary>
    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer) =>
        Kind(layer) == PositionalEncodingKind.Learned ? [("weight", [layer.InputShape[0], layer.InputShape[1]])] : [];

    public override string Describe(ResolvedLayer layer) =>
        $"{Name}(" + Literal.Join(
            Literal.Of(layer.InputShape[0]),
            Literal.Of(layer.InputShape[1]),
            Kind(layer) == PositionalEncodingKind.Learned ? "learned" : "sinusoidal",
            Dropout(layer) != 0 ? "dropout=" + Literal.Of(Dropout(layer)) : null) + ")";

    public override string Construct(ResolvedLayer layer) =>
        "new global::DslKd.PositionalEncodingLayer(" + Literal.Join(
            Literal.Of(layer.InputShape[0]),
            Literal.Of(layer.InputShape[1]),
            $"global::DslKd.PositionalEncodingKind.{Kind(layer)}",
            "dropout: " + Literal.Of(Dropout(layer)),
            DeviceAndDtype) + ")";

    private static PositionalEncodingKind Kind(ResolvedLayer layer) =>
        (PositionalEncodingKind)layer.Layer.Arguments.Int(KindArgument, (long)Defaults.Kind);

    private static double Dropout(ResolvedLayer layer) => layer.Layer.Arguments.Real(DropoutArgument, Defaults.Dropout);
}

/// <summary>
/// [PoolOverTime(pooling)] on [T, d]: the whole sequence -> [d] (padded steps ignored), or with a window k and stride s
/// -> [(T - k) / s + 1, d]. No parameters.
/// </summary>
internal sealed class PoolOverTimeLayer : LayerKind
{
    private const string PoolingArgument = nameof(PoolOverTimeAttribute.Pooling);
    private const string KernelArgument = nameof(PoolOverTimeAttribute.Kernel);
    private const string StrideArgument = nameof(PoolOverTimeAttribute.Stride);

    public override string Name => KindOf(nameof(PoolOverTimeAttribute));

    public override LayerInference Infer(LayerContext context)
    {
        var pooling = context.Int(PoolingArgument, 0);
        var kernel = context.Int(KernelArgument, 0);
        var stride = context.Int(StrideArgument, 0);
        if (!Enum.IsDefined(typeof(TimePooling), (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, pooling))))
            return context.InvalidArgument(PoolingArgument, $"the pooling must be TimePooling.Max or TimePooling.Mean but is {pooling}");
        if (kernel < 0)
            return context.InvalidArgument(KernelArgument, $"the window must be positive (or 0 for the whole sequence) but is {kernel}");
        if (stride < 0)
            return context.InvalidArgument(StrideArgument, $"the stride must be positive (or 0 for the window) but is {stride}");
        if (stride > 0 && kernel == 0)
            return context.InvalidArgument(StrideArgument, "a stride needs a window: set Kernel too, or remove Stride to pool the whole sequence");
        if (context.Input.Count == 2 && context.Layout == TensorLayout.Channels)
            return context.RejectInput($"{Name} pools a sequence [T, features] over its first axis, but this is a map [channels, length] from Conv1d or 1-d pooling; " +
                                       "use [MaxPool1d] or [AvgPool1d] on maps");
        if (RecurrentLayerKind.RejectNonSequence(context, Name) is { } rejected) return rejected;

        var length = context.Input[0];
        var features = context.Input[1];
        if (kernel == 0) return LayerInference.Ok([features]);
        if (kernel > length) return context.Collapse(kernel, length);
        var step = stride == 0 ? kernel : stride;
        return LayerInference.Ok([(length - kernel) / step + 1, features], 0, TensorLayout.Sequence);
    }

    public override string Describe(ResolvedLayer layer)
    {
        var kernel = Kernel(layer);
        return $"{Name}(" + Literal.Join(
            Pooling(layer) == TimePooling.Max ? "max" : "mean",
            kernel > 0 ? "kernel=" + Literal.Of(kernel) : null,
            kernel > 0 && Stride(layer) != kernel ? "stride=" + Literal.Of(Stride(layer)) : null) + ")";
    }

    public override string Construct(ResolvedLayer layer) =>
        $"new global::DslKd.TimePoolingLayer(global::DslKd.TimePooling.{Pooling(layer)}, kernel: {Literal.Of(Kernel(layer))}, stride: {Literal.Of(Stride(layer))})";

    private static TimePooling Pooling(ResolvedLayer layer) => (TimePooling)layer.Layer.Arguments.Int(PoolingArgument, 0);

    private static long Kernel(ResolvedLayer layer) => layer.Layer.Arguments.Int(KernelArgument, 0);

    // The stride as the layer runs: the window when not given (0), 0 when the whole sequence is pooled.
    private static long Stride(ResolvedLayer layer)
    {
        var stride = layer.Layer.Arguments.Int(StrideArgument, 0);
        return stride == 0 ? Kernel(layer) : stride;
    }
}
