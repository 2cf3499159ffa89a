using System;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The common part of image augmentations with enumerable variants (<see cref="RandomShift"/>, <see cref="RandomFlip"/>):
/// a random variant per image from TorchSharp's global generator, applied by the subclass.
/// </summary>
public abstract class EnumerableImageAugmentation : IEnumerableAugmentation
{
    /// <inheritdoc />
    public abstract int Variants { get; }

    /// <inheritdoc />
    public abstract string Identity { get; }

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
    public abstract Tensor Apply(Tensor images, Tensor variants);

    /// <summary>Refuses anything but a batch of images [B, C, H, W], naming the augmentation and the shape it got.</summary>
    protected void RequireImages(Tensor images)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"{GetType().Name} expects image batches [B, C, H, W], but got shape [{string.Join(", ", images.shape)}].", nameof(images));
    }
}
