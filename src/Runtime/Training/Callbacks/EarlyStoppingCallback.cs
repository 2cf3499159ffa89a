using System;

namespace DslKd;

/// <summary>
/// Stops the run once a metric (by default the evaluation accuracy) has not improved for <see cref="Patience"/> epochs,
/// and leaves the model with the weights of its best epoch (<see cref="TrainingResult.BestEpoch"/>). With a
/// <see cref="CheckpointCallback"/> the best weights are also kept next to the checkpoint (<c>best-&lt;epoch&gt;.dkd</c>,
/// written before the checkpoint that records them, older ones deleted after it), so a resumed run ends with the same
/// weights as an uninterrupted one; it must then come before the checkpoint callback in the list. Publishes
/// <see cref="StoppedEarly"/> at the end of a run it stopped.
/// </summary>
/// <remarks>An evaluation metric must be watched on a validation split carved from the training data, never the test set.</remarks>
public sealed class EarlyStoppingCallback : TrainingCallback
{
    private BestWeights? _best;
    private bool _stoppedThisRun;

    /// <summary>Stops after <paramref name="patience"/> epochs without improvement of <paramref name="metric"/>.</summary>
    /// <param name="patience">Epochs without a strictly better value before the run stops (at least 1).</param>
    /// <param name="metric">What to watch; <see cref="EpochMetric.EvaluationAccuracy"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is below 1.</exception>
    public EarlyStoppingCallback(int patience, EpochMetric? metric = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        (Patience, Metric) = (patience, metric ?? EpochMetric.EvaluationAccuracy);
    }

    /// <summary>Epochs without improvement before the run stops.</summary>
    public int Patience { get; }

    /// <summary>What is watched.</summary>
    public EpochMetric Metric { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The metric needs an evaluation set and the run has none.</exception>
    /// <exception cref="InvalidOperationException">A checkpoint callback comes earlier in the list.</exception>
    public override void OnRunStart(TrainingContext context)
    {
        if (Metric.NeedsEvaluation && context.Evaluation is null)
            throw new ArgumentException($"Early stopping on the {Metric.Name} needs an evaluation set to watch: pass a validation split (never the test set).", "evaluation");
        if (context.CheckpointDirectory is not null)
            throw new InvalidOperationException("EarlyStoppingCallback must come before the checkpoint callback: its best weights are written before each checkpoint, and it must see the resume.");
        _best = new BestWeights(context.Trainable, Metric);
        _stoppedThisRun = false;
    }

    /// <inheritdoc />
    public override void OnEvent(TrainingContext context, TrainingEvent trainingEvent)
    {
        switch (trainingEvent)
        {
            case Resumed:
                Best.Resume(context.History, context.CheckpointDirectory);
                context.BestEpoch = Best.Epoch;
                // A resumed run that had already stopped early stays stopped; one that ran every epoch did not stop early.
                var completed = context.History.Count;
                if (Best.Epoch is { } best && completed - best >= Patience && completed < context.Options.Epochs) context.RequestStop();
                break;
            case CheckpointSaved:
                Best.CheckpointSaved(context.CheckpointDirectory);
                break;
        }
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        if (!Best.Offer(result, context.CheckpointDirectory) && result.Epoch - Best.Epoch >= Patience && result.Epoch < context.Options.Epochs)
        {
            context.RequestStop();
            _stoppedThisRun = true;
        }
        context.BestEpoch = Best.Epoch;
    }

    /// <inheritdoc />
    public override void OnRunEnd(TrainingContext context)
    {
        Best.Restore();
        context.BestEpoch = Best.Epoch;
        if (!_stoppedThisRun || Best.Epoch is not { } best) return;
        var bestResult = context.History[best - 1];
        context.Publish(new StoppedEarly(context.Task.Name, context.History.Count, best, bestResult.Evaluation?.Accuracy ?? double.NaN, Patience)
        {
            Metric = Metric.Name,
            BestValue = Best.Value,
        });
    }

    /// <inheritdoc />
    public override void OnTeardown(TrainingContext context) => _best = null;

    private BestWeights Best => _best ?? throw new InvalidOperationException("EarlyStoppingCallback is used outside a run (OnRunStart was not called).");
}
