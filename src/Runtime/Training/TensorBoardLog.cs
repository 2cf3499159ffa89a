using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Writes a run's scalars as TensorBoard event files through TorchSharp's SummaryWriter.</summary>
internal sealed class TensorBoardLog(string directory)
{
    private readonly SummaryWriter _writer = utils.tensorboard.SummaryWriter(directory, createRunName: false);

    public void Step(StepCompleted step, long globalStep)
    {
        var index = (int)Math.Min(int.MaxValue, globalStep);
        _writer.add_scalar("train/loss", (float)step.Loss, index);
        _writer.add_scalar("train/learning_rate", (float)step.LearningRate, index);
        foreach (var (name, value) in step.Terms) _writer.add_scalar($"train/terms/{name}", (float)value, index);
    }

    public void Epoch(EpochResult epoch)
    {
        _writer.add_scalar("epoch/train_loss", (float)epoch.TrainLoss, epoch.Epoch);
        if (epoch.Evaluation is { } evaluation)
        {
            _writer.add_scalar("epoch/eval_loss", (float)evaluation.Loss, epoch.Epoch);
            _writer.add_scalar("epoch/eval_accuracy", (float)evaluation.Accuracy, epoch.Epoch);
        }
    }
}
