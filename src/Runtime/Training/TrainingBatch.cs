using static TorchSharp.torch;

namespace DslKd;

/// <summary>One training step's batch, as <see cref="TrainingContext.ComputeLoss"/> receives it.</summary>
/// <param name="Inputs">The inputs [B, ...], augmented and on the run's device.</param>
/// <param name="Labels">The labels [B], on the run's device.</param>
/// <param name="Indices">Each sample's row in the training set, int64 [B] on the CPU.</param>
/// <param name="Variants">
/// With <see cref="TrainingOptions.EnumerableAugmentation"/>: the variant each sample got, int64 [B] on the CPU; else null.
/// </param>
public readonly record struct TrainingBatch(Tensor Inputs, Tensor Labels, Tensor Indices, Tensor? Variants);
