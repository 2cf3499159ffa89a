using System;

namespace DslKd;

/// <summary>
/// Reports the run as <see cref="TrainingEvent"/>s: <see cref="EpochStarted"/>, <see cref="StepCompleted"/> on
/// reporting steps (<see cref="TrainingOptions.ReportEverySteps"/>), <see cref="EpochCompleted"/>, and every event
/// another callback publishes (<see cref="CheckpointSaved"/>, <see cref="Resumed"/>, <see cref="StoppedEarly"/>,
/// <see cref="TeacherCacheUsed"/>, ...). Put it last, so an epoch's checkpoint is reported before the epoch itself.
/// </summary>
/// <param name="progress">Receives the events (<see cref="SynchronousProgress{T}"/> handles them on the training thread).</param>
public sealed class ProgressCallback(IProgress<TrainingEvent> progress) : TrainingCallback
{
    private readonly IProgress<TrainingEvent> _progress = progress ?? throw new ArgumentNullException(nameof(progress));

    /// <inheritdoc />
    public override void OnEpochStart(TrainingContext context) =>
        _progress.Report(new EpochStarted(context.Task.Name, context.Epoch, context.Options.Epochs, context.StepsPerEpoch));

    /// <inheritdoc />
    public override void OnStepEnd(TrainingContext context, TrainingStep step)
    {
        if (!step.IsReportingStep) return;
        _progress.Report(new StepCompleted(context.Task.Name, step.Epoch, step.Step, step.StepsPerEpoch, step.Loss, step.Terms, step.LearningRate,
            step.SamplesPerSecond, step.Remaining));
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochResult result) =>
        _progress.Report(new EpochCompleted(context.Task.Name, result, context.Options.Epochs));

    /// <inheritdoc />
    public override void OnEvent(TrainingContext context, TrainingEvent trainingEvent) => _progress.Report(trainingEvent);
}
