namespace DslKd;

/// <summary>
/// Looks up a learned vector per token: integer tokens <c>[T]</c> -> <c>[T, Dimensions]</c>. Only the first layer of a
/// model can be an embedding, and a model that starts with one takes int64 token ids as input.
/// </summary>
public sealed class EmbeddingAttribute(int vocabulary, int dimensions) : LayerAttribute
{
    /// <summary>Number of distinct tokens: ids run from 0 to <c>Vocabulary - 1</c>.</summary>
    public int Vocabulary { get; } = vocabulary;
    /// <summary>Length of each token's vector.</summary>
    public int Dimensions { get; } = dimensions;
    /// <summary>
    /// The id that marks padding, or -1 (the default) for none. Its vector stays zero, and the layers after it that look
    /// across time (recurrent layers, attention, pooling over time) ignore padded positions.
    /// </summary>
    public int PaddingIndex { get; set; } = -1;
}

/// <summary>Long short-term memory over a sequence <c>[T, features]</c>, batch first, as PyTorch's <c>nn.LSTM</c>.</summary>
public sealed class LSTMAttribute(int hiddenSize, RecurrentOutput output) : LayerAttribute
{
    /// <summary>Size of the hidden state of each direction.</summary>
    public int HiddenSize { get; } = hiddenSize;
    /// <summary>What the layer passes on: every step's output <c>[T, h]</c> or the last step's hidden state <c>[h]</c>.</summary>
    public RecurrentOutput Output { get; } = output;
    /// <summary>Stacked recurrent layers (default 1).</summary>
    public int Layers { get; set; } = 1;
    /// <summary>Runs a second pass from the end; outputs then have <c>2 * HiddenSize</c> features (default false).</summary>
    public bool Bidirectional { get; set; }
    /// <summary>Dropout between stacked layers, in [0, 1) (default 0; only used when <see cref="Layers"/> &gt; 1).</summary>
    public double Dropout { get; set; }
}

/// <summary>Gated recurrent unit over a sequence <c>[T, features]</c>, batch first, as PyTorch's <c>nn.GRU</c>.</summary>
public sealed class GRUAttribute(int hiddenSize, RecurrentOutput output) : LayerAttribute
{
    /// <summary>Size of the hidden state of each direction.</summary>
    public int HiddenSize { get; } = hiddenSize;
    /// <summary>What the layer passes on: every step's output <c>[T, h]</c> or the last step's hidden state <c>[h]</c>.</summary>
    public RecurrentOutput Output { get; } = output;
    /// <summary>Stacked recurrent layers (default 1).</summary>
    public int Layers { get; set; } = 1;
    /// <summary>Runs a second pass from the end; outputs then have <c>2 * HiddenSize</c> features (default false).</summary>
    public bool Bidirectional { get; set; }
    /// <summary>Dropout between stacked layers, in [0, 1) (default 0; only used when <see cref="Layers"/> &gt; 1).</summary>
    public double Dropout { get; set; }
}

/// <summary>
/// Transformer encoder layers (self-attention, then a feed-forward network, each with a residual connection and layer
/// normalisation) on <c>[T, d]</c> -> <c>[T, d]</c>, as PyTorch's <c>nn.TransformerEncoderLayer</c> with batch_first.
/// </summary>
public sealed class TransformerEncoderAttribute(int heads) : LayerAttribute
{
    /// <summary>Attention heads; the feature size must divide by it.</summary>
    public int Heads { get; } = heads;
    /// <summary>Hidden size of the feed-forward network; 0 (the default) means 4 times the feature size.</summary>
    public int FeedForward { get; set; }
    /// <summary>Dropout in attention and feed-forward, in [0, 1) (default 0.1, as PyTorch).</summary>
    public double Dropout { get; set; } = 0.1;
    /// <summary>Normalise before each sub-layer (pre-norm) instead of after it (post-norm, PyTorch's default; default false).</summary>
    public bool NormFirst { get; set; }
    /// <summary>The feed-forward activation: ReLU (default, as PyTorch) or GELU.</summary>
    public FeedForwardActivation Activation { get; set; } = FeedForwardActivation.ReLU;
    /// <summary>Identical layers stacked (default 1).</summary>
    public int Layers { get; set; } = 1;
}

/// <summary>Adds position information to <c>[T, d]</c>: fixed sinusoids (Vaswani et al. 2017) or a learned table of <c>T x d</c>.</summary>
public sealed class PositionalEncodingAttribute : LayerAttribute
{
    /// <summary>Sinusoidal (default, no parameters) or learned.</summary>
    public PositionalEncodingKind Kind { get; set; } = PositionalEncodingKind.Sinusoidal;
    /// <summary>Dropout after adding the encoding, in [0, 1) (default 0).</summary>
    public double Dropout { get; set; }
}

/// <summary>
/// Pools a sequence <c>[T, d]</c> over time. Without <see cref="Kernel"/> it reduces the whole sequence to <c>[d]</c>
/// (padded positions ignored); with one it pools windows: <c>[T, d]</c> -> <c>[(T - Kernel) / Stride + 1, d]</c>.
/// </summary>
public sealed class PoolOverTimeAttribute(TimePooling pooling) : LayerAttribute
{
    /// <summary>Maximum or mean.</summary>
    public TimePooling Pooling { get; } = pooling;
    /// <summary>Window length; 0 (the default) pools the whole sequence.</summary>
    public int Kernel { get; set; }
    /// <summary>Stride of the windows; 0 (the default) means equal to <see cref="Kernel"/>.</summary>
    public int Stride { get; set; }
}

/// <summary>1-d max pooling over <c>[channels, length]</c> (the layout of <see cref="Conv1dAttribute"/>), as PyTorch's <c>nn.MaxPool1d</c>.</summary>
public sealed class MaxPool1dAttribute(int kernel) : LayerAttribute
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Stride; 0 (the default) means equal to <see cref="Kernel"/>, as in PyTorch.</summary>
    public int Stride { get; set; }
    /// <summary>Implicit padding on each side, at most half the window (default 0).</summary>
    public int Padding { get; set; }
}

/// <summary>1-d average pooling over <c>[channels, length]</c> (the layout of <see cref="Conv1dAttribute"/>), as PyTorch's <c>nn.AvgPool1d</c>.</summary>
public sealed class AvgPool1dAttribute(int kernel) : LayerAttribute
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Stride; 0 (the default) means equal to <see cref="Kernel"/>, as in PyTorch.</summary>
    public int Stride { get; set; }
    /// <summary>Zero padding on each side, at most half the window (default 0).</summary>
    public int Padding { get; set; }
}
