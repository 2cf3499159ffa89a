using System;

namespace DslKd;

/// <summary>
/// Publishes a <see cref="DivergenceWarning"/> when training diverges but stays finite (the NaN guard stops only
/// non-finite losses): with a learning rate far too high, losses can climb to 1e28 while the run "succeeds" at chance
/// accuracy.
/// </summary>
/// <remarks>
/// <para>
/// The rule: warn, once per run, after the first epoch whose mean training loss exceeds <see cref="Factor"/> times the
/// loss the run started from. That reference is the loss of the run's first step, which the untrained model computes
/// before any update (for cross-entropy over k classes, about ln k); a resumed run, which did not see that step, uses
/// its first epoch's mean training loss instead. Training lowers the loss below where it started; an epoch averaging an
/// order of magnitude above it (the default factor 10: for cross-entropy over 10 classes, above 23, a mean probability
/// of e^-23 on the right class) has made the model far worse than untrained, which no schedule or augmentation does
/// by itself. Measuring against the start rather than the best epoch so far keeps a well-fitted run, whose loss is
/// near zero and fluctuates by large ratios, from false alarms; the price is that a late blow-up is caught only once
/// it passes the starting loss tenfold.
/// </para>
/// <para>
/// The rule needs a positive starting loss, as every built-in term has; when the first step's loss is zero or negative
/// (a custom loss that starts at 0) nothing is checked. Added by <see cref="TrainingLoop.DefaultCallbacks"/> when a
/// progress receiver is given; to change the factor, replace it in that list.
/// </para>
/// </remarks>
public sealed class DivergenceWarningCallback : TrainingCallback
{
    /// <summary>The default <see cref="Factor"/>: an order of magnitude.</summary>
    public const double DefaultFactor = 10;

    private double? _firstStepLoss;
    private bool _warned;

    /// <summary>Warns when an epoch's mean training loss exceeds <paramref name="factor"/> times the starting loss.</summary>
    /// <param name="factor">Above 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is not above 1.</exception>
    public DivergenceWarningCallback(double factor = DefaultFactor)
    {
        if (!(factor > 1) || double.IsInfinity(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be a finite number above 1.");
        Factor = factor;
    }

    /// <summary>How many times the starting loss an epoch's mean must exceed to warn.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override void OnRunStart(TrainingContext context) => (_firstStepLoss, _warned) = (null, false);

    /// <inheritdoc />
    public override void OnStepEnd(TrainingContext context, TrainingStep step)
    {
        // The run's very first step (not the first after a resume): the untrained model's loss, already read for the NaN guard.
        if (step.GlobalStep == 1) _firstStepLoss = step.Loss;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        if (_warned) return;
        var reference = _firstStepLoss ?? (context.History.Count > 1 ? context.History[0].TrainLoss : double.NaN);
        if (!(reference > 0) || !double.IsFinite(reference)) return;
        if (result.TrainLoss > Factor * reference)
        {
            _warned = true;
            context.Publish(new DivergenceWarning(context.Task.Name, result.Epoch, result.TrainLoss, reference, Factor));
        }
    }
}
