namespace DslKd;

/// <summary>
/// Something that takes part in a training run: checkpoints, early stopping, TensorBoard, progress and the teacher cache
/// are callbacks (<see cref="TrainingLoop.DefaultCallbacks"/>), and so is anything a user adds. Every hook does nothing
/// unless overridden. The loop calls the callbacks in list order:
/// <see cref="OnRunStart"/> once; then per epoch <see cref="OnEpochStart"/>, <see cref="OnStepEnd"/> after every
/// optimizer step, <see cref="OnEpochEnd"/>; then <see cref="OnRunEnd"/> once; finally <see cref="OnTeardown"/>, in
/// reverse order, even when the run fails. <see cref="OnEvent"/> receives what any callback publishes through
/// <see cref="TrainingContext.Publish"/>, when it is published.
/// </summary>
/// <remarks>
/// A callback instance may serve several runs one after the other (a tuner's trials): keep per-run state from
/// <see cref="OnRunStart"/> to <see cref="OnTeardown"/>.
/// </remarks>
public abstract class TrainingCallback
{
    /// <summary>
    /// Before the first epoch: the optimizer exists and the global generator is seeded. A checkpoint callback resumes here
    /// (<see cref="TrainingContext.Resume"/>); a callback can replace <see cref="TrainingContext.ComputeLoss"/> here.
    /// </summary>
    public virtual void OnRunStart(TrainingContext context) { }

    /// <summary>An epoch begins; <see cref="TrainingContext.Epoch"/> is its number.</summary>
    public virtual void OnEpochStart(TrainingContext context) { }

    /// <summary>
    /// After each optimizer step, inside the step's dispose scope. Called on every step, so keep it cheap: reading
    /// <see cref="TrainingStep.Terms"/> waits for the device, which <see cref="TrainingStep.IsReportingStep"/> limits to
    /// every <see cref="TrainingOptions.ReportEverySteps"/> steps.
    /// </summary>
    public virtual void OnStepEnd(TrainingContext context, TrainingStep step) { }

    /// <summary>
    /// After an epoch's evaluation; <paramref name="result"/> is already the last entry of
    /// <see cref="TrainingContext.History"/>. <see cref="TrainingContext.RequestStop"/> ends the run after this epoch.
    /// </summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochResult result) { }

    /// <summary>After the last epoch (or a requested stop), with the model in evaluation mode. Not called when the run fails.</summary>
    public virtual void OnRunEnd(TrainingContext context) { }

    /// <summary>Something happened that a callback published (a checkpoint was saved, the run resumed, ...).</summary>
    public virtual void OnEvent(TrainingContext context, TrainingEvent trainingEvent) { }

    /// <summary>Always last, whether the run completed or failed (only for callbacks whose <see cref="OnRunStart"/> was called): release what the run acquired.</summary>
    public virtual void OnTeardown(TrainingContext context) { }
}
