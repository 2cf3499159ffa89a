using System.Globalization;

namespace DslKd.Benchmarks;

/// <summary>The figures of one benchmark run, printed as a table at the end.</summary>
public sealed class BenchReport
{
    private readonly List<(string Section, string Name, string Value, string Target)> _rows = [];

    public void Add(string section, string name, double value, string unit, string target = "") =>
        _rows.Add((section, name, string.Create(CultureInfo.InvariantCulture, $"{value:0.###} {unit}"), target));

    public void Note(string section, string name, string text) => _rows.Add((section, name, text, ""));

    public void Print(string header)
    {
        Console.WriteLine(header);
        foreach (var group in _rows.GroupBy(r => r.Section))
        {
            Console.WriteLine();
            Console.WriteLine(group.Key);
            foreach (var row in group)
                Console.WriteLine($"  {row.Name,-66} {row.Value,14}  {row.Target}");
        }
    }
}

public static class Timing
{
    /// <summary>
    /// Runs a and b alternately, n times each after a warm-up, in A B B A order so that neither always runs right after
    /// the other (measured: the second of a fixed pair ran up to 10% off on CNN steps); returns the median seconds of each.
    /// </summary>
    public static (double A, double B) Interleaved(int n, Action a, Action b)
    {
        // Several warm-up rounds: the first steps of a model pay for allocator growth and oneDNN primitive creation.
        for (var i = 0; i < 3; i++)
        {
            a();
            b();
        }
        var timesA = new List<double>();
        var timesB = new List<double>();
        for (var i = 0; i < n; i++)
        {
            if (i % 2 == 0)
            {
                timesA.Add(Seconds(a));
                timesB.Add(Seconds(b));
            }
            else
            {
                timesB.Add(Seconds(b));
                timesA.Add(Seconds(a));
            }
        }
        return (Median(timesA), Median(timesB));
    }

    /// <summary>This machine's float32 matmul throughput (1024^3, median of 20), the peak that sections 3 and 11 compare steps with.</summary>
    public static double MatmulPeakGflops()
    {
        using var a = TorchSharp.torch.randn(1024, 1024);
        using var b = TorchSharp.torch.randn(1024, 1024);
        var matmul = MedianSeconds(20, () => a.matmul(b).Dispose());
        return 2.0 * 1024 * 1024 * 1024 / matmul / 1e9;
    }

    public static double MedianSeconds(int n, Action action)
    {
        action();
        return Median(Enumerable.Range(0, n).Select(_ => Seconds(action)).ToList());
    }

    public static double Seconds(Action action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
