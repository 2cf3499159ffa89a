using System;
using System.IO;

namespace DslKd;

/// <summary>
/// Writes a <see cref="Checkpoint"/> after every epoch (atomically) and, when the directory holds one of the same run,
/// resumes from it at run start; a checkpoint of another run (other options, loss settings, teacher, data or model
/// architecture) is refused, and so is a damaged one (<see cref="Checkpoint"/>), with a message naming the file.
/// The directory is locked (<see cref="FolderLock"/>) for the run: a second run on it is refused, naming the first.
/// Publishes <see cref="Resumed"/> and <see cref="CheckpointSaved"/>. Put it after callbacks whose files it must
/// capture (<see cref="EarlyStoppingCallback"/>), as <see cref="TrainingLoop.DefaultCallbacks"/> does.
/// </summary>
/// <param name="directory">Where the checkpoint (and early stopping's best weights) are kept.</param>
public sealed class CheckpointCallback(string directory) : TrainingCallback
{
    private string? _runIdentity;
    private FolderLock? _lock;

    /// <summary>Where the checkpoint is kept.</summary>
    public string Directory { get; } = directory ?? throw new ArgumentNullException(nameof(directory));

    /// <summary>The checkpoint file.</summary>
    public string FilePath => Path.Combine(Directory, Checkpoint.FileName);

    /// <inheritdoc />
    public override void OnRunStart(TrainingContext context)
    {
        // Two runs checkpointing into one folder would delete each other's best weights and pair one run's checkpoint
        // with another's history: the second is refused, naming the first, before anything is read or written.
        _lock = FolderLock.Acquire(Directory, $"checkpoints of {context.Task.Name}");
        context.CheckpointDirectory = Directory;
        var task = context.Task;
        _runIdentity = RunIdentity(context);
        if (!File.Exists(FilePath)) return;

        var header = Checkpoint.ReadHeader(FilePath);
        if (header.Run != task.Name || header.OptionsFingerprint != _runIdentity)
            throw new InvalidOperationException(
                $"'{FilePath}' belongs to another run ({header.Run}: {header.OptionsFingerprint}); this run is {task.Name}: " +
                $"{_runIdentity}. Use another CheckpointDirectory, or delete the file to start over.");
        Checkpoint.Restore(FilePath, context.Trainable, context.Optimizer);
        context.Resume(header.History, header.GlobalStep);
        context.Publish(new Resumed(task.Name, header.CompletedEpochs, FilePath));
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        var header = new Checkpoint.Header(context.Task.Name, _runIdentity!, result.Epoch, context.GlobalStep, [.. context.History]);
        Checkpoint.Save(FilePath, header, context.Trainable, context.Optimizer);
        context.Publish(new CheckpointSaved(context.Task.Name, result.Epoch, FilePath));
    }

    /// <inheritdoc />
    public override void OnTeardown(TrainingContext context)
    {
        _runIdentity = null;
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>What a checkpoint must match to be resumed: the options, a tuned recipe's loss settings, and what the run starts from.</summary>
    private static string RunIdentity(TrainingContext context)
    {
        var options = context.Options.Fingerprint();
        // A tuned recipe with other loss settings is another run, even with the same options.
        if (context.Task is ITunableTask tunable) options += ";loss=" + LossSettingsSupport.Fingerprint(tunable.Loss);
        return options + ";start=" + RunStart.Hash(context.Task, context.Train, context.Evaluation);
    }
}
