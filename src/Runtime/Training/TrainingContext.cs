using System;
using System.Collections.Generic;
using System.Threading;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A training run as its callbacks see it: what is trained and with what, how far it has come, and the few things a
/// callback may change (stop the run, resume it, name the epoch whose weights the model keeps, how a step's loss is
/// computed). One per run, passed to every <see cref="TrainingCallback"/> hook.
/// </summary>
public sealed class TrainingContext
{
    private readonly List<EpochResult> _history = [];
    private readonly CallbackList _callbacks;
    private Func<TrainingBatch, StepLoss> _computeLoss;
    private bool _epochsStarted;

    internal TrainingContext(ITrainingTask task, LabeledDataset train, LabeledDataset? evaluation, TrainingOptions options, Device device,
        OptimizerHelper optimizer, CallbackList callbacks, CancellationToken cancellationToken)
    {
        (Task, Train, Evaluation, Options, Device, Optimizer, _callbacks, CancellationToken) =
            (task, train, evaluation, options, device, optimizer, callbacks, cancellationToken);
        Trainable = task.Trainable;
        StepsPerEpoch = train.BatchCount(options.BatchSize);
        _computeLoss = batch => task.ComputeTrainingLoss(batch.Inputs, batch.Labels);
    }

    /// <summary>The recipe being trained.</summary>
    public ITrainingTask Task { get; }

    /// <summary>The module whose parameters are trained (<see cref="ITrainingTask.Trainable"/>), whose state a checkpoint keeps.</summary>
    public nn.Module Trainable { get; }

    /// <summary>The optimizer over <see cref="Trainable"/>'s parameters, whose state a checkpoint keeps.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>The run's options, validated.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The training set.</summary>
    public LabeledDataset Train { get; }

    /// <summary>The set evaluated after each epoch, if any.</summary>
    public LabeledDataset? Evaluation { get; }

    /// <summary>Where the run trains.</summary>
    public Device Device { get; }

    /// <summary>Optimizer steps in an epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>Stops the run between steps; a callback doing long work can watch it too.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The epoch running (1-based); before the first one, the epochs already completed (0, or those a resume restored).</summary>
    public int Epoch { get; internal set; }

    /// <summary>Optimizer steps taken over the whole run, including those before a resume; the learning-rate schedule's position.</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>The completed epochs, including those before a resume.</summary>
    public IReadOnlyList<EpochResult> History => _history;

    /// <summary>Whether a callback asked the run to stop (see <see cref="RequestStop"/>).</summary>
    public bool StopRequested { get; private set; }

    /// <summary>
    /// The epoch whose weights the model ends with, when a callback restores an earlier epoch's weights (early stopping);
    /// it becomes <see cref="TrainingResult.BestEpoch"/>. Null: the last epoch's.
    /// </summary>
    public int? BestEpoch { get; set; }

    /// <summary>
    /// Where the run's checkpoint is kept, when a checkpoint callback set it in <see cref="TrainingCallback.OnRunStart"/>;
    /// a callback whose own state must survive a resume (early stopping's best weights) keeps it there.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// How a step's loss is computed from its batch; by default the task's <see cref="ITrainingTask.ComputeTrainingLoss"/>.
    /// A callback may replace it in <see cref="TrainingCallback.OnRunStart"/> (the teacher cache reads stored teacher
    /// outputs instead of running the teacher). It runs inside the step's dispose scope.
    /// </summary>
    public Func<TrainingBatch, StepLoss> ComputeLoss
    {
        get => _computeLoss;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            RequireBeforeFirstEpoch(nameof(ComputeLoss));
            _computeLoss = value;
        }
    }

    /// <summary>Ends the run after the current epoch (before the first one when asked at run start).</summary>
    public void RequestStop() => StopRequested = true;

    /// <summary>
    /// For a checkpoint callback in <see cref="TrainingCallback.OnRunStart"/>, after it restored the model's and the
    /// optimizer's state: the run continues after <paramref name="completedEpochs"/>, at <paramref name="globalStep"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The first epoch has started.</exception>
    public void Resume(IReadOnlyList<EpochResult> completedEpochs, long globalStep)
    {
        ArgumentNullException.ThrowIfNull(completedEpochs);
        ArgumentOutOfRangeException.ThrowIfNegative(globalStep);
        RequireBeforeFirstEpoch(nameof(Resume));
        _history.Clear();
        _history.AddRange(completedEpochs);
        (Epoch, GlobalStep) = (_history.Count, globalStep);
    }

    /// <summary>Delivers <paramref name="trainingEvent"/> to every callback's <see cref="TrainingCallback.OnEvent"/>, now, in list order.</summary>
    public void Publish(TrainingEvent trainingEvent)
    {
        ArgumentNullException.ThrowIfNull(trainingEvent);
        _callbacks.Publish(this, trainingEvent);
    }

    internal void StartEpoch(int epoch)
    {
        _epochsStarted = true;
        Epoch = epoch;
    }

    internal void CompleteEpoch(EpochResult result) => _history.Add(result);

    private void RequireBeforeFirstEpoch(string what)
    {
        if (_epochsStarted) throw new InvalidOperationException($"{what} is for run start (OnRunStart); the first epoch has begun.");
    }
}
