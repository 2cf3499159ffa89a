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
    /// <summary>A convolution whose width follows its input: set <see cref="Expansion"/> or <see cref="Depthwise"/>.</summary>
    public Conv1dAttribute() : this(0) { }

    /// <summary>Number of output channels (0 when <see cref="Expansion"/> or <see cref="Depthwise"/> sizes it).</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>
    /// Output channels as a multiple of the input's: <c>[Conv1d(Kernel = 1, Expansion = 6)]</c> widens 16 channels to 96
    /// and, in a later repeat of the unit, 24 to 144 (MobileNetV2's expansion layer). 0 (default): not used.
    /// </summary>
    public int Expansion { get; set; }
    /// <summary>
    /// Depthwise: one group per input channel (Groups = input channels) and, unless OutChannels says otherwise, as many
    /// output channels as input channels (default false).
    /// </summary>
    public bool Depthwise { get; set; }
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
    /// <summary>A convolution whose width follows its input: set <see cref="Expansion"/> or <see cref="Depthwise"/>.</summary>
    public Conv2dAttribute() : this(0) { }

    /// <summary>Number of output channels (0 when <see cref="Expansion"/> or <see cref="Depthwise"/> sizes it).</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>
    /// Output channels as a multiple of the input's: <c>[Conv2d(Kernel = 1, Expansion = 6)]</c> widens 16 channels to 96
    /// and, in a later repeat of the unit, 24 to 144 (MobileNetV2's expansion layer). 0 (default): not used.
    /// </summary>
    public int Expansion { get; set; }
    /// <summary>
    /// Depthwise: one group per input channel (Groups = input channels) and, unless OutChannels says otherwise, as many
    /// output channels as input channels (default false).
    /// </summary>
    public bool Depthwise { get; set; }
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
