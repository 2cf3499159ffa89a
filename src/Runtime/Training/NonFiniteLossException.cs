using System;

namespace DslKd;

/// <summary>
/// Training stopped because a loss became NaN or infinite. Nothing was written for the failing epoch, so the run's
/// checkpoint, if it keeps one, still holds the state after the last completed epoch; the message says where.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>A non-finite loss, without saying what the run saved.</summary>
    public NonFiniteLossException(string run, string term, double value, int epoch, long step)
        : base(Describe(run, term, value, epoch, step) + "Training stopped; nothing of this epoch was saved. " + Advice)
    {
        (Term, Epoch, Step) = (term, epoch, step);
    }

    /// <summary>A non-finite loss in a run that keeps its checkpoint in <paramref name="checkpointDirectory"/> (null: none).</summary>
    /// <param name="run">The recipe's name.</param>
    /// <param name="term">The first term that was not finite.</param>
    /// <param name="value">Its value.</param>
    /// <param name="epoch">1-based epoch.</param>
    /// <param name="step">1-based step within the epoch.</param>
    /// <param name="checkpointDirectory">Where the run keeps its checkpoint, or null when it keeps none.</param>
    /// <param name="completedEpochs">Epochs completed before this one (including those a resume restored): what the checkpoint holds.</param>
    public NonFiniteLossException(string run, string term, double value, int epoch, long step, string? checkpointDirectory, int completedEpochs)
        : base(Describe(run, term, value, epoch, step) + Saved(epoch, checkpointDirectory, completedEpochs) + Advice)
    {
        (Term, Epoch, Step, CheckpointDirectory, CompletedEpochs) = (term, epoch, step, checkpointDirectory, completedEpochs);
    }

    /// <summary>The first term that was not finite ("Total" when all terms were finite but their sum was not).</summary>
    public string Term { get; }
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }
    /// <summary>1-based step within the epoch.</summary>
    public long Step { get; }
    /// <summary>Where the run keeps its checkpoint (the state after <see cref="CompletedEpochs"/>), or null when it keeps none or did not say.</summary>
    public string? CheckpointDirectory { get; }
    /// <summary>Epochs completed before the failing one; the checkpoint, if any, holds the state after the last of them.</summary>
    public int CompletedEpochs { get; }

    private const string Advice = "Lower the learning rate, enable gradient clipping, or check the inputs for NaN.";

    private static string Describe(string run, string term, double value, int epoch, long step) =>
        FormattableString.Invariant($"{run}: the loss term '{term}' became {value} at epoch {epoch}, step {step}. ");

    private static string Saved(int epoch, string? checkpointDirectory, int completedEpochs) => (checkpointDirectory, completedEpochs) switch
    {
        (null, _) => "Training stopped; the run keeps no checkpoint (no CheckpointDirectory), so its progress is lost. ",
        (_, 0) => $"Training stopped in its first epoch, before any checkpoint was written to {checkpointDirectory}. ",
        _ => $"Training stopped; nothing of epoch {epoch} was saved: the checkpoint in {checkpointDirectory} holds the state after epoch {completedEpochs}, the last good one. ",
    };
}
