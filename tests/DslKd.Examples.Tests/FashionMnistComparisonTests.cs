using System.Text.Json;
using FashionMnistExample;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>
/// The compare command on a tiny slice: one teacher, each recipe for each student seed, the test set read only after
/// every model is trained, models reused by a second run, and recipes that read other teacher features kept in their own
/// cache instead of rebuilding the shared one.
/// </summary>
public sealed class FashionMnistComparisonTests : IDisposable
{
    private static readonly string EmbeddedSubset = Path.Combine(ExampleProcess.RepositoryRoot, "data", "fashion-mnist-subset");

    private readonly string _output = Path.Combine(Path.GetTempPath(), "dslkd-compare-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    private (int ExitCode, string Output, string Error) Compare(params string[] extra) => CompareOn("cnn", extra);

    private (int ExitCode, string Output, string Error) CompareOn(string pair, params string[] extra) => ExampleProcess.Run("FashionMnist", "fashion-mnist",
    [
        "compare", "--pair", pair, "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600", "--limit-test", "200",
        "--teacher-epochs", "1", "--student-epochs", "1", "--distil-epochs", "1", "--threads", "2", .. extra,
    ]);

    private static readonly string[] Rows = ["--recipes", "alone", "SmallCnnDistil", "SmallCnnAttentionDistil"];

    [Fact]
    public void Compare_trains_every_recipe_per_seed_then_reads_the_test_set_and_reuses_them_on_a_second_run()
    {
        var (exitCode, output, error) = Compare([.. Rows, "--student-seeds", "1", "2"]);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var lines = output.Split('\n');
        var lastEpoch = Array.FindLastIndex(lines, l => l.Contains("comparison") && l.Contains(": epoch 1/1"));
        var measuring = Array.FindIndex(lines, l => l.Contains("Measuring every compared model on the test set"));
        Assert.True(lastEpoch >= 0 && measuring > lastEpoch, "the test set must be read after the last model is trained");
        foreach (var seed in new[] { 1, 2 })
        foreach (var row in new[] { "alone", "SmallCnnDistil", "SmallCnnAttentionDistil" })
            Assert.True(File.Exists(Path.Combine(_output, "cnn", "comparison", $"seed-{seed}", row + ".dkd")), $"seed {seed} {row} is missing");

        // Logit-only recipes share the cache; attention transfer keeps its features in a file of its own, and nothing is rebuilt.
        Assert.DoesNotContain("teacher outputs rebuilt", output);
        Assert.Single(Directory.GetFiles(Path.Combine(_output, "cnn"), "teacher-outputs.*+*.cache"));
        Assert.True(File.Exists(Path.Combine(_output, "cnn", "teacher-outputs.cache")));

        var markdown = File.ReadAllText(Path.Combine(_output, "cnn", "comparison", "comparison.md"));
        Assert.StartsWith("# Recipe comparison (cnn pair)", markdown);
        Assert.Contains("Student seeds: 1, 2; mean (sample std) over them.", markdown);
        // What reproduces the table, and the one budget every student had.
        Assert.Contains("--project examples/FashionMnist -- compare --pair cnn --output ", markdown);
        Assert.Contains("Students' training: alone: 1 epoch, Adam 0.002, cosine, batch 128, no augmentation, early stopping after 10; SmallCnnDistil: 1 epoch, Adam 0.001, ", markdown);
        Assert.Contains("| alone | cross-entropy with the labels, label smoothing 0.1 | ", markdown);
        Assert.Contains("SoftTargets.Temperature = 2, SoftTargets.Weight = 0.5, HardLabels.Weight = 0.5, Layer3Attention.Weight = 1000 |", markdown);
        Assert.Contains("(best by validation)", markdown);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "cnn", "comparison", "comparison.json"))))
        {
            var runs = json.RootElement.GetProperty("Runs");
            Assert.Equal(6, runs.GetArrayLength());
            foreach (var run in runs.EnumerateArray())
            {
                Assert.InRange(run.GetProperty("Test").GetDouble(), 0.0, 1.0);
                Assert.InRange(run.GetProperty("Validation").GetDouble(), 0.0, 1.0);
                Assert.True(run.GetProperty("TrainingSeconds").GetDouble() > 0);
            }
            // Each row's test mean is the mean of its seeds.
            foreach (var row in json.RootElement.GetProperty("Rows").EnumerateArray())
            {
                var perSeed = row.GetProperty("TestPerSeed").EnumerateArray().Select(t => t.GetDouble()).ToList();
                Assert.Equal(2, perSeed.Count);
                Assert.Equal(perSeed.Average(), row.GetProperty("TestMean").GetDouble(), 12);
            }
        }

        // A second run with one more seed trains only that seed's models.
        var (againExit, again, againError) = Compare([.. Rows, "--student-seeds", "1", "2", "3"]);
        Assert.True(againExit == 0, $"exit {againExit}\n{again}\n{againError}");
        Assert.Equal(6, again.Split('\n').Count(l => l.Contains("comparison") && l.Contains(": reusing ")));
        Assert.Equal(3, again.Split('\n').Count(l => l.Contains("comparison") && l.Contains(": epoch 1/1")));
        Assert.All(again.Split('\n').Where(l => l.Contains(": epoch 1/1")), l => Assert.Contains("seed-3", l));
        Assert.Contains("Student seeds: 1, 2, 3;", File.ReadAllText(Path.Combine(_output, "cnn", "comparison", "comparison.md")));
    }

    [Fact]
    public void Label_smoothing_for_the_student_alone_is_its_own_recipe_named_in_the_table_and_retrains_the_baseline()
    {
        // On the MLP pair, whose baseline does not smooth by default (the CNN pair's does: TrainSmallCnnAlone).
        var (exitCode, output, error) = CompareOn("mlp", "--recipes", "alone", "--student-seeds", "1", "--alone-label-smoothing");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var markdown = File.ReadAllText(Path.Combine(_output, "comparison", "comparison.md"));
        Assert.Contains("| alone | cross-entropy with the labels, label smoothing 0.1 | ", markdown);
        var savedPath = Path.Combine(_output, "comparison", "seed-1", "alone.dkd.json");
        using (var metadata = JsonDocument.Parse(File.ReadAllText(savedPath)))
        {
            Assert.Equal(nameof(TrainSmoothedStudentAlone), metadata.RootElement.GetProperty("Recipe").GetString());
            Assert.Equal(0.1, metadata.RootElement.GetProperty("LabelSmoothing").GetDouble());
        }
        // The main report's Loss column says the same as the comparison's.
        var saved = JsonSerializer.Deserialize<TrainedModelInfo>(File.ReadAllText(savedPath), ModelStore.Json)!;
        Assert.Equal("cross-entropy with the labels, label smoothing 0.1", TrainingSummary.Of(saved).DescribeLoss());

        // The saved baseline was trained another way: without the option it is trained again, not reused.
        var (againExit, again, againError) = CompareOn("mlp", "--recipes", "alone", "--student-seeds", "1");
        Assert.True(againExit == 0, $"exit {againExit}\n{again}\n{againError}");
        Assert.Contains("comparison/seed-1/alone: epoch 1/1", again.Replace('\\', '/'));
        Assert.Contains("| alone | cross-entropy with the labels | ", File.ReadAllText(Path.Combine(_output, "comparison", "comparison.md")));
        using (var retrained = JsonDocument.Parse(File.ReadAllText(savedPath)))
            Assert.False(retrained.RootElement.TryGetProperty("LabelSmoothing", out _));
    }

    [Fact]
    public void The_cnn_pairs_baseline_smooths_its_labels_as_validation_chose_so_the_option_changes_nothing_there()
    {
        var cnn = ExamplePair.Find("cnn");

        Assert.Equal(0.1, cnn.StudentAlone.LabelSmoothing);
        Assert.Same(cnn.StudentAlone, cnn.SmoothedStudentAlone);
        Assert.Equal(0, ExamplePair.Find("mlp").StudentAlone.LabelSmoothing);
        Assert.NotEqual(0, ExamplePair.Find("mlp").SmoothedStudentAlone.LabelSmoothing);
    }

    [Fact]
    public void An_unknown_recipe_is_refused_before_anything_trains()
    {
        var (exitCode, output, error) = Compare("--recipes", "alone", "SmallCnnDistill");

        Assert.Equal(1, exitCode);
        Assert.Contains("The cnn pair has no recipe 'SmallCnnDistill' to compare; choose among alone, SmallCnnTextbookDistil, SmallCnnStandardizedDistil, SmallCnnDistil", error);
        Assert.DoesNotContain("epoch", output);
        Assert.False(File.Exists(Path.Combine(_output, "cnn", "teacher.dkd")));
    }

    [Fact]
    public void The_table_names_each_rows_budget_when_recipes_train_differently_and_one_budget_when_they_do_not()
    {
        const string slow = "30 epochs, Adam 0.001, cosine", fast = "30 epochs, Adam 0.004, cosine";

        Assert.Equal([slow], ComparisonJob.BudgetsOf([("alone", slow), ("SmallCnnDistil", slow), ("alone", slow), ("SmallCnnDistil", null)]));
        Assert.Equal(["alone: " + slow, "SmallCnnStandardizedDistil: " + fast],
            ComparisonJob.BudgetsOf([("alone", slow), ("SmallCnnStandardizedDistil", fast), ("alone", slow), ("SmallCnnStandardizedDistil", fast)]));
        Assert.Empty(ComparisonJob.BudgetsOf([("alone", null)]));
    }

    [Fact]
    public void Rows_are_the_student_alone_the_textbook_recipe_and_each_tunable_recipe_once()
    {
        var pair = ExamplePair.Find("cnn");
        var rows = ComparisonJob.RowsOf(pair);

        Assert.Equal(ComparisonJob.AloneRow, rows[0]);
        Assert.Equal(pair.Textbook.Name, rows[1]);
        Assert.Equal(pair.Tunable.Select(r => r.Name), rows.Skip(2));
        Assert.Equal(rows.Count, rows.Distinct().Count());
    }
}
