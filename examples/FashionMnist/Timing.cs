using System.Diagnostics;
using System.Globalization;

namespace FashionMnistExample;

/// <summary>Repeated runs of one action: the median and the interquartile range (the middle half of the runs).</summary>
public sealed record TimingSample(double MedianSeconds, double LowerQuartileSeconds, double UpperQuartileSeconds, int Repetitions)
{
    /// <summary>"15 us (14-17)": the median and the middle half of the runs, in microseconds.</summary>
    public string Microseconds() => string.Create(CultureInfo.InvariantCulture,
        $"{MedianSeconds * 1e6:F0} us ({LowerQuartileSeconds * 1e6:F0}-{UpperQuartileSeconds * 1e6:F0})");

    /// <summary>"5,216 /s (5,100-5,300)": samples per second of a run over <paramref name="samples"/> samples; the faster quartile gives the higher rate.</summary>
    public string Throughput(long samples) => string.Create(CultureInfo.InvariantCulture,
        $"{samples / MedianSeconds:N0} /s ({samples / UpperQuartileSeconds:N0}-{samples / LowerQuartileSeconds:N0})");
}

/// <summary>
/// Times an action after a warm-up, for at least a number of runs and a minimum time, so that a fast model is not timed
/// on a few milliseconds of a noisy machine.
/// </summary>
public static class Timing
{
    private const int WarmupRuns = 5;

    public static TimingSample Measure(Action action, int minimumRuns, double minimumSeconds = 0.5)
    {
        for (var i = 0; i < WarmupRuns; i++) action();
        var times = new List<double>(minimumRuns);
        var total = Stopwatch.StartNew();
        while (times.Count < minimumRuns || total.Elapsed.TotalSeconds < minimumSeconds)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        return new TimingSample(Quantile(times, 0.5), Quantile(times, 0.25), Quantile(times, 0.75), times.Count);
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}

/// <summary>
/// How much CPU other processes used while something was timed: the machine's busy time (/proc/stat) minus this
/// process's own (/proc/self/stat), in cores. Timings taken while others used a sizeable share of the cores are not
/// comparable with a quiet machine's; the report says so instead of printing them as if they were.
/// </summary>
public sealed record MachineLoad(double OtherProcessesCores, int Cores)
{
    /// <summary>Others used more than a quarter of one core on average: enough to move latencies by several times.</summary>
    public bool Busy => OtherProcessesCores > 0.25;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"other processes used {OtherProcessesCores:F2} of {Cores} cores while the models were timed")
        + (Busy ? "; the machine was busy, so latency and throughput are not comparable with a quiet machine's" : "");

    /// <summary>Runs <paramref name="timed"/> and measures the other processes' CPU use meanwhile; null load where /proc is not available.</summary>
    public static (T Result, MachineLoad? Load) During<T>(Func<T> timed)
    {
        var before = Read();
        var clock = Stopwatch.StartNew();
        var result = timed();
        var seconds = clock.Elapsed.TotalSeconds;
        var after = Read();
        if (before is not { } b || after is not { } a || seconds <= 0) return (result, null);
        return (result, FromCpuTicks(b, a, seconds, Environment.ProcessorCount));
    }

    /// <summary>The load between two readings of the machine's busy ticks and this process's own, <paramref name="seconds"/> apart.</summary>
    public static MachineLoad FromCpuTicks((long MachineBusy, long Own) before, (long MachineBusy, long Own) after, double seconds, int cores)
    {
        var otherTicks = (after.MachineBusy - before.MachineBusy) - (after.Own - before.Own);
        return new MachineLoad(Math.Max(0, otherTicks / TicksPerSecond / seconds), cores);
    }

    // USER_HZ: the unit of /proc/stat and /proc/<pid>/stat on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    private static (long MachineBusy, long Own)? Read()
    {
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice": busy is the first eight but idle and
            // iowait (guest time is already counted in user). Steal counts: a hypervisor's other guests slow us as much.
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var busy = cpu.Sum() - cpu[3] - cpu[4];
            // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces, so count after its ')'.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var own = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (busy, own);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
