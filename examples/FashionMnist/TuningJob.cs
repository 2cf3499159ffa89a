using System.Globalization;
using DslKd;
using Spectre.Console;

namespace FashionMnistExample;

/// <summary>
/// The tune sub-command: a grid search of a distillation recipe of the pair (its default unless --recipe says) over its loss settings on the validation split (the test set
/// is never opened), written as a table, a heatmap and the winning attribute lines.
/// </summary>
public sealed class TuningJob(JobSettings settings)
{
    /// <summary>Hinton's temperature against the share of the loss on soft targets (the rest on the labels).</summary>
    public static readonly string[] DefaultGrid = ["SoftTargets.Temperature=1,2,4,8", "SoftTargets.Weight+HardLabels.Weight=0.5,0.7,0.9"];

    /// <summary>What `tune --recipe` accepts: every pair's tunable recipes (each pair checks its own).</summary>
    public static string[] Recipes => ExamplePair.All.SelectMany(p => p.Tunable.Select(r => r.Name)).Distinct().ToArray();

    /// <summary>Searches <paramref name="recipe"/> (the pair's default recipe when null), from its loss settings with --loss applied.</summary>
    public TuningResult Run(IReadOnlyList<TuningAxis> axes, int? epochs, string? recipe = null)
    {
        var pair = settings.Pair;
        var chosen = pair.TunableRecipe(recipe);
        // Checked before the teacher trains: a mistyped --loss fails at once.
        var start = chosen.WithOverrides(settings.Loss);
        // The job trains (or reuses) the teacher; --loss is this recipe's, not the default recipe's the job would check it against.
        var job = new MainJob(settings with { Loss = null });
        var (teacher, _) = job.Teacher();
        return Run(job, pair, axes, epochs, chosen, start,
            loss => chosen.Create(teacher, pair.NewStudent(settings.Seed + 2), settings.Seed + 3, loss));
    }

    private TuningResult Run(MainJob job, ExamplePair pair, IReadOnlyList<TuningAxis> axes, int? epochs, DistillationRecipe recipe, ILossSettings start,
        Func<ILossSettings, ITrainingTask> create)
    {
        var directory = Path.Combine(settings.OutputDirectory, "tuning");
        var defaultOptions = recipe.DefaultOptions;
        var options = settings.StudentAugmentation().ApplyTo(settings.ForStudents(defaultOptions) with
        {
            Epochs = epochs ?? settings.DistilEpochs ?? defaultOptions.Epochs,
            Seed = settings.Seed + 2,
            EarlyStoppingPatience = settings.Patience,
            TeacherCachePath = settings.TeacherCachePath,
            CheckpointDirectory = Path.Combine(directory, "checkpoints"),
        });
        AnsiConsole.MarkupLine($"[bold]Tuning[/] {Markup.Escape(string.Join("; ", axes))} on the validation split ({options.Epochs} epochs per trial, early stopping after {settings.Patience})");

        var result = RecipeTuner.Run(axes, start, options, create,
            job.Data.Train, job.Data.Validation, Path.Combine(directory, "tuning.json"), new SynchronousProgress<TuningEvent>(Report));

        Write(directory, axes, result, job.Data.Description, job.Data.Validation.Count, recipe.Name, pair);
        return result;
    }

    private static void Report(TuningEvent e)
    {
        switch (e)
        {
            case TrialStarted started:
                Console.WriteLine($"trial {started.Trial}/{started.Trials}: {Values(started.Values)}");
                break;
            case TrialProgress { Event: EpochCompleted completed } progress:
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  trial {progress.Trial}: epoch {completed.Result.Epoch}/{completed.Epochs}, validation accuracy {completed.Result.Evaluation!.Accuracy * 100:F2}%"));
                break;
            case TrialProgress { Event: DivergenceWarning diverging } progress:
                Console.WriteLine($"  trial {progress.Trial}: warning: {diverging.Message}");
                break;
            case TrialCompleted completed:
                var trial = $"trial {completed.Result.Trial}/{completed.Trials}{(completed.Reused ? " (from the results file)" : "")}";
                Console.WriteLine(completed.Result.Failure is { } failure
                    ? $"{trial}: diverged ({failure})"
                    : string.Create(CultureInfo.InvariantCulture, $"{trial}: validation accuracy {completed.Result.ValidationAccuracy * 100:F2}% at epoch {completed.Result.Epoch}"));
                break;
        }
    }

    private static string Values(IReadOnlyDictionary<string, double> values) =>
        string.Join(", ", values.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} = {kv.Value}")));

    private static void Write(string directory, IReadOnlyList<TuningAxis> axes, TuningResult result, string data, long validationCount, string recipe, ExamplePair pair)
    {
        var best = result.Best;
        // The main job's --loss overrides the pair's default recipe; another recipe's winner is pasted, not passed.
        var pairOption = pair == ExamplePair.DefaultPair ? "" : $"--pair {pair.Key} ";
        var overrideLine = recipe == pair.Default.Name
            ? $"Or as a run-time override of the example: `{pairOption}--loss \"{best.LossSettings}\"`"
            : $"The example's --loss overrides the {pair.Default.Name} recipe only; as settings text for {recipe}: `{best.LossSettings}`";
        if (best.Values.ContainsKey(TuningAxis.LearningRate) || best.Values.ContainsKey(TuningAxis.Epochs))
            overrideLine += " (it covers the loss settings; the learning rate and epochs go in with the attribute lines)";
        var error = Plots.StandardErrorPoints(best.ValidationAccuracy, validationCount);
        var markdown = $"""
            # Distillation recipe tuning: {recipe}

            Data: {data} (the test set is not read).
            Grid: {string.Join("; ", axes)}.

            {result.ToMarkdownTable()}
            Best: trial {best.Trial}, {best.ValidationAccuracy * 100:F2}% on validation. One cell is one accuracy on {validationCount:N0} images, with a standard error of ±{error:F2} points, so cells within {2 * Math.Sqrt(2) * error:F2} points of the best (two standard errors of a difference) tie with it. As attributes for the {recipe} class:

            ```csharp
            {best.Attributes}
            ```

            {overrideLine}

            """;
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "tuning.md"), markdown);
        Plots.Tuning(Path.Combine(directory, "tuning.png"), result, validationCount);

        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine(result.ToMarkdownTable());
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]Best:[/] trial {best.Trial}, {best.ValidationAccuracy * 100:F2}% on validation. Paste into the recipe class:"));
        Console.WriteLine(best.Attributes);
        AnsiConsole.MarkupLine(Markup.Escape(overrideLine));
        AnsiConsole.MarkupLine($"Table and heatmap: {Markup.Escape(Path.Combine(directory, "tuning.md"))}, tuning.png");
    }
}
