using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace DslKd;

/// <summary>
/// A tuning run's finished trials in one JSON file, rewritten atomically after each trial, with the identity of the
/// run (grid, starting settings, options, data) so that only the same run reuses it.
/// </summary>
internal sealed class TuningResultsFile(string path, string identity)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private sealed record Content(string Identity, List<TrialResult> Trials);

    /// <summary>The trials an earlier run of the same tuning finished; none if there is no file.</summary>
    public IReadOnlyList<TrialResult> Load()
    {
        if (!File.Exists(path)) return [];
        Content? content;
        try
        {
            content = JsonSerializer.Deserialize<Content>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Tuning results '{path}' are corrupt ({e.Message}); delete the file to start the tuning over.", e);
        }
        if (content?.Trials is null || content.Identity is null)
            throw new InvalidDataException($"Tuning results '{path}' are incomplete; delete the file to start the tuning over.");
        if (content.Identity != identity)
            throw new InvalidOperationException(
                $"Tuning results '{path}' belong to another tuning run (another grid, recipe, options or data):{Environment.NewLine}" +
                $"  file: {content.Identity}{Environment.NewLine}  this: {identity}{Environment.NewLine}Use another results path, or delete the file to start over.");
        return content.Trials;
    }

    public void Save(List<TrialResult> trials) =>
        AtomicFile.Write(path, writer => writer.Write(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Content(identity, trials), Json))));
}
