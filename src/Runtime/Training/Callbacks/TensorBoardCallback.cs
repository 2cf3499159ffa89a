using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Writes the run's scalars as TensorBoard event files through TorchSharp's SummaryWriter: every step's loss, learning
/// rate and loss terms (so it reads the terms on every step), and each epoch's training loss and evaluation.
/// </summary>
/// <param name="directory">Where the event files go.</param>
public sealed class TensorBoardCallback(string directory) : TrainingCallback
{
    private SummaryWriter? _writer;

    /// <summary>Where the event files go.</summary>
    public string Directory { get; } = directory ?? throw new ArgumentNullException(nameof(directory));

    /// <inheritdoc />
    public override void OnRunStart(TrainingContext context) => _writer = utils.tensorboard.SummaryWriter(Directory, createRunName: false);

    /// <inheritdoc />
    public override void OnStepEnd(TrainingContext context, TrainingStep step)
    {
        var writer = Writer;
        var index = (int)Math.Min(int.MaxValue, step.GlobalStep);
        writer.add_scalar("train/loss", (float)step.Loss, index);
        writer.add_scalar("train/learning_rate", (float)step.LearningRate, index);
        foreach (var (name, value) in step.Terms) writer.add_scalar($"train/terms/{name}", (float)value, index);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        var writer = Writer;
        writer.add_scalar("epoch/train_loss", (float)result.TrainLoss, result.Epoch);
        if (result.Evaluation is { } evaluation)
        {
            writer.add_scalar("epoch/eval_loss", (float)evaluation.Loss, result.Epoch);
            writer.add_scalar("epoch/eval_accuracy", (float)evaluation.Accuracy, result.Epoch);
        }
    }

    /// <inheritdoc />
    public override void OnTeardown(TrainingContext context) => _writer = null; // SummaryWriter writes each scalar at once and has nothing to close

    private SummaryWriter Writer => _writer ?? throw new InvalidOperationException("TensorBoardCallback is used outside a run (OnRunStart was not called).");
}
