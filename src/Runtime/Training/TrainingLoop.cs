using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The loop every generated recipe trains with. A run (this class) sets up the run's global state, the optimizer and the
/// callbacks, then runs epochs (<c>EpochRunner</c>: a shuffled pass, then the evaluation) of steps (<c>StepRunner</c>:
/// learning rate, loss, NaN/Inf guard, clipping, update). Checkpoints, early stopping, TensorBoard, progress and the
/// teacher cache are <see cref="TrainingCallback"/>s: <see cref="DefaultCallbacks"/> builds them from the options, and
/// the second <c>Run</c> overload takes any list instead.
/// </summary>
/// <remarks>
/// TorchSharp's random generator and thread count are process-wide. A run seeds the generator with
/// <see cref="TrainingOptions.Seed"/> (<see cref="SeedScope"/>) and applies <see cref="TrainingOptions.Threads"/>
/// (<see cref="ThreadCountScope"/>) for its duration only: when it ends, completed or failed, both are as the caller
/// left them. Two runs on different threads still share them and disturb each other.
/// </remarks>
public static class TrainingLoop
{
    /// <summary>Trains <paramref name="task"/> on <paramref name="train"/>, evaluating on <paramref name="evaluation"/> after each epoch, with the callbacks the options imply (<see cref="DefaultCallbacks"/>).</summary>
    /// <param name="task">The recipe to train.</param>
    /// <param name="train">The training set.</param>
    /// <param name="evaluation">A held-out set evaluated after each epoch; with early stopping, a validation split.</param>
    /// <param name="options">How to train.</param>
    /// <param name="progress">Receives the progress events.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    public static TrainingResult Run(ITrainingTask task, LabeledDataset train, LabeledDataset? evaluation, TrainingOptions options,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(train);
        return Run(task, train, evaluation, options, DefaultCallbacks(options, progress), cancellationToken);
    }

    /// <summary>
    /// Trains <paramref name="task"/> with exactly <paramref name="callbacks"/>, called in list order. To add to the
    /// defaults, start from <see cref="DefaultCallbacks"/>: <c>[.. TrainingLoop.DefaultCallbacks(options, progress), mine]</c>;
    /// to replace one, leave it out of the list. Options that only configure a default callback
    /// (<see cref="TrainingOptions.CheckpointDirectory"/>, <see cref="TrainingOptions.EarlyStoppingPatience"/>,
    /// <see cref="TrainingOptions.TeacherCachePath"/>, <see cref="TrainingOptions.TensorBoardDirectory"/>) act only
    /// through the callbacks in the list.
    /// </summary>
    /// <param name="task">The recipe to train.</param>
    /// <param name="train">The training set.</param>
    /// <param name="evaluation">A held-out set evaluated after each epoch; with early stopping, a validation split.</param>
    /// <param name="options">How to train.</param>
    /// <param name="callbacks">Everything that takes part in the run besides the steps themselves.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    public static TrainingResult Run(ITrainingTask task, LabeledDataset train, LabeledDataset? evaluation, TrainingOptions options,
        IEnumerable<TrainingCallback> callbacks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(callbacks);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        InputCheck.ForTask(task, train, evaluation);   // the declared InputShape and dtype, before libtorch sees a batch
        if (options.EarlyStoppingPatience is not null && evaluation is null)
            throw new ArgumentException("EarlyStoppingPatience needs an evaluation set to watch: pass a validation split (never the test set).", nameof(evaluation));
        var callbackList = new CallbackList(callbacks);

        using var threads = ThreadCountScope.Enter(options.Threads);
        NativeHeap.PrepareForTraining();
        var device = options.Device ?? CPU;
        task.MoveTo(device);
        // Before the optimizer is created: Adam's moments are created like the parameters, so they are channels-last too.
        var converted = new List<nn.Module>();
        try
        {
            if (options.ChannelsLast) ConvertToChannelsLast(task, options, converted);
            using var seed = SeedScope.Enter(options.Seed);
            using var optimizer = OptimizerFactory.Create(options.Optimizer, task.Trainable.parameters());
            var context = new TrainingContext(task, train, evaluation, options, device, optimizer, callbackList, cancellationToken);
            try
            {
                callbackList.RunStart(context);
                RunEpochs(context, callbackList);
                context.Trainable.eval();
                callbackList.RunEnd(context);
            }
            finally
            {
                callbackList.Teardown(context);
            }
            return new TrainingResult([.. context.History])
            {
                BestEpoch = context.BestEpoch,
                StoppedEarly = context.StopRequested && context.History.Count < options.Epochs,
            };
        }
        finally
        {
            // Each module leaves the run in the layout it came in, so TorchSharp's own save and load and code that
            // views its weights keep working.
            foreach (var module in converted) module.ToDefaultFormat();
        }
    }

    /// <summary>
    /// The callbacks <paramref name="options"/> ask for, in the order <see cref="Run(ITrainingTask, LabeledDataset, LabeledDataset?, TrainingOptions, IProgress{TrainingEvent}?, CancellationToken)"/>
    /// uses them: <see cref="EarlyStoppingCallback"/> (<see cref="TrainingOptions.EarlyStoppingPatience"/>),
    /// <see cref="CheckpointCallback"/> (<see cref="TrainingOptions.CheckpointDirectory"/>),
    /// <see cref="TeacherCacheCallback"/> (<see cref="TrainingOptions.TeacherCachePath"/>),
    /// <see cref="TensorBoardCallback"/> (<see cref="TrainingOptions.TensorBoardDirectory"/>), and with
    /// <paramref name="progress"/> <see cref="DivergenceWarningCallback"/> and <see cref="ProgressCallback"/>. A new list of new callbacks on every call, to add to,
    /// remove from or reorder.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static List<TrainingCallback> DefaultCallbacks(TrainingOptions options, IProgress<TrainingEvent>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var callbacks = new List<TrainingCallback>();
        // Early stopping before the checkpoint: its best weights are written before the checkpoint that records them.
        if (options.EarlyStoppingPatience is { } patience) callbacks.Add(new EarlyStoppingCallback(patience));
        if (options.CheckpointDirectory is { } checkpoints) callbacks.Add(new CheckpointCallback(checkpoints));
        if (options.TeacherCachePath is { } cache) callbacks.Add(new TeacherCacheCallback(cache));
        if (options.TensorBoardDirectory is { } logs) callbacks.Add(new TensorBoardCallback(logs));
        if (progress is not null)
        {
            // A warning is a progress event: only when someone receives them.
            callbacks.Add(new DivergenceWarningCallback());
            // Last, so an epoch's checkpoint is reported before the epoch itself.
            callbacks.Add(new ProgressCallback(progress));
        }
        return callbacks;
    }

    /// <summary>
    /// <see cref="TrainingOptions.ChannelsLast"/>: the trained module's 4-D weights and, for a distillation recipe whose
    /// teacher runs online (a separate module the recipe runs on the same inputs), the teacher's, in place; the parameter
    /// objects stay the same. A cached teacher only runs to build its cache, which it does in the default format.
    /// </summary>
    /// <param name="task">The run's task: its trainable module and, if any, its teacher.</param>
    /// <param name="options">The run's options (whether the teacher runs online or from a cache).</param>
    /// <param name="converted">Receives each module converted (not one that was channels-last already), to convert back when the run ends.</param>
    private static void ConvertToChannelsLast(ITrainingTask task, TrainingOptions options, List<nn.Module> converted)
    {
        if (task.Trainable.ToChannelsLast() > 0) converted.Add(task.Trainable);
        if (options.TeacherCachePath is null && task is ICachedTeacherTask { Teacher: { } teacher } && !ReferenceEquals(teacher, task.Trainable)
            && teacher.ToChannelsLast() > 0)
            converted.Add(teacher);
    }

    private static void RunEpochs(TrainingContext context, CallbackList callbacks)
    {
        var epochs = new EpochRunner(context, callbacks, Stopwatch.StartNew());
        for (var epoch = context.History.Count + 1; epoch <= context.Options.Epochs && !context.StopRequested; epoch++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.StartEpoch(epoch);
            callbacks.EpochStart(context);
            EpochResult result;
            using (LossWarmup.During(epoch)) result = epochs.Run(epoch);
            context.CompleteEpoch(result);
            callbacks.EpochEnd(context, result);
        }
    }
}
