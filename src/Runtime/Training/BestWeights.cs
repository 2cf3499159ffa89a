using System;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Early stopping's memory: the best epoch so far by evaluation accuracy and its weights, kept in memory and, with a
/// checkpoint directory, in a file next to the checkpoint, so a resumed run still ends with the best weights.
/// </summary>
internal sealed class BestWeights
{
    public const string FileName = "best.dkd";

    private readonly nn.Module _trainable;
    private readonly string? _path;
    private byte[]? _weights;

    public BestWeights(nn.Module trainable, string? checkpointDirectory)
    {
        _trainable = trainable;
        _path = checkpointDirectory is null ? null : Path.Combine(checkpointDirectory, FileName);
    }

    public int? Epoch { get; private set; }
    public double Accuracy { get; private set; } = double.NegativeInfinity;

    /// <summary>After a resume: the best epoch of the history so far, and its weights from the file.</summary>
    public void Resume(System.Collections.Generic.IReadOnlyList<EpochResult> history)
    {
        var best = history.Where(e => e.Evaluation is not null).OrderByDescending(e => e.Evaluation!.Accuracy).ThenBy(e => e.Epoch).FirstOrDefault();
        if (best is null) return;
        if (_path is null || !File.Exists(_path))
            throw new InvalidDataException($"Resuming with early stopping needs the best weights '{_path}', which are missing; delete the checkpoint to start over.");
        (Epoch, Accuracy, _weights) = (best.Epoch, best.Evaluation!.Accuracy, File.ReadAllBytes(_path));
    }

    /// <summary>Records an epoch's result; returns whether it is the new best (strictly better accuracy).</summary>
    public bool Offer(EpochResult result)
    {
        if (result.Evaluation is not { } evaluation || !(evaluation.Accuracy > Accuracy)) return false;
        (Epoch, Accuracy) = (result.Epoch, evaluation.Accuracy);
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) _trainable.save(writer);
        _weights = memory.ToArray();
        if (_path is not null) AtomicFile.Write(_path, writer => writer.Write(_weights));
        return true;
    }

    /// <summary>Loads the best weights back into the model.</summary>
    public void Restore()
    {
        if (_weights is null) return;
        using var reader = new BinaryReader(new MemoryStream(_weights));
        _trainable.load(reader);
    }
}
