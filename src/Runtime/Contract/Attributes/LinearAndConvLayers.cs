namespace DslKd;

/// <summary>Fully connected layer <c>y = x W^T + b</c> on a vector <c>[features]</c> (put <see cref="FlattenAttribute"/> before it for maps).</summary>
public sealed class LinearAttribute(int outFeatures) : LayerAttribute
{
    /// <summary>Number of output features.</summary>
    public int OutFeatures { get; } = outFeatures;
    /// <summary>Whether the layer learns an additive bias (default true).</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>1-d convolution over <c>[channels, length]</c>. Shape rule as in PyTorch.</summary>
public sealed class Conv1dAttribute(int outChannels) : LayerAttribute
{
    /// <summary>Number of output channels.</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>Kernel size (required).</summary>
    public int Kernel { get; set; }
    /// <summary>Stride (default 1).</summary>
    public int Stride { get; set; } = 1;
    /// <summary>Zero padding on each side (default 0).</summary>
    public int Padding { get; set; }
    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; set; } = 1;
    /// <summary>Number of channel groups; input and output channels must both divide by it (default 1).</summary>
    public int Groups { get; set; } = 1;
    /// <summary>Whether the layer learns an additive bias (default true).</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>2-d convolution over <c>[channels, height, width]</c> with a square kernel. Shape rule as in PyTorch.</summary>
public sealed class Conv2dAttribute(int outChannels) : LayerAttribute
{
    /// <summary>Number of output channels.</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>Kernel size (required).</summary>
    public int Kernel { get; set; }
    /// <summary>Stride (default 1).</summary>
    public int Stride { get; set; } = 1;
    /// <summary>Zero padding on each side (default 0).</summary>
    public int Padding { get; set; }
    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; set; } = 1;
    /// <summary>Number of channel groups; input and output channels must both divide by it (default 1).</summary>
    public int Groups { get; set; } = 1;
    /// <summary>Whether the layer learns an additive bias (default true).</summary>
    public bool Bias { get; set; } = true;
}
