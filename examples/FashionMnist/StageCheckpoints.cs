using DslKd;
using Spectre.Console;

namespace FashionMnistExample;

/// <summary>
/// Each stage trains with a checkpoint after every epoch in <c>checkpoints/&lt;stage&gt;</c> under the output folder,
/// beside a file naming what the stage trains (data, recipe, options, architecture): a killed stage resumes there on
/// the next run with the same settings; a checkpoint of the stage with other settings cannot be resumed and is
/// discarded, saying so. The folder is removed once the stage's model is saved.
/// </summary>
public static class StageCheckpoints
{
    /// <summary>The file in a stage's checkpoint folder holding the identity of what it trains.</summary>
    public const string IdentityFileName = "stage.txt";

    public static string DirectoryOf(string outputDirectory, string stage) => Path.Combine(outputDirectory, "checkpoints", stage);

    /// <summary>The folder for <paramref name="stage"/> to checkpoint in, holding its checkpoint to resume if an earlier run of the same stage was interrupted.</summary>
    /// <param name="outputDirectory">The output folder.</param>
    /// <param name="stage">The stage's name (also its model's).</param>
    /// <param name="identity">What the stage trains (<see cref="TrainedModelInfo.Identity"/>).</param>
    public static string Prepare(string outputDirectory, string stage, string identity)
    {
        var directory = DirectoryOf(outputDirectory, stage);
        var identityPath = Path.Combine(directory, IdentityFileName);
        var hasCheckpoint = File.Exists(Path.Combine(directory, Checkpoint.FileName));
        if (Directory.Exists(directory))
        {
            if (ReadOrNull(identityPath) == identity)
            {
                if (hasCheckpoint)
                    AnsiConsole.MarkupLine($"[grey]{Markup.Escape(stage)}: an earlier run of this stage was interrupted; resuming it from {Markup.Escape(directory)}[/]");
                return directory;
            }
            if (hasCheckpoint)
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(stage)}: discarding the checkpoint in {Markup.Escape(directory)}: an interrupted run of this stage with other settings, which cannot be resumed by this one[/]");
            Directory.Delete(directory, recursive: true);
        }
        AtomicFile.WriteAllText(identityPath, identity);
        return directory;
    }

    /// <summary>Removes the stage's checkpoint folder (and <c>checkpoints</c> once it is empty): its model is saved.</summary>
    public static void Remove(string outputDirectory, string stage)
    {
        var directory = DirectoryOf(outputDirectory, stage);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        // Up to checkpoints/ itself: a stage named with a path (compare's "comparison/seed-1/alone") leaves no empty folders.
        var root = Path.GetFullPath(Path.Combine(outputDirectory, "checkpoints"));
        for (var parent = Path.GetDirectoryName(Path.GetFullPath(directory)); parent is not null && parent.Length >= root.Length; parent = Path.GetDirectoryName(parent))
        {
            if (!Directory.Exists(parent) || Directory.EnumerateFileSystemEntries(parent).Any()) break;
            Directory.Delete(parent);
        }
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
