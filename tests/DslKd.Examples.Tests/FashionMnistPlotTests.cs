using FashionMnistExample;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>
/// The report's pictures as data (titles, axes, points, marks, cell texts, colour scale), checked against what they
/// plot, without pixels: a title names the set the numbers come from, the kept epoch is marked where it is, the
/// confusion matrix has its numbers in the cells, and the tuning grid's colour scale is not narrower than the noise.
/// </summary>
public class FashionMnistPlotTests
{
    private static EpochResult Epoch(int epoch, double trainLoss, double accuracy, double evaluationLoss) =>
        new(epoch, trainLoss, new Dictionary<string, double>(), 1e-3, new EvaluationResult(evaluationLoss, accuracy, [], [], 100), TimeSpan.FromSeconds(1));

    private static readonly CurveRun Teacher = new("Teacher (CNN)", [Epoch(1, 1.0, 0.80, 0.60), Epoch(2, 0.5, 0.85, 0.45)], KeptEpoch: 2);

    private static readonly CurveRun Student = new("Student alone (MLP)",
        [Epoch(1, 1.2, 0.70, 0.80), Epoch(2, 0.9, 0.78, 0.62), Epoch(3, 0.7, 0.76, 0.66)], KeptEpoch: 2);

    [Fact]
    public void Training_curves_are_titled_by_the_set_they_plot_and_mark_the_kept_epoch()
    {
        var panels = Plots.TrainingCurvesSpec([Teacher, Student], "validation");

        Assert.Equal(3, panels.Count);
        var (accuracy, loss, training) = (panels[0], panels[1], panels[2]);
        Assert.StartsWith("Validation accuracy after each epoch", accuracy.Title);
        Assert.Contains("the epoch whose weights were kept", accuracy.Title);
        Assert.Equal("Validation accuracy (%)", accuracy.YLabel);
        Assert.Equal("Epoch", accuracy.XLabel);
        Assert.StartsWith("Validation loss", loss.Title);
        Assert.Equal("Validation loss (cross-entropy)", loss.YLabel);
        Assert.StartsWith("Training loss", training.Title);
        Assert.All(panels, panel => Assert.DoesNotContain("test", panel.Title + panel.YLabel, StringComparison.OrdinalIgnoreCase));

        // The points are the evaluation's numbers, in percent for accuracy.
        var student = accuracy.Series.Single(s => s.Name == Student.Name);
        Assert.Equal([1.0, 2.0, 3.0], student.X);
        Assert.Equal([70.0, 78.0, 76.0], student.Y.Select(v => Math.Round(v, 6)));
        Assert.Equal([0.80, 0.62, 0.66], loss.Series.Single(s => s.Name == Student.Name).Y);
        Assert.Equal([1.2, 0.9, 0.7], training.Series.Single(s => s.Name == Student.Name).Y);

        // The kept epoch is marked on every panel, at its own value.
        Assert.Equal((2.0, 78.0), (student.MarkedX, Math.Round(student.MarkedY!.Value, 6)));
        Assert.Equal((2.0, 0.62), (loss.Series.Single(s => s.Name == Student.Name).MarkedX, loss.Series.Single(s => s.Name == Student.Name).MarkedY));
        Assert.Equal(2.0, accuracy.Series.Single(s => s.Name == Teacher.Name).MarkedX);

        // Evaluated on the test set, the same curves say so.
        var onTest = Plots.TrainingCurvesSpec([Teacher], "test");
        Assert.StartsWith("Test accuracy", onTest[0].Title);
        Assert.Equal("Test loss (cross-entropy)", onTest[1].YLabel);
    }

    [Fact]
    public void A_run_without_evaluations_or_kept_epoch_plots_what_it_has()
    {
        var unevaluated = new CurveRun("No evaluation", [new EpochResult(1, 0.9, new Dictionary<string, double>(), 1e-3, null, TimeSpan.Zero)], KeptEpoch: null);

        var panels = Plots.TrainingCurvesSpec([unevaluated], "validation");

        Assert.Empty(panels[0].Series);
        Assert.Empty(panels[1].Series);
        var training = Assert.Single(panels[2].Series);
        Assert.Null(training.MarkedX);
    }

    [Fact]
    public void The_confusion_matrix_shows_each_true_class_as_percent_with_the_numbers_in_the_cells()
    {
        // 200 of class 0: 199 right, 1 taken for class 1 (0.5%); 10 of class 1: 6 right, 4 taken for class 0.
        var evaluation = new EvaluationResult(0.3, 0.97, [0.995, 0.6], [[199, 1], [4, 6]], 210);

        var spec = Plots.ConfusionMatrixSpec(evaluation, ["Coat", "Shirt"], "Distilled student: confusion matrix on the test set");

        Assert.Equal(("Predicted class", "True class", "% of the true class"), (spec.XLabel, spec.YLabel, spec.ColourLabel));
        Assert.Equal(["Coat", "Shirt"], spec.Columns);
        Assert.Equal(["Coat", "Shirt"], spec.Rows);
        Assert.Equal(">99", spec.CellText[0, 0]); // 99.5%: not all, so not "100"
        Assert.Equal("<1", spec.CellText[0, 1]);  // 0.5%: one image, not "0"
        Assert.Equal("40", spec.CellText[1, 0]);
        Assert.Equal("60", spec.CellText[1, 1]);
        Assert.Equal(60.0, spec.Values[1, 1], 9);
        Assert.Equal((0.0, 100.0), (spec.ColourMin, spec.ColourMax));

        var perfect = Plots.ConfusionMatrixSpec(new EvaluationResult(0, 1, [1, 1], [[999, 0], [0, 5]], 1004), ["a", "b"], "t");
        Assert.Equal("100", perfect.CellText[0, 0]);
        Assert.Equal("", perfect.CellText[0, 1]); // nothing there
    }

    [Fact]
    public void The_tuning_grid_states_its_standard_error_and_its_colours_span_at_least_four_of_them()
    {
        var temperature = new TuningAxis("SoftTargets.Temperature", [1, 2]);
        var weight = new TuningAxis("SoftTargets.Weight", [0.5, 0.9], complement: "HardLabels.Weight");
        TrialResult Trial(int index, double t, double w, double accuracy, string? failure = null) =>
            new(index, new Dictionary<string, double> { [temperature.Name] = t, [weight.Name] = w }, accuracy, 3, 3, "", "", 1, failure);
        // Within 0.5 points of each other, on 6,000 images: a standard error of 0.39 points.
        var result = new TuningResult([temperature, weight],
            [Trial(1, 1, 0.5, 0.9068), Trial(2, 1, 0.9, 0.9035), Trial(3, 2, 0.5, 0.9072), Trial(4, 2, 0.9, 0.0, failure: "diverged")]);

        var spec = Plots.TuningSpec(result, 6000);

        var error = Plots.StandardErrorPoints(0.9072, 6000);
        Assert.Equal(0.37, error, 2);
        Assert.Contains("on 6,000 images", spec.Title);
        Assert.Contains($"±{error:F2} points", spec.Title);
        Assert.True(spec.ColourMax - spec.ColourMin >= 4 * error - 1e-9, $"The colour scale spans {spec.ColourMax - spec.ColourMin} points, under 4 standard errors ({4 * error}).");
        Assert.InRange(90.35, spec.ColourMin, spec.ColourMax);
        Assert.InRange(90.72, spec.ColourMin, spec.ColourMax);
        Assert.Equal(("SoftTargets.Temperature", "SoftTargets.Weight (1 - it on HardLabels.Weight)"), (spec.XLabel, spec.YLabel));
        Assert.Equal(["1", "2"], spec.Columns);
        Assert.Equal(["0.5", "0.9"], spec.Rows);

        // Row = weight, column = temperature. The best, and the others within the noise of it, are marked.
        Assert.Equal("90.72 best", spec.CellText[0, 1]);
        Assert.Equal("90.68 ~", spec.CellText[0, 0]);
        Assert.Equal("90.35 ~", spec.CellText[1, 0]);
        Assert.Equal("", spec.CellText[1, 1]); // the diverged trial has no accuracy to show
        Assert.True(double.IsNaN(spec.Values[1, 1]));

        // Far apart, the scale is the data's own range, and a cell out of the noise is not marked.
        var apart = Plots.TuningSpec(new TuningResult([temperature], [Trial(1, 1, 0.5, 0.90), Trial(2, 2, 0.5, 0.80)]), 6000);
        Assert.Equal((80.0, 90.0), (Math.Round(apart.ColourMin, 9), Math.Round(apart.ColourMax, 9)));
        Assert.Equal("80.00", apart.CellText[0, 1]);
    }
}
