using System;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Input mixing for distillation by function matching (Beyer et al. 2022): each sample is blended with another sample
/// of the same batch, x = λ x + (1 - λ) x_other, with λ drawn per sample from [<c>minWeight</c>, 1]. The teacher sees
/// the same blended batch, so the student learns the teacher's outputs between training samples too. Keeping λ at or
/// above 1/2 keeps the sample's own label the dominant one, so a hard-label term stays meaningful. The blends cannot be
/// enumerated, so it runs with the online teacher (no <see cref="TrainingOptions.TeacherCachePath"/>).
/// </summary>
public static class RandomMixup
{
    /// <summary>An augmentation for batches [B, ...] blending each sample with a random other sample of the batch.</summary>
    /// <param name="minWeight">The smallest weight of a sample's own input, in [0.5, 1]; 1 leaves batches unchanged.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minWeight"/> is outside [0.5, 1].</exception>
    public static Func<Tensor, Tensor> Create(double minWeight = 0.5)
    {
        if (!(minWeight >= 0.5 && minWeight <= 1))
            throw new ArgumentOutOfRangeException(nameof(minWeight), minWeight, "The weight of a sample's own input must be in [0.5, 1], so its label stays the dominant one.");
        return inputs =>
        {
            if (minWeight == 1 || inputs.shape[0] < 2) return inputs;
            using var scope = NewDisposeScope();
            var batch = inputs.shape[0];
            var weightShape = new long[inputs.dim()];
            Array.Fill(weightShape, 1L);
            weightShape[0] = batch;
            var own = rand(weightShape, dtype: inputs.dtype, device: inputs.device).mul(1 - minWeight).add(minWeight);
            var others = inputs.index_select(0, randperm(batch, device: inputs.device));
            return own.mul(inputs).add(own.neg().add(1).mul(others)).MoveToOuterDisposeScope();
        };
    }
}
