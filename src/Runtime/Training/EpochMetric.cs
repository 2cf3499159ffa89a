using System;

namespace DslKd;

/// <summary>Which way an <see cref="EpochMetric"/> improves.</summary>
public enum MetricMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,
    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>A number read from each epoch's result, and which way it improves; what <see cref="EarlyStoppingCallback"/> watches.</summary>
/// <param name="Name">How events and messages call it ("evaluation loss").</param>
/// <param name="Read">The epoch's value; null when the epoch has none (no evaluation).</param>
/// <param name="Mode">Whether lower or higher is better.</param>
public sealed record EpochMetric(string Name, Func<EpochResult, double?> Read, MetricMode Mode)
{
    /// <summary>The evaluation set's accuracy, higher is better: the default of early stopping.</summary>
    public static EpochMetric EvaluationAccuracy { get; } = new("evaluation accuracy", e => e.Evaluation?.Accuracy, MetricMode.Max) { NeedsEvaluation = true };

    /// <summary>The evaluation set's mean cross-entropy, lower is better.</summary>
    public static EpochMetric EvaluationLoss { get; } = new("evaluation loss", e => e.Evaluation?.Loss, MetricMode.Min) { NeedsEvaluation = true };

    /// <summary>The epoch's mean training loss, lower is better.</summary>
    public static EpochMetric TrainLoss { get; } = new("training loss", e => e.TrainLoss, MetricMode.Min);

    /// <summary>Whether it is read from the evaluation set, so a run watching it must have one.</summary>
    public bool NeedsEvaluation { get; init; }

    /// <summary>The worst possible value, which any real value improves on.</summary>
    internal double Worst => Mode == MetricMode.Max ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>Whether <paramref name="candidate"/> is strictly better than <paramref name="best"/>; NaN never is.</summary>
    internal bool Improves(double candidate, double best) => Mode == MetricMode.Max ? candidate > best : candidate < best;
}
