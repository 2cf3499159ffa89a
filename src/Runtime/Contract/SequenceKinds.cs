namespace DslKd;

/// <summary>What a recurrent layer (<see cref="LSTMAttribute"/>, <see cref="GRUAttribute"/>) passes to the next layer.</summary>
public enum RecurrentOutput
{
    /// <summary>The top layer's output at every step, <c>[T, h]</c> (<c>[T, 2h]</c> when bidirectional); zero at padded steps.</summary>
    Sequence,
    /// <summary>
    /// The top layer's hidden state after the last (non-padded) step, <c>[h]</c>; when bidirectional, the forward
    /// direction's after the last step joined with the backward direction's after the first, <c>[2h]</c>.
    /// </summary>
    LastState,
}

/// <summary>How <see cref="PoolOverTimeAttribute"/> combines the steps of a window.</summary>
public enum TimePooling
{
    /// <summary>The largest value of each feature.</summary>
    Max,
    /// <summary>The mean of each feature.</summary>
    Mean,
}

/// <summary>The position information <see cref="PositionalEncodingAttribute"/> adds.</summary>
public enum PositionalEncodingKind
{
    /// <summary>Fixed sines and cosines of geometrically spaced frequencies; no parameters.</summary>
    Sinusoidal,
    /// <summary>A learned vector per position, <c>T x d</c> parameters.</summary>
    Learned,
}

/// <summary>The activation inside a Transformer encoder layer's feed-forward network.</summary>
public enum FeedForwardActivation
{
    /// <summary>max(0, x), PyTorch's default.</summary>
    ReLU,
    /// <summary>Gaussian error linear unit (exact, erf form).</summary>
    GELU,
}
