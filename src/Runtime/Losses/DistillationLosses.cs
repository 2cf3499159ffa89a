using System;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The loss terms recipes compose. Conventions, fixed once (see docs/losses.md): logits are [batch, classes] and the
/// softmax runs over dimension 1; every term is a mean over the batch; probabilities are computed as log-softmax
/// (never softmax then log) for numerical stability; teacher tensors are targets (the teacher runs without autograd).
/// </summary>
/// <remarks>
/// One family per file: LogitLosses.cs (terms on logits), FeatureLosses.cs (terms on one sample's feature at a time),
/// RelationalLosses.cs (terms on the relations between the samples of a batch), ParameterLosses.cs (terms on weights).
/// This file holds the argument checks they share.
/// </remarks>
public static partial class DistillationLosses
{
    private static long BatchSize(Tensor batch) =>
        batch.dim() > 0 && batch.shape[0] > 0
            ? batch.shape[0]
            : throw new ArgumentException("Loss terms need a non-empty batch as their first dimension.");

    /// <summary>The rule the generator checks the same argument with at compile time (<see cref="ValueRange"/>).</summary>
    private static void CheckRange(double value, ValueRange range, string parameter)
    {
        if (!range.Contains(value))
            throw new ArgumentOutOfRangeException(parameter, value, $"{char.ToUpperInvariant(parameter[0])}{parameter[1..]} must be {range.Describe()}.");
    }

    private static void CheckTemperature(double temperature) => CheckRange(temperature, LossSettingKind.Temperature.Range(), nameof(temperature));
}
