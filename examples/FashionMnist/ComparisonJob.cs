using System.Globalization;
using System.Text;
using System.Text.Json;
using DslKd;
using Spectre.Console;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>
/// The compare sub-command: one teacher (the job's --seed), and for each student seed the student alone, the textbook
/// recipe and every tunable recipe of the pair, each from the same initial weights of that seed and with the same
/// budget (epochs, early stopping, augmentation). Every model is trained first and chosen on the validation split; the
/// test set is read once at the end, for the table (comparison.md, comparison.json under <c>comparison/</c>). Models are
/// saved per seed and recipe, so a killed or extended comparison reuses what it has.
/// </summary>
public sealed class ComparisonJob(JobSettings settings)
{
    /// <summary>The folder under the pair's output folder that holds the comparison's models and tables.</summary>
    public const string FolderName = "comparison";

    /// <summary>The row of the student trained on the labels alone.</summary>
    public const string AloneRow = "alone";

    /// <summary>The rows a comparison can train: the student alone, the textbook recipe and the pair's tunable recipes.</summary>
    public static IReadOnlyList<string> RowsOf(ExamplePair pair) =>
        [AloneRow, pair.Textbook.Name, .. pair.Tunable.Select(r => r.Name).Where(name => name != pair.Textbook.Name)];

    /// <summary>
    /// Trains what is missing for <paramref name="rows"/> (all when null) and <paramref name="studentSeeds"/>, then writes
    /// the table, headed by <paramref name="command"/> (the command line that reproduces it) when given.
    /// </summary>
    public ComparisonReport Run(IReadOnlyList<long> studentSeeds, IReadOnlyList<string>? rows = null, string? command = null)
    {
        var pair = settings.Pair;
        var chosen = rows is { Count: > 0 } ? rows : RowsOf(pair);
        var unknown = chosen.Where(r => !RowsOf(pair).Contains(r)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"The {pair.Key} pair has no recipe {string.Join(", ", unknown.Select(u => $"'{u}'"))} to compare; choose among {string.Join(", ", RowsOf(pair))}.");
        if (chosen.Distinct().Count() != chosen.Count)
            throw new ArgumentException("--recipes names a recipe twice; name each once.");
        if (studentSeeds.Count == 0 || studentSeeds.Distinct().Count() != studentSeeds.Count)
            throw new ArgumentException("--student-seeds needs at least one seed, each once.");

        var job = new MainJob(settings);
        // Loaded (not used) first, so a missing test file fails before hours of training.
        _ = job.Test;
        var (teacher, _) = job.Teacher();
        var trained = new List<(string Row, long Seed, nn.Module<Tensor, Tensor> Model, string Name)>();
        foreach (var seed in studentSeeds)
        foreach (var row in chosen)
        {
            var name = Path.Combine(FolderName, $"seed-{seed.ToString(CultureInfo.InvariantCulture)}", row);
            var model = row == AloneRow
                ? job.StudentAlone(name, seed).Model
                : job.DistilStudent(name, Recipe(pair, row), Loss(pair, row), teacher, seed).Model;
            trained.Add((row, seed, model, name));
        }

        // Every choice is made; now the test set.
        AnsiConsole.MarkupLine("[bold]Measuring[/] every compared model on the test set...");
        var teacherTest = Evaluator.Evaluate(Eval(teacher).call, job.Test, 512).Accuracy;
        var runs = trained.Select(t =>
        {
            var info = job.TrainingOf(t.Name);
            var kept = info.History.FirstOrDefault(e => e.Epoch == info.KeptEpoch) ?? info.History[^1];
            return new ComparisonRun(t.Row, t.Seed, kept.Evaluation?.Accuracy ?? double.NaN, Evaluator.Evaluate(Eval(t.Model).call, job.Test, 512).Accuracy,
                info.History.Count, kept.Epoch, info.History.Sum(e => e.Elapsed.TotalSeconds));
        }).ToList();
        var report = new ComparisonReport(job.Data.Description, pair.Key, teacherTest, job.Data.Validation.Count, job.Test.Count,
            chosen.Select(row => ComparisonRow.Of(row, Describe(pair, row, job), runs.Where(r => r.Row == row).ToList())).ToList(), runs)
        {
            Command = command,
            Budgets = BudgetsOf(trained.Select(t => (t.Row, job.TrainingOf(t.Name).Options is { } o ? Budget(o) : null))),
        };
        report.Write(Path.Combine(settings.OutputDirectory, FolderName));
        AnsiConsole.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        return report;
    }

    /// <summary>
    /// The students' budgets for the table: the one every run shares, or, when recipes declare their own (a learning rate
    /// each picked on validation, say), each row's, named: "alone: 30 epochs, Adam 0.001, ...".
    /// </summary>
    public static IReadOnlyList<string> BudgetsOf(IEnumerable<(string Row, string? Budget)> runs)
    {
        var known = runs.Where(r => r.Budget is not null).ToList();
        var distinct = known.Select(r => r.Budget!).Distinct().ToList();
        return distinct.Count <= 1
            ? distinct
            : known.GroupBy(r => r.Row).Select(g => $"{g.Key}: {string.Join(" or ", g.Select(r => r.Budget).Distinct())}").ToList();
    }

    private static string Budget(TrainingSettings settings) =>
        string.Create(CultureInfo.InvariantCulture, $"{settings.Epochs} epoch{(settings.Epochs == 1 ? "" : "s")}, {settings.Describe()}");

    private static nn.Module<Tensor, Tensor> Eval(nn.Module<Tensor, Tensor> model)
    {
        model.eval();
        return model;
    }

    private static DistillationRecipe Recipe(ExamplePair pair, string row) =>
        row == pair.Textbook.Name ? pair.Textbook : pair.TunableRecipe(row);

    // The default recipe with --loss applied, as the main job trains it; every other recipe with its own numbers.
    private ILossSettings Loss(ExamplePair pair, string row) =>
        row == pair.Default.Name ? pair.Default.WithOverrides(settings.Loss) : Recipe(pair, row).DefaultLoss;

    private string Describe(ExamplePair pair, string row, MainJob job) => row == AloneRow
        ? job.AloneRecipe.LossDescription
        : string.Join(", ", Loss(pair, row).Values.Select(v => $"{v.Name} = {LossSettingsSupport.Format(v.Value)}"));
}

/// <summary>One trained model of a comparison.</summary>
/// <param name="Row">The recipe (or <see cref="ComparisonJob.AloneRow"/>).</param>
/// <param name="Seed">The student seed.</param>
/// <param name="Validation">Validation accuracy of the kept epoch (what early stopping chose on).</param>
/// <param name="Test">Test accuracy.</param>
/// <param name="EpochsRun">Epochs trained (fewer than asked when early stopping ended the run).</param>
/// <param name="KeptEpoch">The epoch whose weights were kept.</param>
/// <param name="TrainingSeconds">Sum of the epochs' times (training and validation).</param>
public sealed record ComparisonRun(string Row, long Seed, double Validation, double Test, int EpochsRun, int KeptEpoch, double TrainingSeconds);

/// <summary>One recipe over the seeds.</summary>
public sealed record ComparisonRow(string Row, string Loss, double ValidationMean, double ValidationSpread, double TestMean, double TestSpread,
    IReadOnlyList<double> TestPerSeed, double MinutesMean)
{
    public static ComparisonRow Of(string row, string loss, IReadOnlyList<ComparisonRun> runs) => new(row, loss,
        runs.Average(r => r.Validation), Spread(runs.Select(r => r.Validation)), runs.Average(r => r.Test), Spread(runs.Select(r => r.Test)),
        runs.Select(r => r.Test).ToList(), runs.Average(r => r.TrainingSeconds) / 60);

    /// <summary>Sample standard deviation (NaN for one value).</summary>
    public static double Spread(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count < 2) return double.NaN;
        var mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }
}

/// <summary>A comparison's table: one row per recipe, the seeds' mean and spread, written as markdown and JSON.</summary>
public sealed record ComparisonReport(string Data, string Pair, double TeacherTest, long ValidationCount, long TestCount,
    IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<ComparisonRun> Runs)
{
    /// <summary>The recipe with the best mean validation accuracy among the distillation recipes, or null without one.</summary>
    public ComparisonRow? BestByValidation => Rows.Where(r => r.Row != ComparisonJob.AloneRow).MaxBy(r => r.ValidationMean);

    /// <summary>The command line that reproduces the comparison, or null when it was not run from one.</summary>
    public string? Command { get; init; }

    /// <summary>The students' training settings ("30 epochs, Adam 0.001, cosine, batch 128, RandomFlip, ..."): one when every run shares them.</summary>
    public IReadOnlyList<string> Budgets { get; init; } = [];

    private ComparisonRow? Alone => Rows.FirstOrDefault(r => r.Row == ComparisonJob.AloneRow);

    public string ToMarkdown()
    {
        var seeds = Runs.Select(r => r.Seed).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine(F($"# Recipe comparison ({Pair} pair)"));
        text.AppendLine();
        if (Command is not null) text.AppendLine(F($"Command: `{Command}`")).AppendLine();
        text.AppendLine(F($"Data: {Data}. Teacher: {TeacherTest * 100:F2}% on the test set. Student seeds: {string.Join(", ", seeds)}; mean (sample std) over them."));
        if (Budgets.Count > 0) text.AppendLine(F($"Students' training: {string.Join("; ", Budgets)}."));
        text.AppendLine(F($"Recipes are chosen on validation ({ValidationCount:N0} images, standard error about ±{Plots.StandardErrorPoints(Rows.Average(r => r.ValidationMean), ValidationCount):F2} points per run); the test set ({TestCount:N0} images) was read after every model was trained."));
        text.AppendLine();
        text.AppendLine("| Recipe | Loss | Validation | Test | Test per seed | Gain over alone (test) | Minutes per run |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        var best = BestByValidation;
        foreach (var row in Rows)
        {
            var name = row == best ? $"**{row.Row}** (best by validation)" : row.Row;
            var gain = Alone is { } alone && row != alone ? F($"{(row.TestMean - alone.TestMean) * 100:+0.00;-0.00}") : "";
            text.AppendLine(F($"| {name} | {row.Loss} | {Percent(row.ValidationMean, row.ValidationSpread)} | {Percent(row.TestMean, row.TestSpread)} | {string.Join(", ", row.TestPerSeed.Select(t => F($"{t * 100:F2}")))} | {gain} | {row.MinutesMean:F1} |"));
        }
        return text.ToString();
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "comparison.md"), ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "comparison.json"), JsonSerializer.Serialize(this, ModelStore.Json));
    }

    private static string Percent(double mean, double spread) =>
        double.IsNaN(spread) ? F($"{mean * 100:F2}%") : F($"{mean * 100:F2}% ({spread * 100:F2})");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
