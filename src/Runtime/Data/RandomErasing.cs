using System;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>What <see cref="RandomErasing"/> writes into the rectangle it erases.</summary>
public enum ErasingFill
{
    /// <summary>Standard-normal noise, a value per pixel and channel: on normalised inputs, values like the data's own spread (Zhong et al.'s default).</summary>
    Random,
    /// <summary>Zeros: on normalised inputs, the data set's mean pixel.</summary>
    Zero,
}

/// <summary>
/// Random erasing (Zhong et al. 2020, "Random Erasing Data Augmentation", AAAI): with probability <c>p</c> an image gets
/// one rectangle of random size, shape and place overwritten, with noise or zeros, so a model cannot lean on any one part
/// of the object. The rectangle's area is a fraction in [<c>minArea</c>, <c>maxArea</c>] of the image (default
/// [0.02, 0.33]) and its aspect ratio height / width is in [<c>minAspect</c>, <c>maxAspect</c>] (default [0.3, 3.3]),
/// drawn log-uniformly so tall and wide are equally likely (as torchvision's <c>RandomErasing</c>); a size that does not
/// fit, or whose whole-pixel rounding leaves those ranges, is drawn again, up to 10 times, after which that image is left
/// as it is (on 28x28 images that practically never happens). Every channel of an image is erased in the same rectangle.
/// </summary>
/// <remarks>
/// Its rectangles cannot be enumerated, so it is a function augmentation (<see cref="TrainingOptions.Augmentation"/>):
/// in distillation the teacher runs online on the same erased batch, without <see cref="TrainingOptions.TeacherCachePath"/>.
/// Random numbers come from TorchSharp's global generator, so a run seeded with <c>torch.manual_seed</c> (as every
/// training run is, with <see cref="TrainingOptions.Seed"/>) erases the same rectangles; it draws the same amount of
/// random numbers for every batch of a given shape, whatever the images hold.
/// </remarks>
public sealed class RandomErasing
{
    /// <summary>How often a size is drawn again before an image is left unerased.</summary>
    public const int Attempts = 10;

    private readonly double _probability;
    private readonly double _minArea;
    private readonly double _maxArea;
    private readonly double _minAspect;
    private readonly double _maxAspect;
    private readonly ErasingFill _fill;

    /// <summary>Erases a rectangle in each image with probability <paramref name="probability"/>.</summary>
    /// <param name="probability">The chance that an image is erased, in [0, 1]; 0 returns batches unchanged.</param>
    /// <param name="minArea">The smallest area of the rectangle, as a fraction of the image's, in (0, 1].</param>
    /// <param name="maxArea">The largest, in [<paramref name="minArea"/>, 1].</param>
    /// <param name="minAspect">The smallest height / width of the rectangle, positive.</param>
    /// <param name="maxAspect">The largest, at least <paramref name="minAspect"/>.</param>
    /// <param name="fill">What the rectangle is filled with.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public RandomErasing(double probability = 0.5, double minArea = 0.02, double maxArea = 0.33, double minAspect = 0.3, double maxAspect = 3.3,
        ErasingFill fill = ErasingFill.Random)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The probability of erasing must be in [0, 1].");
        if (!(minArea > 0 && minArea <= 1))
            throw new ArgumentOutOfRangeException(nameof(minArea), minArea, "The smallest erased area must be a fraction of the image in (0, 1].");
        if (!(maxArea >= minArea && maxArea <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxArea), maxArea, $"The largest erased area must be in [{Format(minArea)} (the smallest), 1].");
        if (!(minAspect > 0 && double.IsFinite(minAspect)))
            throw new ArgumentOutOfRangeException(nameof(minAspect), minAspect, "The smallest aspect ratio (height / width) must be positive.");
        if (!(maxAspect >= minAspect && double.IsFinite(maxAspect)))
            throw new ArgumentOutOfRangeException(nameof(maxAspect), maxAspect, $"The largest aspect ratio must be at least the smallest ({Format(minAspect)}).");
        if (!Enum.IsDefined(fill))
            throw new ArgumentOutOfRangeException(nameof(fill), fill, "Unknown fill.");
        (_probability, _minArea, _maxArea, _minAspect, _maxAspect, _fill) = (probability, minArea, maxArea, minAspect, maxAspect, fill);
    }

    /// <summary>
    /// An augmentation for batches [B, C, H, W] that erases a random rectangle of each image with probability
    /// <paramref name="probability"/> (see <see cref="RandomErasing"/>), for <see cref="TrainingOptions.Augmentation"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range (<see cref="RandomErasing(double, double, double, double, double, ErasingFill)"/>).</exception>
    public static Func<Tensor, Tensor> Create(double probability = 0.5, double minArea = 0.02, double maxArea = 0.33, double minAspect = 0.3, double maxAspect = 3.3,
        ErasingFill fill = ErasingFill.Random) =>
        new RandomErasing(probability, minArea, maxArea, minAspect, maxAspect, fill).Augment;

    /// <summary>The chance that an image is erased.</summary>
    public double Probability => _probability;

    /// <summary>The settings, in words: "RandomErasing(p=0.5, area=0.02-0.33, aspect=0.3-3.3, fill=random)".</summary>
    public string Identity => string.Create(CultureInfo.InvariantCulture,
        $"RandomErasing(p={Format(_probability)}, area={Format(_minArea)}-{Format(_maxArea)}, aspect={Format(_minAspect)}-{Format(_maxAspect)}, fill={_fill.ToString().ToLowerInvariant()})");

    /// <inheritdoc />
    public override string ToString() => Identity;

    /// <summary>The batch <paramref name="images"/> [B, C, H, W] with a rectangle erased in each image chosen with the probability.</summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not a batch of images [B, C, H, W].</exception>
    public Tensor Augment(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
            throw new ArgumentException($"{nameof(RandomErasing)} expects image batches [B, C, H, W], but got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (_probability == 0) return images;

        var (batch, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        var device = images.device;
        using var scope = NewDisposeScope();
        // Every draw is made for every image (erased or not, whatever attempt fits), so the amount of random numbers a
        // batch takes depends on its shape only: runs with the same seed erase the same rectangles.
        var erase = rand(batch, dtype: ScalarType.Float64).lt(_probability);
        var area = rand(batch, Attempts, dtype: ScalarType.Float64).mul(_maxArea - _minArea).add(_minArea).mul(height * width);
        var (logMin, logMax) = (Math.Log(_minAspect), Math.Log(_maxAspect));
        var aspect = rand(batch, Attempts, dtype: ScalarType.Float64).mul(logMax - logMin).add(logMin).exp();
        var heights = area.mul(aspect).sqrt().round();
        var widths = area.div(aspect).sqrt().round();
        var areaFraction = heights.mul(widths).div(height * width);
        var aspects = heights.div(widths.clamp_min(1));
        // Tolerances keep a size exactly on a bound (0.02 of an image, an aspect of 0.3) inside despite rounding in binary.
        var fits = heights.ge(1).logical_and(widths.ge(1)).logical_and(heights.le(height)).logical_and(widths.le(width))
            .logical_and(areaFraction.ge(_minArea - 1e-12)).logical_and(areaFraction.le(_maxArea + 1e-12))
            .logical_and(aspects.ge(_minAspect - 1e-12)).logical_and(aspects.le(_maxAspect + 1e-12));
        // The first attempt that fits (argmax returns the first of equal maxima); none fitting leaves the image alone.
        var chosen = fits.to(ScalarType.Int64).argmax(1, keepdim: true);
        erase = erase.logical_and(fits.any(1));
        var h = heights.gather(1, chosen).squeeze(1).to(ScalarType.Int64).clamp(1, height);
        var w = widths.gather(1, chosen).squeeze(1).to(ScalarType.Int64).clamp(1, width);
        var top = rand(batch, dtype: ScalarType.Float64).mul(h.neg().add(height + 1)).floor().to(ScalarType.Int64);
        var left = rand(batch, dtype: ScalarType.Float64).mul(w.neg().add(width + 1)).floor().to(ScalarType.Int64);
        var fill = _fill == ErasingFill.Random ? randn(images.shape, dtype: images.dtype) : null;

        var rows = arange(height, dtype: ScalarType.Int64).unsqueeze(0);
        var columns = arange(width, dtype: ScalarType.Int64).unsqueeze(0);
        var inRows = rows.ge(top.unsqueeze(1)).logical_and(rows.lt(top.add(h).unsqueeze(1)));
        var inColumns = columns.ge(left.unsqueeze(1)).logical_and(columns.lt(left.add(w).unsqueeze(1)));
        var mask = inRows.unsqueeze(2).logical_and(inColumns.unsqueeze(1)).logical_and(erase.view(batch, 1, 1)).unsqueeze(1).to(device);
        var erased = fill is null
            ? images.masked_fill(mask, 0)
            : where(mask, fill.to(device), images);
        return erased.MoveToOuterDisposeScope();
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
