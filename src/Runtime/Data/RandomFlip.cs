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
public sealed class RandomFlip : EnumerableImageAugmentation
{
    /// <summary>
    /// An augmentation for batches [B, C, H, W] that mirrors each image left-right with probability 1/2, drawn from
    /// TorchSharp's global generator (a run seeded with <c>torch.manual_seed</c> is reproducible). Usable as
    /// <see cref="TrainingOptions.Augmentation"/>; to combine flips with <see cref="TrainingOptions.TeacherCachePath"/>, set
    /// <c>EnumerableAugmentation = new RandomFlip()</c> instead.
    /// </summary>
    public static Func<Tensor, Tensor> Create() => new RandomFlip().Augment;

    /// <inheritdoc />
    public override int Variants => 2;

    /// <inheritdoc />
    public override string Identity => "RandomFlip";

    /// <inheritdoc />
    public override Tensor Apply(Tensor images, Tensor variants)
    {
        RequireImages(images);
        using var scope = NewDisposeScope();
        var mirrored = variants.to(images.device).eq(1).view(images.shape[0], 1, 1, 1);
        return where(mirrored, images.flip(3), images).MoveToOuterDisposeScope();
    }
}
