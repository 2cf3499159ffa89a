namespace DslKd;

/// <summary>2-d max pooling over <c>[channels, height, width]</c> with a square window.</summary>
public sealed class MaxPool2dAttribute(int kernel) : LayerAttribute
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Stride; 0 (the default) means equal to <see cref="Kernel"/>, as in PyTorch.</summary>
    public int Stride { get; set; }
    /// <summary>Implicit padding on each side, at most half the window (default 0).</summary>
    public int Padding { get; set; }
}

/// <summary>2-d average pooling over <c>[channels, height, width]</c> with a square window.</summary>
public sealed class AvgPool2dAttribute(int kernel) : LayerAttribute
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Stride; 0 (the default) means equal to <see cref="Kernel"/>, as in PyTorch.</summary>
    public int Stride { get; set; }
    /// <summary>Zero padding on each side, at most half the window (default 0).</summary>
    public int Padding { get; set; }
}

/// <summary>Averages <c>[channels, height, width]</c> down to <c>[channels, Height, Width]</c> whatever the input size.</summary>
public sealed class AdaptiveAvgPool2dAttribute : LayerAttribute
{
    /// <summary>Pools to a square <paramref name="size"/> x <paramref name="size"/> map.</summary>
    public AdaptiveAvgPool2dAttribute(int size) : this(size, size) { }

    /// <summary>Pools to a <paramref name="height"/> x <paramref name="width"/> map.</summary>
    public AdaptiveAvgPool2dAttribute(int height, int width)
    {
        Height = height;
        Width = width;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }
    /// <summary>Output width.</summary>
    public int Width { get; }
}
