using System;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Early stopping's memory: the best epoch so far by evaluation accuracy and its weights, kept in memory and, with a
/// checkpoint directory, in a file per best epoch next to the checkpoint (<c>best-7.dkd</c>), so a resumed run still
/// ends with the best weights. A new best is written before the checkpoint that records it, and older ones are deleted
/// only after: a crash between the two leaves both files, and the resumed history names the right one.
/// </summary>
internal sealed class BestWeights
{
    private readonly nn.Module _trainable;
    private readonly string? _directory;
    private byte[]? _weights;

    public BestWeights(nn.Module trainable, string? checkpointDirectory)
    {
        _trainable = trainable;
        _directory = checkpointDirectory;
    }

    public int? Epoch { get; private set; }
    public double Accuracy { get; private set; } = double.NegativeInfinity;

    /// <summary>The file holding the best weights of <paramref name="epoch"/>.</summary>
    public static string PathOf(string checkpointDirectory, int epoch) => Path.Combine(checkpointDirectory, $"best-{epoch}.dkd");

    /// <summary>After a resume: the best epoch of the history so far, and its weights from the file.</summary>
    public void Resume(System.Collections.Generic.IReadOnlyList<EpochResult> history)
    {
        var best = history.Where(e => e.Evaluation is not null).OrderByDescending(e => e.Evaluation!.Accuracy).ThenBy(e => e.Epoch).FirstOrDefault();
        if (best is null) return;
        var path = _directory is null ? null : PathOf(_directory, best.Epoch);
        if (path is null || !File.Exists(path))
            throw new InvalidDataException($"Resuming with early stopping needs the best weights '{path}', which are missing; delete the checkpoint to start over.");
        (Epoch, Accuracy, _weights) = (best.Epoch, best.Evaluation!.Accuracy, File.ReadAllBytes(path));
    }

    /// <summary>Records an epoch's result; returns whether it is the new best (strictly better accuracy).</summary>
    public bool Offer(EpochResult result)
    {
        if (result.Evaluation is not { } evaluation || !(evaluation.Accuracy > Accuracy)) return false;
        (Epoch, Accuracy) = (result.Epoch, evaluation.Accuracy);
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) _trainable.save(writer);
        _weights = memory.ToArray();
        if (_directory is not null) AtomicFile.Write(PathOf(_directory, result.Epoch), writer => writer.Write(_weights));
        return true;
    }

    /// <summary>Once a checkpoint records the current best: deletes the files of earlier (or abandoned) best epochs.</summary>
    public void CheckpointSaved()
    {
        if (_directory is null || Epoch is not { } current) return;
        foreach (var file in Directory.EnumerateFiles(_directory, "best-*.dkd"))
            if (file != PathOf(_directory, current)) File.Delete(file);
    }

    /// <summary>Loads the best weights back into the model.</summary>
    public void Restore()
    {
        if (_weights is null) return;
        using var reader = new BinaryReader(new MemoryStream(_weights));
        _trainable.load(reader);
    }
}
