using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Early stopping's memory: the best epoch so far by a metric and its weights, kept in memory and, with a checkpoint
/// directory, in a file per best epoch next to the checkpoint (<c>best-7.dkd</c>), so a resumed run still ends with the
/// best weights. The files are model files (<see cref="ModelFile"/>: checksum, architecture, tensors). A new best is
/// written before the checkpoint that records it, and older ones are deleted only after: a crash between the two leaves
/// both files, and the resumed history names the right one.
/// </summary>
internal sealed class BestWeights(nn.Module trainable, EpochMetric metric)
{
    // A model file (ModelFile.Load reads it), with the epoch as metadata.
    private static readonly SealedFileKind Kind = ModelFile.Kind with
    {
        Noun = "best-weights file",
        Advice = "delete the checkpoint folder (or use another CheckpointDirectory) to start the run over",
    };

    private byte[]? _weights;

    public int? Epoch { get; private set; }
    public double Value { get; private set; } = metric.Worst;

    /// <summary>The file holding the best weights of <paramref name="epoch"/>.</summary>
    public static string PathOf(string checkpointDirectory, int epoch) => Path.Combine(checkpointDirectory, $"best-{epoch}.dkd");

    /// <summary>After a resume: the best epoch of the history so far (the earliest of equals), and its weights from the file.</summary>
    public void Resume(IReadOnlyList<EpochResult> history, string? checkpointDirectory)
    {
        var scored = history.Select(e => (e.Epoch, Value: metric.Read(e))).Where(s => s.Value is { } value && !double.IsNaN(value)).ToList();
        if (scored.Count == 0) return;
        var best = (metric.Mode == MetricMode.Max ? scored.OrderByDescending(s => s.Value) : scored.OrderBy(s => s.Value)).ThenBy(s => s.Epoch).First();
        var path = checkpointDirectory is null ? null : PathOf(checkpointDirectory, best.Epoch);
        if (path is null || !File.Exists(path))
            throw new InvalidDataException($"Resuming with early stopping needs the best weights '{path}', which are missing; delete the checkpoint to start over.");
        var (info, weights) = ModelFile.ReadChecked(path, Kind, trainable, checkArchitecture: true);
        if (info.Metadata != Metadata(best.Epoch))
            throw new InvalidDataException($"The best-weights file '{path}' holds the weights of {info.Metadata ?? "an unnamed epoch"}, not of epoch {best.Epoch}. Delete the checkpoint folder (or use another CheckpointDirectory) to start the run over.");
        (Epoch, Value, _weights) = (best.Epoch, best.Value!.Value, weights);
    }

    /// <summary>Records an epoch's result; returns whether it is the new best (strictly better). Writes its weights to the checkpoint directory, if any.</summary>
    public bool Offer(EpochResult result, string? checkpointDirectory)
    {
        if (metric.Read(result) is not { } value || !metric.Improves(value, Value)) return false;
        (Epoch, Value) = (result.Epoch, value);
        _weights = ModelFile.StateOf(trainable);
        if (checkpointDirectory is not null)
            ModelFile.Write(PathOf(checkpointDirectory, result.Epoch), Kind, ModelArchitecture.Describe(trainable), ModelFile.TensorsOf(trainable), Metadata(result.Epoch), _weights);
        return true;
    }

    /// <summary>Once a checkpoint records the current best: deletes the files of earlier (or abandoned) best epochs.</summary>
    public void CheckpointSaved(string? checkpointDirectory)
    {
        if (checkpointDirectory is null || Epoch is not { } current) return;
        foreach (var file in Directory.EnumerateFiles(checkpointDirectory, "best-*.dkd"))
            if (file != PathOf(checkpointDirectory, current)) File.Delete(file);
    }

    /// <summary>Loads the best weights back into the model.</summary>
    public void Restore()
    {
        if (_weights is null) return;
        ModelFile.LoadState(trainable, _weights, "(best weights in memory)", Kind);
    }

    private static string Metadata(int epoch) => $"best weights of epoch {epoch}";
}
