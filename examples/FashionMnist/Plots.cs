using System.Globalization;
using DslKd;
using ScottPlot;

namespace FashionMnistExample;

/// <summary>One run's training history for <see cref="Plots.TrainingCurves"/>, with the epoch whose weights it kept.</summary>
public sealed record CurveRun(string Name, IReadOnlyList<EpochResult> History, int? KeptEpoch);

/// <summary>A quantity recorded after each epoch: its name is where a panel's title and axis come from.</summary>
/// <param name="Name">What it is, as a title: "Validation accuracy".</param>
/// <param name="Unit">The axis's unit, or empty: "%".</param>
/// <param name="Value">Its value in an epoch, or null when that epoch has none.</param>
public sealed record CurveMetric(string Name, string Unit, Func<EpochResult, double?> Value)
{
    /// <summary>The axis label: "Validation accuracy (%)".</summary>
    public string Axis => Unit.Length == 0 ? Name : $"{Name} ({Unit})";

    /// <summary>Accuracy on the set each epoch was evaluated on (<paramref name="evaluationSet"/>: "validation", "test").</summary>
    public static CurveMetric EvaluationAccuracy(string evaluationSet) => new($"{Capitalized(evaluationSet)} accuracy", "%", e => e.Evaluation?.Accuracy * 100);

    /// <summary>Cross-entropy of the model's outputs on the set each epoch was evaluated on: the same loss for every run.</summary>
    public static CurveMetric EvaluationLoss(string evaluationSet) => new($"{Capitalized(evaluationSet)} loss", "cross-entropy", e => e.Evaluation?.Loss);

    /// <summary>The mean of the objective each run minimised over its training batches (a distillation recipe's is its weighted sum of terms).</summary>
    public static readonly CurveMetric TrainingLoss = new("Training loss", "each recipe's own objective", e => e.TrainLoss);

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>One line of a panel: the points and the one to mark (the kept epoch), if any.</summary>
public sealed record CurveSeries(string Name, double[] X, double[] Y, double? MarkedX, double? MarkedY);

/// <summary>A panel as data: what is drawn and what its title and axes say, so tests can check one against the other without pixels.</summary>
public sealed record CurvePanel(CurveMetric Metric, string Title, string XLabel, string YLabel, IReadOnlyList<CurveSeries> Series);

/// <summary>A heatmap as data: cells (row 0 at the top), their labels, the axes and the colour scale.</summary>
public sealed record HeatmapSpec(string Title, string XLabel, string YLabel, string ColourLabel, IReadOnlyList<string> Columns, IReadOnlyList<string> Rows,
    double[,] Values, string[,] CellText, double ColourMin, double ColourMax);

/// <summary>
/// The report's pictures: the training curves of the runs (validation accuracy with the kept epoch marked, validation
/// loss, training loss), the distilled student's confusion matrix, and the tuning grid. Each is built as data first
/// (<see cref="TrainingCurvesSpec"/>, <see cref="ConfusionMatrixSpec"/>, <see cref="TuningSpec"/>), titles and axes
/// from what is plotted, then drawn.
/// </summary>
public static class Plots
{
    /// <summary>
    /// The panels of training-curves.png. <paramref name="evaluationSet"/> names the set each epoch's evaluation ran on
    /// (the main job evaluates on its validation split), and so every title that speaks of it.
    /// </summary>
    public static IReadOnlyList<CurvePanel> TrainingCurvesSpec(IReadOnlyList<CurveRun> runs, string evaluationSet)
    {
        var metrics = new[] { CurveMetric.EvaluationAccuracy(evaluationSet), CurveMetric.EvaluationLoss(evaluationSet), CurveMetric.TrainingLoss };
        return metrics.Select((metric, index) =>
        {
            var series = new List<CurveSeries>();
            foreach (var run in runs)
            {
                var points = run.History.Select(e => (e.Epoch, Value: metric.Value(e))).Where(p => p.Value is { } v && double.IsFinite(v)).ToList();
                if (points.Count == 0) continue;
                var kept = run.KeptEpoch is { } k ? points.Where(p => p.Epoch == k).Select(p => p.Value).FirstOrDefault() : null;
                series.Add(new CurveSeries(run.Name, points.Select(p => (double)p.Epoch).ToArray(), points.Select(p => p.Value!.Value).ToArray(),
                    kept is null ? null : run.KeptEpoch, kept));
            }
            // The first panel says what the markers are; the others share them.
            var title = index == 0 ? $"{metric.Name} after each epoch (marker: the epoch whose weights were kept)" : $"{metric.Name} after each epoch";
            return new CurvePanel(metric, title, "Epoch", metric.Axis, series);
        }).ToList();
    }

    public static void TrainingCurves(string path, string evaluationSet, IReadOnlyList<CurveRun> runs)
    {
        var panels = TrainingCurvesSpec(runs, evaluationSet);
        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        var palette = new ScottPlot.Palettes.Category10();
        for (var p = 0; p < panels.Count; p++)
        {
            var panel = panels[p];
            var plot = multiplot.GetPlot(p);
            for (var s = 0; s < panel.Series.Count; s++)
            {
                var series = panel.Series[s];
                var colour = palette.GetColor(s);
                var line = plot.Add.Scatter(series.X, series.Y, colour);
                line.LegendText = series.Name;
                line.MarkerSize = 4;
                if (series.MarkedX is { } x && series.MarkedY is { } y)
                {
                    var marker = plot.Add.Marker(x, y, MarkerShape.OpenCircle, 14, colour);
                    marker.LineWidth = 2;
                }
            }
            plot.Title(panel.Title, size: 14);
            plot.XLabel(panel.XLabel, size: 12);
            plot.YLabel(panel.YLabel, size: 12);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            // One legend, in the accuracy panel, whose curves rise away from its lower right corner.
            if (p == 0) plot.ShowLegend(Alignment.LowerRight);
            else plot.HideLegend();
        }
        multiplot.SavePng(path, 900, 1200);
    }

    /// <summary>The confusion matrix as data: the share of each true class (row) predicted as each class (column), in %, with the cells' numbers.</summary>
    public static HeatmapSpec ConfusionMatrixSpec(EvaluationResult evaluation, IReadOnlyList<string> classNames, string title)
    {
        var classes = evaluation.ConfusionMatrix.Length;
        var values = new double[classes, classes];
        var text = new string[classes, classes];
        for (var t = 0; t < classes; t++)
        {
            var total = Math.Max(1, evaluation.ConfusionMatrix[t].Sum());
            for (var p = 0; p < classes; p++)
            {
                values[t, p] = 100.0 * evaluation.ConfusionMatrix[t][p] / total;
                // Whole percents; a rare confusion shows as "<1" rather than vanishing as "0", a near-perfect class as ">99"
                // rather than "100", and an empty cell stays empty.
                var (count, value) = (evaluation.ConfusionMatrix[t][p], values[t, p]);
                text[t, p] = count == 0 ? "" : value < 1 ? "<1" : value > 99 && count < total ? ">99" : value.ToString("F0", CultureInfo.InvariantCulture);
            }
        }
        var names = classNames.Take(classes).ToList();
        return new HeatmapSpec(title, "Predicted class", "True class", "% of the true class", names, names, values, text, 0, 100);
    }

    public static void ConfusionMatrix(string path, EvaluationResult evaluation, IReadOnlyList<string> classNames, string title) =>
        DrawHeatmap(path, ConfusionMatrixSpec(evaluation, classNames, title), 1000, 900, rotateColumns: true);

    /// <summary>
    /// The tuning grid as data: validation accuracy over the first two axes (the best over any further axes in each cell;
    /// a single axis gives one row). One cell is one accuracy on <paramref name="validationCount"/> images, whose
    /// standard error the title states; the colour scale spans at least four standard errors, so differences within the
    /// noise do not look like full contrast. Cells within two standard errors of a difference (2 sqrt(2) = 2.8 standard
    /// errors of a cell) from the best are marked "~": they tie with it.
    /// </summary>
    public static HeatmapSpec TuningSpec(TuningResult result, long validationCount)
    {
        var x = result.Axes[0];
        var y = result.Axes.Count > 1 ? result.Axes[1] : null;
        var rows = y?.Values.Count ?? 1;
        var values = new double[rows, x.Values.Count];
        for (var row = 0; row < rows; row++)
        for (var column = 0; column < x.Values.Count; column++)
        {
            // A diverged trial has no accuracy: its cell stays empty rather than stretching the scale down to 0.
            var cell = result.Trials.Where(t => t.Failure is null && t.Values[x.Name] == x.Values[column] && (y is null || t.Values[y.Name] == y.Values[row])).ToList();
            values[row, column] = cell.Count == 0 ? double.NaN : cell.Max(t => t.ValidationAccuracy) * 100;
        }

        var finite = values.Cast<double>().Where(double.IsFinite).ToList();
        var best = finite.Count == 0 ? double.NaN : finite.Max();
        var error = StandardErrorPoints(best / 100, validationCount);
        // Two standard errors of the difference of two independent cells.
        var tie = 2 * Math.Sqrt(2) * error;
        var text = new string[rows, x.Values.Count];
        for (var row = 0; row < rows; row++)
        for (var column = 0; column < x.Values.Count; column++)
        {
            var value = values[row, column];
            text[row, column] = !double.IsFinite(value) ? "" : value.ToString("F2", CultureInfo.InvariantCulture) + (value == best ? " best" : best - value < tie ? " ~" : "");
        }

        var (low, high) = finite.Count == 0 ? (0.0, 1.0) : (finite.Min(), finite.Max());
        var span = Math.Max(high - low, 4 * error);
        var middle = (low + high) / 2;
        var number = string.Create(CultureInfo.InvariantCulture, $"{error:F2}");
        return new HeatmapSpec(
            string.Create(CultureInfo.InvariantCulture,
                $"Distillation tuning: validation accuracy (%) on {validationCount:N0} images\nstandard error of a cell ±{number} points; ~: within 2.8 s.e. of the best (a tie); colours span at least 4 s.e."),
            x.Name,
            y is null ? "" : y.Complement is null ? y.Name : $"{y.Name} (1 - it on {y.Complement})",
            "",
            x.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToList(),
            Enumerable.Range(0, rows).Select(i => y is null ? "" : y.Values[i].ToString("R", CultureInfo.InvariantCulture)).ToList(),
            values, text, middle - span / 2, middle + span / 2);
    }

    /// <summary>The standard error of an accuracy <paramref name="accuracy"/> measured on <paramref name="count"/> samples, in points: 100 sqrt(p(1-p)/n).</summary>
    public static double StandardErrorPoints(double accuracy, long count) =>
        count <= 0 || !double.IsFinite(accuracy) ? double.NaN : 100 * Math.Sqrt(accuracy * (1 - accuracy) / count);

    public static void Tuning(string path, TuningResult result, long validationCount) =>
        DrawHeatmap(path, TuningSpec(result, validationCount), 900, 650, rotateColumns: false);

    private static void DrawHeatmap(string path, HeatmapSpec spec, int width, int height, bool rotateColumns)
    {
        var rows = spec.Rows.Count;
        var columns = spec.Columns.Count;
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(spec.Values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(spec.ColourMin, spec.ColourMax);
        // The tuning grid's title says what the colours are; a long colour-bar label would run into its numbers.
        var colourBar = plot.Add.ColorBar(heatmap);
        if (spec.ColourLabel.Length > 0) colourBar.Label = spec.ColourLabel;

        // Numbers in the cells, dark on the light end of the scale and light on the dark end.
        for (var row = 0; row < rows; row++)
        for (var column = 0; column < columns; column++)
        {
            if (string.IsNullOrEmpty(spec.CellText[row, column])) continue;
            var label = plot.Add.Text(spec.CellText[row, column], column, rows - 1 - row);
            var share = (spec.Values[row, column] - spec.ColourMin) / (spec.ColourMax - spec.ColourMin);
            label.LabelFontColor = share > 0.6 ? Colors.Black : Colors.White;
            label.LabelFontSize = 13;
            label.LabelAlignment = Alignment.MiddleCenter;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            spec.Columns.Select((name, i) => new Tick(i, name)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            spec.Rows.Select((name, i) => new Tick(rows - 1 - i, name)).ToArray());
        if (rotateColumns)
        {
            // Rotated names end at their tick; the axis is made tall enough for the longest, so none is cut off and the
            // axis title sits below them.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 12 + 7.5f * spec.Columns.Max(c => c.Length);
        }
        plot.Axes.Left.MinimumSize = 12 + 8 * spec.Rows.Max(r => r.Length);
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.HideGrid();
        plot.Title(spec.Title, size: 14);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
        plot.SavePng(path, width, height);
    }
}
