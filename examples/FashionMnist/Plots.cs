using DslKd;
using ScottPlot;

namespace FashionMnistExample;

/// <summary>The report's pictures: training curves of the three runs and the distilled student's confusion matrix.</summary>
public static class Plots
{
    public static void TrainingCurves(string path, IReadOnlyList<(string Name, IReadOnlyList<EpochResult> History)> runs)
    {
        var plot = new Plot();
        foreach (var (name, history) in runs)
        {
            var withTest = history.Where(e => e.Evaluation is not null).ToList();
            if (withTest.Count == 0) continue;
            var line = plot.Add.Scatter(withTest.Select(e => (double)e.Epoch).ToArray(), withTest.Select(e => e.Evaluation!.Accuracy * 100).ToArray());
            line.LegendText = name;
        }
        plot.Title("Test accuracy after each epoch");
        plot.XLabel("Epoch");
        plot.YLabel("Test accuracy (%)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 800, 500);
    }

    public static void ConfusionMatrix(string path, EvaluationResult evaluation, IReadOnlyList<string> classNames, string title)
    {
        var classes = evaluation.ConfusionMatrix.Length;
        var data = new double[classes, classes];
        for (var t = 0; t < classes; t++)
        {
            var total = Math.Max(1, evaluation.ConfusionMatrix[t].Sum());
            for (var p = 0; p < classes; p++) data[t, p] = 100.0 * evaluation.ConfusionMatrix[t][p] / total;
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap).Label = "% of the true class";
        var ticks = Enumerable.Range(0, classes).Select(i => new Tick(i, classNames[i])).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, classes).Select(i => new Tick(classes - 1 - i, classNames[i])).ToArray());
        plot.Title(title);
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        plot.SavePng(path, 900, 800);
    }

    /// <summary>
    /// Validation accuracy over the first two axes of a tuning grid as a heatmap (the best over any further axes in each
    /// cell); a single axis gives one row.
    /// </summary>
    public static void Tuning(string path, TuningResult result)
    {
        var x = result.Axes[0];
        var y = result.Axes.Count > 1 ? result.Axes[1] : null;
        var rows = y?.Values.Count ?? 1;
        var data = new double[rows, x.Values.Count];
        for (var row = 0; row < rows; row++)
        for (var column = 0; column < x.Values.Count; column++)
        {
            var cell = result.Trials.Where(t => t.Values[x.Name] == x.Values[column] && (y is null || t.Values[y.Name] == y.Values[row])).ToList();
            data[row, column] = cell.Count == 0 ? double.NaN : cell.Max(t => t.ValidationAccuracy) * 100;
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap).Label = "Validation accuracy (%)";
        for (var row = 0; row < rows; row++)
        for (var column = 0; column < x.Values.Count; column++)
        {
            var label = plot.Add.Text(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{data[row, column]:F2}"), column, rows - 1 - row);
            label.LabelFontColor = Colors.White;
            label.LabelAlignment = Alignment.MiddleCenter;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            x.Values.Select((v, i) => new Tick(i, v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(i => new Tick(rows - 1 - i, y is null ? "" : y.Values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        plot.Title("Distillation tuning: validation accuracy");
        plot.XLabel(x.Name);
        plot.YLabel(y is null ? "" : y.Complement is null ? y.Name : $"{y.Name} (1 - it on {y.Complement})");
        plot.SavePng(path, 800, 600);
    }
}
