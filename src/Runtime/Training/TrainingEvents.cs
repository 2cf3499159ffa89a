using System;
using System.Collections.Generic;

namespace DslKd;

/// <summary>What a training run reports as it goes; render it as progress bars, logs or a UI.</summary>
public abstract record TrainingEvent(string Run);

/// <summary>An epoch begins.</summary>
public sealed record EpochStarted(string Run, int Epoch, int Epochs, long StepsPerEpoch) : TrainingEvent(Run);

/// <summary>Raised every <c>ReportEverySteps</c> steps and on an epoch's last step.</summary>
/// <param name="Run">The recipe's name.</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in an epoch.</param>
/// <param name="Loss">The total loss of this step.</param>
/// <param name="Terms">Each loss term of this step, unweighted, by name.</param>
/// <param name="LearningRate">The learning rate used for this step.</param>
/// <param name="SamplesPerSecond">Training throughput over the epoch so far.</param>
/// <param name="Remaining">Estimated time to the end of the run.</param>
public sealed record StepCompleted(
    string Run, int Epoch, long Step, long StepsPerEpoch, double Loss, IReadOnlyDictionary<string, double> Terms,
    double LearningRate, double SamplesPerSecond, TimeSpan Remaining) : TrainingEvent(Run);

/// <summary>An epoch ended; <see cref="Result"/> holds its metrics.</summary>
public sealed record EpochCompleted(string Run, EpochResult Result, int Epochs) : TrainingEvent(Run);

/// <summary>A checkpoint was written.</summary>
public sealed record CheckpointSaved(string Run, int Epoch, string Path) : TrainingEvent(Run);

/// <summary>A run continued from a checkpoint.</summary>
public sealed record Resumed(string Run, int CompletedEpochs, string Path) : TrainingEvent(Run);

/// <summary>
/// Early stopping ended the run: no better <see cref="Metric"/> for <paramref name="Patience"/> epochs; the model keeps
/// epoch <paramref name="BestEpoch"/>'s weights.
/// </summary>
/// <param name="Run">The recipe's name.</param>
/// <param name="Epoch">The last epoch trained.</param>
/// <param name="BestEpoch">The epoch whose weights the model keeps.</param>
/// <param name="BestAccuracy">The best epoch's evaluation accuracy (NaN without evaluation).</param>
/// <param name="Patience">Epochs without improvement that stopped the run.</param>
public sealed record StoppedEarly(string Run, int Epoch, int BestEpoch, double BestAccuracy, int Patience) : TrainingEvent(Run)
{
    /// <summary>What early stopping watched (<see cref="EpochMetric.Name"/>).</summary>
    public string Metric { get; init; } = EpochMetric.EvaluationAccuracy.Name;

    /// <summary>The best epoch's value of <see cref="Metric"/>.</summary>
    public double BestValue { get; init; } = double.NaN;
}

/// <summary>
/// The run is diverging without producing NaN: an epoch's mean training loss rose above <see cref="Factor"/> times the
/// loss the run started from (<see cref="DivergenceWarningCallback"/>). Training goes on; the result is likely useless.
/// </summary>
/// <param name="Run">The recipe's name.</param>
/// <param name="Epoch">The epoch whose mean training loss crossed the bar.</param>
/// <param name="TrainLoss">That mean training loss.</param>
/// <param name="ReferenceLoss">The loss the run started from: its first step's, or, for a resumed run, its first epoch's mean.</param>
/// <param name="Factor">How many times the reference the mean exceeded.</param>
public sealed record DivergenceWarning(string Run, int Epoch, double TrainLoss, double ReferenceLoss, double Factor) : TrainingEvent(Run)
{
    /// <summary>One line for a log: what happened and what to do.</summary>
    public string Message => FormattableString.Invariant(
        $"{Run}: training is diverging: the mean training loss of epoch {Epoch} is {TrainLoss:G4}, more than {Factor:G4}x the {ReferenceLoss:G4} it started from. The model is likely useless; lower the learning rate or enable gradient clipping.");
}
