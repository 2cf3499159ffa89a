using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>Grid search over a recipe's loss settings and training options, judged on a validation split.</summary>
[Collection("Training")]
public class TuningTests : IDisposable
{
    private static readonly LabeledDataset Train = QuadrantData.Create(160, seed: 30);
    private static readonly LabeledDataset Validation = QuadrantData.Create(200, seed: 31);
    private static readonly QuadrantTeacher Teacher = TrainedTeacher();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    private static readonly TuningAxis[] Grid =
    [
        new("SoftTargets.Temperature", [1, 4]),
        new("SoftTargets.Weight", [0.2, 0.9], complement: "HardLabels.Weight"),
        new(TuningAxis.LearningRate, [1e-3, 1e-2]),
    ];

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static QuadrantTeacher TrainedTeacher()
    {
        var teacher = new QuadrantTeacher(seed: 1);
        new TrainQuadrantTeacher(teacher).Train(QuadrantData.Create(400, seed: 32));
        return teacher;
    }

    private static TuningResult Tune(IReadOnlyList<TuningAxis>? grid = null, string? resultsPath = null, IProgress<TuningEvent>? progress = null, CancellationToken cancel = default) =>
        RecipeTuner.Run(grid ?? Grid, DistilQuadrants.DefaultLoss, DistilQuadrants.DefaultOptions with { Epochs = 2 },
            loss => new DistilQuadrants(Teacher, new QuadrantStudent(seed: 3), seed: 4, loss: loss),
            Train, Validation, resultsPath, progress, cancel);

    [Fact]
    public void Tries_every_combination_and_picks_the_best_by_validation_accuracy()
    {
        var result = Tune();

        Assert.Equal(8, result.Trials.Count);
        Assert.Equal(Enumerable.Range(1, 8), result.Trials.Select(t => t.Trial));
        // The last axis varies fastest; the complement follows its axis.
        Assert.Equal(new Dictionary<string, double> { ["SoftTargets.Temperature"] = 1, ["SoftTargets.Weight"] = 0.2, [TuningAxis.LearningRate] = 1e-2 }, result.Trials[1].Values);
        Assert.Equal("SoftTargets.Temperature=1;SoftTargets.Weight=0.2;HardLabels.Weight=0.8;HiddenHint.Weight=0.1", result.Trials[1].LossSettings);
        var max = result.Trials.Max(t => t.ValidationAccuracy);
        Assert.Equal(max, result.Best.ValidationAccuracy);
        Assert.Equal(result.Trials.First(t => t.ValidationAccuracy == max).Trial, result.Best.Trial);
        Assert.True(result.Trials.Select(t => t.ValidationAccuracy).Distinct().Count() > 1, "the grid should make a difference");
        Assert.StartsWith($"[SoftTargets(Temperature = {result.Best.Values["SoftTargets.Temperature"]}, Weight = {result.Best.Values["SoftTargets.Weight"]})]", result.Best.Attributes);
        // The learning rate is on the grid, so the winner's optimizer line is part of what to paste.
        Assert.EndsWith($"[Optimizer(OptimizerKind.AdamW, LearningRate = {result.Best.Values[TuningAxis.LearningRate]})]", result.Best.Attributes);

        var table = result.ToMarkdownTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| Trial | SoftTargets.Temperature | SoftTargets.Weight | LearningRate | Validation accuracy | Epoch kept | Time |", table[0]);
        Assert.Equal(10, table.Length);
        Assert.Single(table, line => line.Contains("(best)"));
    }

    [Fact]
    public void A_trial_that_diverges_is_recorded_and_the_tuning_goes_on()
    {
        var path = Path.Combine(_directory, "tuning.json");
        var grid = new[] { new TuningAxis(TuningAxis.LearningRate, [1e30, 1e-2]) };

        var result = Tune(grid, path);

        var diverged = result.Trials[0];
        Assert.Contains("Lower the learning rate", diverged.Failure);
        Assert.Null(result.Trials[1].Failure);
        Assert.Equal(2, result.Best.Trial);
        Assert.Contains("| 1 | 1E+30 | diverged | none (epoch 1) |", result.ToMarkdownTable());
        // Recorded like any other trial: a rerun reads it back instead of diverging again.
        var events = new List<TuningEvent>();
        Tune(grid, path, new SynchronousProgress<TuningEvent>(events.Add));
        Assert.Equal(2, events.OfType<TrialCompleted>().Count(e => e.Reused));

        var allDiverge = Tune([new TuningAxis(TuningAxis.LearningRate, [1e30])]);
        Assert.Contains("Every trial of the tuning failed", Assert.Throws<InvalidOperationException>(() => allDiverge.Best).Message);
    }

    [Fact]
    public void The_same_seed_gives_the_same_table_and_the_same_choice()
    {
        var first = Tune();
        var second = Tune();

        Assert.Equal(first.Trials.Select(t => t.ValidationAccuracy), second.Trials.Select(t => t.ValidationAccuracy));
        Assert.Equal(first.Best.Trial, second.Best.Trial);
    }

    [Fact]
    public void An_interrupted_tuning_resumes_from_its_results_file_and_ends_as_an_uninterrupted_one()
    {
        var path = Path.Combine(_directory, "tuning.json");
        var grid = Grid.Take(2).ToArray();
        var expected = Tune(grid);
        using var cancel = new CancellationTokenSource();
        var stopAfterTwo = new SynchronousProgress<TuningEvent>(e => { if (e is TrialCompleted { Result.Trial: 2 }) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Tune(grid, path, stopAfterTwo, cancel.Token));

        var events = new List<TuningEvent>();
        var resumed = Tune(grid, path, new SynchronousProgress<TuningEvent>(events.Add));

        Assert.Equal([1, 2], events.OfType<TrialCompleted>().Where(e => e.Reused).Select(e => e.Result.Trial));
        Assert.Equal([3, 4], events.OfType<TrialStarted>().Select(e => e.Trial));
        Assert.Equal(expected.Trials.Select(t => t.ValidationAccuracy), resumed.Trials.Select(t => t.ValidationAccuracy));
        Assert.Equal(expected.Best.Trial, resumed.Best.Trial);
    }

    [Fact]
    public void A_results_file_of_another_grid_or_a_corrupt_one_is_refused_not_overwritten()
    {
        var path = Path.Combine(_directory, "tuning.json");
        Tune([new TuningAxis("SoftTargets.Temperature", [2])], path);
        var written = File.ReadAllText(path);

        var other = Assert.Throws<InvalidOperationException>(() => Tune([new TuningAxis("SoftTargets.Temperature", [3])], path));
        Assert.Contains("belong to another tuning run", other.Message);
        Assert.Equal(written, File.ReadAllText(path));

        // The same grid with another teacher is another tuning too: its scores would not carry over.
        var otherTeacher = new QuadrantTeacher(seed: 9);
        var retrained = Assert.Throws<InvalidOperationException>(() => RecipeTuner.Run([new TuningAxis("SoftTargets.Temperature", [2])], DistilQuadrants.DefaultLoss,
            DistilQuadrants.DefaultOptions with { Epochs = 2 }, loss => new DistilQuadrants(otherTeacher, new QuadrantStudent(seed: 3), seed: 4, loss: loss),
            Train, Validation, path));
        Assert.Contains("belong to another tuning run", retrained.Message);

        File.WriteAllText(path, written[..(written.Length / 2)]);
        var corrupt = Assert.Throws<InvalidDataException>(() => Tune([new TuningAxis("SoftTargets.Temperature", [2])], path));
        Assert.Contains("delete the file to start the tuning over", corrupt.Message);
    }

    [Fact]
    public void Axes_the_recipe_does_not_have_or_bad_values_fail_before_any_training()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Tune([new TuningAxis("SoftTarget.Temperature", [2])]));
        Assert.Contains("'SoftTarget.Temperature' is neither LearningRate, Epochs nor a loss setting of this recipe (SoftTargets.Temperature, SoftTargets.Weight, HardLabels.Weight, HiddenHint.Weight)", unknown.Message);
        var twice = Assert.Throws<ArgumentException>(() => Tune([new TuningAxis("SoftTargets.Weight", [0.5], "HardLabels.Weight"), new TuningAxis("HardLabels.Weight", [1])]));
        Assert.Contains("Two tuning axes set 'HardLabels.Weight'", twice.Message);
        var started = false;
        var badTemperature = Assert.Throws<ArgumentException>(() => Tune([new TuningAxis("SoftTargets.Temperature", [2, 0])],
            progress: new SynchronousProgress<TuningEvent>(_ => started = true)));
        Assert.StartsWith("Loss setting SoftTargets.Temperature must be a positive number, but is 0.", badTemperature.Message);
        Assert.False(started);
    }

    [Theory]
    [InlineData("SoftTargets.Temperature=1,2,4", "SoftTargets.Temperature", null, new[] { 1.0, 2, 4 })]
    [InlineData("SoftTargets.Weight+HardLabels.Weight = 0.5, 0.9", "SoftTargets.Weight", "HardLabels.Weight", new[] { 0.5, 0.9 })]
    [InlineData("LearningRate=1e-3,3e-3", "LearningRate", null, new[] { 1e-3, 3e-3 })]
    public void Axes_parse_from_the_command_line_form(string text, string name, string? complement, double[] values)
    {
        var axis = TuningAxis.Parse(text);
        Assert.Equal((name, complement), (axis.Name, axis.Complement));
        Assert.Equal(values, axis.Values);
    }

    [Theory]
    [InlineData(0.7, 0.3)]
    [InlineData(0.9, 0.1)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.35, 0.65)]
    [InlineData(1.0, 0.0)]
    public void The_complement_is_the_decimal_one_the_user_reads_not_binary_floating_point_s(double value, double complement)
    {
        Assert.Equal(complement, TuningAxis.ComplementOf(value)); // exactly: 1 - 0.7 is 0.30000000000000004 in double
        Assert.Equal(complement.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            TuningAxis.ComplementOf(value).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("Temperature", "not a tuning axis")]
    [InlineData("SoftTargets.Temperature=1,x", "'x' in tuning axis SoftTargets.Temperature is not a number")]
    [InlineData("SoftTargets.Temperature=1,1", "lists a value twice")]
    [InlineData("Epochs=2.5", "whole numbers")]
    [InlineData("SoftTargets.Weight+HardLabels.Weight=1.5", "must be in [0, 1]")]
    public void Malformed_axes_are_refused_with_what_to_write(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => TuningAxis.Parse(text));
        Assert.Contains(message, error.Message);
    }
}
