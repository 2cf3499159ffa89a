using System.Globalization;
using DslKd;
using Spectre.Console;

namespace FashionMnistExample;

/// <summary>
/// The tune sub-command: a grid search of the distillation recipe's loss settings on the validation split (the test set
/// is never opened), written as a table, a heatmap and the winning attribute lines.
/// </summary>
public sealed class TuningJob(JobSettings settings)
{
    /// <summary>Hinton's temperature against the share of the loss on soft targets (the rest on the labels).</summary>
    public static readonly string[] DefaultGrid = ["SoftTargets.Temperature=1,2,4,8", "SoftTargets.Weight+HardLabels.Weight=0.5,0.7,0.9"];

    /// <summary>The recipes `tune --recipe` can search.</summary>
    public static readonly string[] Recipes = [nameof(Distil), nameof(DecoupledDistil)];

    public TuningResult Run(IReadOnlyList<TuningAxis> axes, int? epochs, string recipe = nameof(Distil))
    {
        var job = new MainJob(settings);
        var (teacher, _) = job.Teacher();
        FashionMlp Student() => new(seed: settings.Seed + 2);
        return recipe switch
        {
            nameof(Distil) => Run(job, axes, epochs, Distil.DefaultLoss, Distil.DefaultOptions,
                loss => new Distil(teacher, Student(), seed: settings.Seed + 3, loss: loss)),
            nameof(DecoupledDistil) => Run(job, axes, epochs, DecoupledDistil.DefaultLoss, DecoupledDistil.DefaultOptions,
                loss => new DecoupledDistil(teacher, Student(), seed: settings.Seed + 3, loss: loss)),
            _ => throw new ArgumentException($"There is no recipe '{recipe}' to tune; choose {string.Join(" or ", Recipes)}."),
        };
    }

    private TuningResult Run<TSettings>(MainJob job, IReadOnlyList<TuningAxis> axes, int? epochs, TSettings defaults, TrainingOptions defaultOptions,
        Func<TSettings, ITrainingTask> create) where TSettings : ILossSettings
    {
        var directory = Path.Combine(settings.OutputDirectory, "tuning");
        var start = settings.Loss is { } text ? LossSettingsSupport.Apply(defaults, text) : defaults;
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

        Write(directory, axes, result, job.Data.Description, job.Data.Validation.Count, typeof(TSettings).DeclaringType!.Name);
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

    private static void Write(string directory, IReadOnlyList<TuningAxis> axes, TuningResult result, string data, long validationCount, string recipe)
    {
        var best = result.Best;
        // The main job's --loss overrides the Distil recipe; another recipe's winner is pasted, not passed.
        var overrideLine = recipe == nameof(Distil)
            ? $"Or as a run-time override of the example: `--loss \"{best.LossSettings}\"`"
            : $"The example's --loss overrides the Distil recipe only; as settings text for {recipe}: `{best.LossSettings}`";
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
