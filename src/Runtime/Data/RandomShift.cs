using System;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Random-translation augmentation for image batches, the jitter Hinton et al. (2015) used on MNIST (shifts of up
/// to 2 pixels): each image moves by its own random whole-pixel offset, and pixels moved in from outside are zero.
/// </summary>
public static class RandomShift
{
    /// <summary>
    /// An augmentation for batches [B, C, H, W] that shifts every image by an independent random offset in
    /// [-<paramref name="maxPixels"/>, <paramref name="maxPixels"/>] rows and columns, zero-filling the uncovered border.
    /// Offsets come from TorchSharp's global generator, so a run seeded with <c>torch.manual_seed</c> is reproducible.
    /// Usable as <see cref="TrainingOptions.Augmentation"/>.
    /// </summary>
    /// <param name="maxPixels">The largest shift in each direction; 0 returns batches unchanged.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is negative.</exception>
    public static Func<Tensor, Tensor> Create(int maxPixels = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPixels);
        return images => Shift(images, maxPixels);
    }

    private static Tensor Shift(Tensor images, int maxPixels)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"RandomShift expects image batches [B, C, H, W], but got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (maxPixels == 0) return images;

        var (batch, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);
        using var scope = NewDisposeScope();
        // Drawn on the CPU whatever the images' device, so the same seed gives the same shifts everywhere.
        var offsets = randint(-maxPixels, maxPixels + 1, [2, batch], dtype: ScalarType.Int64).to(images.device);
        var (down, right) = (offsets[0].unsqueeze(1), offsets[1].unsqueeze(1));

        // In the zero-padded image, output pixel (i, j) of an image shifted by (down, right) reads (i + max - down, j + max - right).
        var padded = nn.functional.pad(images, [maxPixels, maxPixels, maxPixels, maxPixels]);
        var sourceRows = arange(height, dtype: ScalarType.Int64, device: images.device).unsqueeze(0).add(maxPixels).sub(down);
        var sourceColumns = arange(width, dtype: ScalarType.Int64, device: images.device).unsqueeze(0).add(maxPixels).sub(right);
        var rowsShifted = padded.gather(2, sourceRows.view(batch, 1, height, 1).expand(batch, channels, height, width + 2 * maxPixels));
        var shifted = rowsShifted.gather(3, sourceColumns.view(batch, 1, 1, width).expand(batch, channels, height, width));
        return shifted.MoveToOuterDisposeScope();
    }
}
