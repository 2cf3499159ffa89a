using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;

namespace DslKd;

/// <summary>
/// The optimizer step that just ran, as <see cref="TrainingCallback.OnStepEnd"/> sees it. One instance serves every step
/// of a run, so passing it costs nothing; read it during that call only.
/// </summary>
public sealed class TrainingStep
{
    private readonly Stopwatch _runClock;
    private readonly Stopwatch _epochClock;
    private StepLoss _loss;
    private bool _live;
    private Dictionary<string, double>? _terms;
    private long _epochSamples;
    private long _stepsThisRun;
    private readonly int _epochs;

    internal TrainingStep(long stepsPerEpoch, int epochs, Stopwatch runClock, Stopwatch epochClock) =>
        (StepsPerEpoch, _epochs, _runClock, _epochClock) = (stepsPerEpoch, epochs, runClock, epochClock);

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; private set; }

    /// <summary>1-based step within the epoch.</summary>
    public long Step { get; private set; }

    /// <summary>Steps in an epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>Optimizer steps taken over the whole run, this one included.</summary>
    public long GlobalStep { get; private set; }

    /// <summary>The total loss of this step (already read from the device, for the NaN guard).</summary>
    public double Loss { get; private set; }

    /// <summary>The learning rate this step used.</summary>
    public double LearningRate { get; private set; }

    /// <summary>Samples in this step's batch.</summary>
    public long Samples { get; private set; }

    /// <summary>Every <see cref="TrainingOptions.ReportEverySteps"/> steps and the epoch's last: the steps progress is reported on and term means are taken over.</summary>
    public bool IsReportingStep { get; private set; }

    /// <summary>
    /// Each loss term of this step, unweighted, by name. Read from the device on first access (a sync), then kept for the
    /// step; steps whose terms are read count toward the epoch's <see cref="EpochResult.TrainTerms"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Read after <see cref="TrainingCallback.OnStepEnd"/> returned.</exception>
    public IReadOnlyDictionary<string, double> Terms
    {
        get
        {
            if (_terms is not null) return _terms;
            if (!_live) throw new InvalidOperationException("A step's terms can only be read during OnStepEnd: the step's tensors are disposed after it.");
            return _terms = _loss.Terms.ToDictionary(t => t.Name, t => t.Value.ToDouble());
        }
    }

    /// <summary>Training throughput over the epoch so far.</summary>
    public double SamplesPerSecond => _epochSamples / _epochClock.Elapsed.TotalSeconds;

    /// <summary>Estimated time to the end of the run, from this run's pace so far.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var remainingSteps = (_epochs - Epoch) * StepsPerEpoch + (StepsPerEpoch - Step);
            return TimeSpan.FromSeconds(_runClock.Elapsed.TotalSeconds / _stepsThisRun * remainingSteps);
        }
    }

    internal bool TermsRead => _terms is not null;

    internal void StartEpoch(int epoch)
    {
        Epoch = epoch;
        _epochSamples = 0;
    }

    internal void Begin(StepLoss loss, double total, long step, long globalStep, double learningRate, long samples, bool isReportingStep)
    {
        (_loss, Loss, Step, GlobalStep, LearningRate, Samples, IsReportingStep) = (loss, total, step, globalStep, learningRate, samples, isReportingStep);
        _epochSamples += samples;
        _stepsThisRun++;
        _terms = null;
        _live = true;
    }

    /// <summary>The step's scope is about to end: its tensors must no longer be read.</summary>
    internal void End()
    {
        _live = false;
        _loss = default;
    }
}
