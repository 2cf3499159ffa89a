using System;
using System.Globalization;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// [TransformerEncoder]: <c>layers</c> identical Transformer encoder layers on <c>[batch, T, d]</c> ->
/// <c>[batch, T, d]</c>, as PyTorch's <c>nn.TransformerEncoder(nn.TransformerEncoderLayer(d, heads, feedForward, dropout,
/// activation, batch_first=True, norm_first=normFirst), layers)</c> (no final norm), with the same parameters, each
/// layer initialised as <c>nn.TransformerEncoderLayer</c> is (independently: PyTorch's encoder copies one layer, so its
/// layers start equal), and the same state_dict keys: <c>layers.{i}.self_attn.in_proj_weight</c>, <c>...in_proj_bias</c>,
/// <c>...self_attn.out_proj.weight</c>, <c>...out_proj.bias</c>, <c>...linear1.weight</c>, <c>...linear1.bias</c>,
/// <c>...linear2.weight</c>, <c>...linear2.bias</c>, <c>...norm1.weight</c>, <c>...norm1.bias</c>, <c>...norm2.weight</c>,
/// <c>...norm2.bias</c>. When a <see cref="SequenceMask"/> fits the input, padded positions are ignored as keys
/// (<c>src_key_padding_mask</c>); a row that is all padding attends over its padding instead of giving NaN.
/// </summary>
/// <remarks>Written here rather than taken from TorchSharp, whose encoder layer has no norm-first option.</remarks>
public sealed class TransformerEncoderLayers : nn.Module<Tensor, Tensor>, ILayerSettings
{
#pragma warning disable IDE1006 // PyTorch's name: it is the state_dict prefix
    private readonly ModuleList<EncoderLayer> layers;
#pragma warning restore IDE1006

    /// <summary>Creates the layers.</summary>
    /// <param name="dimensions">Features per step, d; must divide by <paramref name="heads"/>.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="feedForward">Hidden size of the feed-forward network.</param>
    /// <param name="dropout">Dropout on the attention weights, in the feed-forward network and on both residual branches, in [0, 1).</param>
    /// <param name="normFirst">Normalise before each sub-layer (pre-norm) instead of after the residual add (post-norm, PyTorch's default).</param>
    /// <param name="activation">The feed-forward activation.</param>
    /// <param name="layers">Identical layers stacked.</param>
    /// <param name="device">Where the parameters live (default: CPU).</param>
    /// <param name="dtype">Their element type (default: float32).</param>
    public TransformerEncoderLayers(long dimensions, long heads, long feedForward, double dropout = 0.1, bool normFirst = false,
        FeedForwardActivation activation = FeedForwardActivation.ReLU, long layers = 1, Device? device = null, ScalarType? dtype = null)
        : base(nameof(TransformerEncoderLayers))
    {
        if (dimensions <= 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The dimensions must be positive.");
        if (heads <= 0 || dimensions % heads != 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"The heads must divide the {dimensions} dimensions.");
        if (feedForward <= 0) throw new ArgumentOutOfRangeException(nameof(feedForward), feedForward, "The feed-forward size must be positive.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Not a feed-forward activation.");
        if (layers <= 0) throw new ArgumentOutOfRangeException(nameof(layers), layers, "There must be at least one layer.");
        (Dimensions, Heads, FeedForward, Dropout, NormFirst, Activation, Layers) = (dimensions, heads, feedForward, dropout, normFirst, activation, layers);
        this.layers = new ModuleList<EncoderLayer>(Enumerable.Range(0, checked((int)layers))
            .Select(_ => new EncoderLayer(dimensions, heads, feedForward, dropout, normFirst, activation, device, dtype)).ToArray());
        RegisterComponents();
    }

    /// <summary>Features per step.</summary>
    public long Dimensions { get; }

    /// <summary>Attention heads.</summary>
    public long Heads { get; }

    /// <summary>Hidden size of the feed-forward network.</summary>
    public long FeedForward { get; }

    /// <summary>Dropout probability.</summary>
    public double Dropout { get; }

    /// <summary>Pre-norm (true) or post-norm (false).</summary>
    public bool NormFirst { get; }

    /// <summary>The feed-forward activation.</summary>
    public FeedForwardActivation Activation { get; }

    /// <summary>Layers stacked.</summary>
    public long Layers { get; }

    string ILayerSettings.Settings => string.Create(CultureInfo.InvariantCulture,
        $"Dimensions={Dimensions}, Heads={Heads}, FeedForward={FeedForward}, Dropout={Dropout:R}, NormFirst={NormFirst}, Activation={Activation}, Layers={Layers}");

    /// <summary>Runs the layers on <c>[batch, T, d]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, T, d]</c>.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3 || input.shape[2] != Dimensions)
            throw new ArgumentException($"A Transformer encoder of {Dimensions} dimensions reads [batch, T, {Dimensions}], but got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var keyPadding = SequenceMask.For(input);
        var x = input;
        foreach (var layer in layers) x = layer.Forward(x, keyPadding);
        return x.MoveToOuterDisposeScope();
    }
}
