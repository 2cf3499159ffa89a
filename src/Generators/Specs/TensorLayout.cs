namespace DslKd.Generators.Specs;

/// <summary>
/// What the axes of a per-sample tensor mean, where the shape alone does not say: a rank-2 tensor is a sequence
/// <c>[T, features]</c> (time first) after a sequence layer and a map <c>[channels, length]</c> after Conv1d or 1-d
/// pooling. Layers that read only one of the two check it, so a Linear never silently acts on a map's length.
/// </summary>
internal enum TensorLayout
{
    /// <summary>A vector, a map <c>[C, H, W]</c>, or a model's declared input of rank 2 (which may be either).</summary>
    Plain,
    /// <summary><c>[channels, length]</c>, from Conv1d, BatchNorm1d on maps, MaxPool1d and AvgPool1d.</summary>
    Channels,
    /// <summary><c>[T, features]</c>, from Embedding, LSTM, GRU, TransformerEncoder, PositionalEncoding, PoolOverTime with a window.</summary>
    Sequence,
    /// <summary>Int64 token ids <c>[T]</c>: the input of a model whose first layer is an Embedding.</summary>
    Tokens,
}
