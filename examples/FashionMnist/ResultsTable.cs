using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FashionMnistExample;

/// <summary>The results as a console table (the same figures as results.md).</summary>
public static class ResultsTable
{
    public static IRenderable Render(JobReport report)
    {
        var table = new Table().Title("Fashion-MNIST test set").Border(TableBorder.Rounded);
        foreach (var column in new[] { "Model", "Accuracy", "Parameters", "On disk", "Latency (1)", "Throughput (256)", "Speed-up", "Compression" })
            table.AddColumn(new TableColumn(column).RightAligned());
        table.Columns[0].LeftAligned();
        foreach (var m in report.Models)
        {
            table.AddRow(
                Markup.Escape(m.Name),
                F($"{m.Test.Accuracy * 100:F2}%"),
                F($"{m.Parameters:N0}"),
                F($"{m.BytesOnDisk / 1024.0:F0} KiB"),
                m.Latency.Microseconds(),
                m.Batch.Throughput(m.BatchSize),
                F($"{m.SamplesPerSecond / report.Teacher.SamplesPerSecond:F1}x"),
                F($"{(double)report.Teacher.Parameters / m.Parameters:F1}x"));
        }
        table.Caption(F($"Distillation gain over the student alone: {report.DistillationGainPoints:+0.00;-0.00} points (textbook recipe: {report.TextbookGainPoints:+0.00;-0.00}). Data: {Markup.Escape(report.Data)}")
            + (report.TimingLoad is { } load ? $"\nTimes: median (middle half of the runs); {Markup.Escape(load.Describe())}." : "\nTimes: median (middle half of the runs)."));
        return table;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
