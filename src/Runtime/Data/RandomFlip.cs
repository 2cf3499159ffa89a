using System;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Random horizontal flips for image batches: each image is mirrored left-right with probability 1/2. Unlike a shift,
/// a flip keeps a centred image centred, so a model without translation invariance (an MLP on pixels) still sees
/// inputs like its test images. Its two variants (as is, mirrored) make it an <see cref="IEnumerableAugmentation"/>,
/// so the teacher cache holds the teacher's outputs for both.
/// </summary>
public sealed class RandomFlip : IEnumerableAugmentation
{
    /// <summary>
    /// An augmentation for batches [B, C, H, W] that mirrors each image left-right with probability 1/2, drawn from
    /// TorchSharp's global generator (a run seeded with <c>torch.manual_seed</c> is reproducible). Usable as
    /// <see cref="TrainingOptions.Augmentation"/> together with <see cref="TrainingOptions.TeacherCachePath"/>.
    /// </summary>
    public static Func<Tensor, Tensor> Create() => new RandomFlip().Augment;

    /// <inheritdoc />
    public int Variants => 2;

    /// <inheritdoc />
    public string Identity => "RandomFlip";

    /// <summary>Draws a variant per image and applies it.</summary>
    public Tensor Augment(Tensor images)
    {
        RequireImages(images);
        using var variants = Draw(images.shape[0]);
        return Apply(images, variants);
    }

    /// <inheritdoc />
    public Tensor Draw(long count) => randint(0, Variants, [count], dtype: ScalarType.Int64);

    /// <inheritdoc />
    public Tensor Apply(Tensor images, Tensor variants)
    {
        RequireImages(images);
        using var scope = NewDisposeScope();
        var mirrored = variants.to(images.device).eq(1).view(images.shape[0], 1, 1, 1);
        return where(mirrored, images.flip(3), images).MoveToOuterDisposeScope();
    }

    private static void RequireImages(Tensor images)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"RandomFlip expects image batches [B, C, H, W], but got shape [{string.Join(", ", images.shape)}].", nameof(images));
    }
}
