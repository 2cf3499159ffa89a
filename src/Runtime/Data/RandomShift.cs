using System;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Random-translation augmentation for image batches, the jitter Hinton et al. (2015) used on MNIST (shifts of up
/// to 2 pixels): each image moves by its own random whole-pixel offset, and pixels moved in from outside are zero.
/// The (2 max + 1)^2 offsets are the variants of an <see cref="IEnumerableAugmentation"/>, so the teacher cache can
/// hold the teacher's outputs for all of them.
/// </summary>
public sealed class RandomShift : EnumerableImageAugmentation
{
    private readonly int _maxPixels;

    /// <summary>Shifts of up to <paramref name="maxPixels"/> pixels in each direction.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is negative.</exception>
    public RandomShift(int maxPixels = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPixels);
        _maxPixels = maxPixels;
    }

    /// <summary>
    /// An augmentation for batches [B, C, H, W] that shifts every image by an independent random offset in
    /// [-<paramref name="maxPixels"/>, <paramref name="maxPixels"/>] rows and columns, zero-filling the uncovered border.
    /// Offsets come from TorchSharp's global generator, so a run seeded with <c>torch.manual_seed</c> is reproducible.
    /// Usable as <see cref="TrainingOptions.Augmentation"/>; to combine shifts with <see cref="TrainingOptions.TeacherCachePath"/>,
    /// set <c>EnumerableAugmentation = new RandomShift(maxPixels)</c> instead, whose variants the cache enumerates.
    /// </summary>
    /// <param name="maxPixels">The largest shift in each direction; 0 returns batches unchanged.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is negative.</exception>
    public static Func<Tensor, Tensor> Create(int maxPixels = 2) => new RandomShift(maxPixels).Augment;

    /// <inheritdoc />
    public override int Variants => (2 * _maxPixels + 1) * (2 * _maxPixels + 1);

    /// <inheritdoc />
    public override string Identity => string.Create(CultureInfo.InvariantCulture, $"RandomShift({_maxPixels})");

    /// <inheritdoc />
    public override Tensor Apply(Tensor images, Tensor variants)
    {
        RequireImages(images);
        if (_maxPixels == 0) return images;

        var (batch, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);
        using var scope = NewDisposeScope();
        // Variant v is the offset (v / side - max rows down, v % side - max columns right).
        var side = 2 * _maxPixels + 1;
        var onDevice = variants.to(images.device);
        var down = onDevice.div(side, rounding_mode: RoundingMode.floor).sub(_maxPixels).unsqueeze(1);
        var right = onDevice.remainder(side).sub(_maxPixels).unsqueeze(1);

        // In the zero-padded image, output pixel (i, j) of an image shifted by (down, right) reads (i + max - down, j + max - right).
        var padded = nn.functional.pad(images, [_maxPixels, _maxPixels, _maxPixels, _maxPixels]);
        var sourceRows = arange(height, dtype: ScalarType.Int64, device: images.device).unsqueeze(0).add(_maxPixels).sub(down);
        var sourceColumns = arange(width, dtype: ScalarType.Int64, device: images.device).unsqueeze(0).add(_maxPixels).sub(right);
        var rowsShifted = padded.gather(2, sourceRows.view(batch, 1, height, 1).expand(batch, channels, height, width + 2 * _maxPixels));
        var shifted = rowsShifted.gather(3, sourceColumns.view(batch, 1, 1, width).expand(batch, channels, height, width));
        return shifted.MoveToOuterDisposeScope();
    }
}
