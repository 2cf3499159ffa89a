namespace DslKd;

/// <summary>Batch normalisation over the channels of <c>[features]</c> or <c>[channels, length]</c>.</summary>
public sealed class BatchNorm1dAttribute : LayerAttribute
{
    /// <summary>Added to the variance for numerical stability (default 1e-5).</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Weight of the current batch in the running statistics (default 0.1).</summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Batch normalisation over the channels of <c>[channels, height, width]</c>.</summary>
public sealed class BatchNorm2dAttribute : LayerAttribute
{
    /// <summary>Added to the variance for numerical stability (default 1e-5).</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Weight of the current batch in the running statistics (default 0.1).</summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Layer normalisation over the last dimension, with a learned scale and shift.</summary>
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance for numerical stability (default 1e-5).</summary>
    public double Eps { get; set; } = 1e-5;
}

/// <summary>Zeroes each element with probability <see cref="Probability"/> during training.</summary>
public sealed class DropoutAttribute(double probability = 0.5) : LayerAttribute
{
    /// <summary>Drop probability, in [0, 1).</summary>
    public double Probability { get; } = probability;
}

/// <summary>Flattens a sample to a vector <c>[product of its dimensions]</c>.</summary>
public sealed class FlattenAttribute : LayerAttribute;
