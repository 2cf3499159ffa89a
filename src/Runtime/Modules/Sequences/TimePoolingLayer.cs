using System;
using System.Globalization;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// [PoolOverTime]: pools <c>[batch, T, d]</c> over time. Global (kernel 0): the maximum or mean of each feature over the
/// steps, <c>[batch, d]</c>, ignoring padded steps when a <see cref="SequenceMask"/> fits the input (a row that is all
/// padding gives zeros). Windowed: plain max or average pooling over the time axis, <c>[batch, (T - kernel) / stride + 1, d]</c>
/// (as <c>nn.MaxPool1d</c> / <c>nn.AvgPool1d</c> on the transposed input; padding is not masked there).
/// </summary>
public sealed class TimePoolingLayer : nn.Module<Tensor, Tensor>, ILayerSettings
{
    /// <summary>Creates the pooling.</summary>
    /// <param name="pooling">Maximum or mean.</param>
    /// <param name="kernel">Window length; 0 pools the whole sequence.</param>
    /// <param name="stride">Window stride; 0 means equal to <paramref name="kernel"/>.</param>
    public TimePoolingLayer(TimePooling pooling, long kernel = 0, long stride = 0) : base(nameof(TimePoolingLayer))
    {
        if (!Enum.IsDefined(pooling)) throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Not a time pooling.");
        if (kernel < 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "The kernel must be positive, or 0 to pool the whole sequence.");
        if (stride < 0 || (kernel == 0 && stride != 0))
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be positive, or 0 for the kernel's length; a global pooling (kernel 0) has none.");
        (Pooling, Kernel, Stride) = (pooling, kernel, stride == 0 ? kernel : stride);
    }

    /// <summary>Maximum or mean.</summary>
    public TimePooling Pooling { get; }

    /// <summary>Window length; 0 for the whole sequence.</summary>
    public long Kernel { get; }

    /// <summary>Window stride (the kernel's length unless given); 0 for a global pooling.</summary>
    public long Stride { get; }

    string ILayerSettings.Settings => string.Create(CultureInfo.InvariantCulture, $"Pooling={Pooling}, Kernel={Kernel}, Stride={Stride}");

    /// <summary>Pools <c>[batch, T, d]</c> over T.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, T, d]</c>, or is shorter than the window.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3)
            throw new ArgumentException($"Pooling over time reads [batch, T, features], but got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        return (Kernel == 0 ? Global(input) : Windowed(input)).MoveToOuterDisposeScope();
    }

    private Tensor Global(Tensor input)
    {
        var mask = SequenceMask.For(input);
        if (mask is null) return Pooling == TimePooling.Max ? input.amax([1]) : input.mean([1]);
        var padded = mask.unsqueeze(-1);                       // [batch, T, 1]
        var empty = mask.all(1, keepdim: true);                // [batch, 1]: nothing to pool
        if (Pooling == TimePooling.Max)
            return input.masked_fill(padded, double.NegativeInfinity).amax([1]).masked_fill(empty, 0);
        var counts = mask.logical_not().sum(1, keepdim: true, type: input.dtype).clamp_min(1);
        return input.masked_fill(padded, 0).sum(1) / counts;
    }

    private Tensor Windowed(Tensor input)
    {
        if (input.shape[1] < Kernel)
            throw new ArgumentException($"Pooling windows of {Kernel} steps need at least {Kernel} steps, but the input has {input.shape[1]}.", nameof(input));
        var channels = input.transpose(1, 2);                  // [batch, d, T]: the layout of 1-d pooling
        var pooled = Pooling == TimePooling.Max
            ? nn.functional.max_pool1d(channels, Kernel, Stride)
            : nn.functional.avg_pool1d(channels, Kernel, Stride);
        return pooled.transpose(1, 2);
    }
}
