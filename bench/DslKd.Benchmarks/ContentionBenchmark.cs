using System.Diagnostics;
using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>
/// The CNN teacher's training step (batch 128, as the example trains it) while other processes take cores: what
/// libtorch's thread pool does when the machine is oversubscribed, and whether fewer threads degrade more gracefully.
/// The competing load is started here (processes spinning on a core), so the figures are comparable between runs.
/// </summary>
public static class ContentionBenchmark
{
    private const string Section = "8. CNN teacher step (batch 128) under contention, median ms";

    public static void Run(BenchReport report, int steps)
    {
        var cores = Environment.ProcessorCount;
        var step = CnnTeacherStep.Create(batch: 128);
        Action WithThreads(int threads) => () => { set_num_threads(threads); step(); };

        var quiet = Timing.MedianSeconds(steps, WithThreads(cores));
        report.Add(Section, $"quiet, {cores} threads", quiet * 1e3, "ms");
        for (var busy = 1; busy <= cores; busy++)
        {
            using var load = Spinners.Start(busy);
            var fewer = Math.Max(1, cores - busy);
            var (all, reduced) = Timing.Interleaved(steps, WithThreads(cores), WithThreads(fewer));
            report.Add(Section, $"{busy} of {cores} cores taken, {cores} threads", all * 1e3, "ms");
            report.Add(Section, $"{busy} of {cores} cores taken, {fewer} thread{(fewer == 1 ? "" : "s")}", reduced * 1e3, "ms");
            report.Add(Section, $"{busy} of {cores} cores taken: {cores} threads / {fewer}", all / reduced, "x", "> 1: fewer threads are faster");
            report.Add(Section, $"{busy} of {cores} cores taken: slowdown vs quiet, best thread count", Math.Min(all, reduced) / quiet, "x");
        }
        set_num_threads(cores);
    }

    /// <summary>Processes that each keep one core busy until disposed.</summary>
    private sealed class Spinners : IDisposable
    {
        private readonly List<Process> _processes = [];

        public static Spinners Start(int count)
        {
            var spinners = new Spinners();
            for (var i = 0; i < count; i++)
                spinners._processes.Add(Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!);
            Thread.Sleep(200); // let the scheduler place them
            return spinners;
        }

        public void Dispose()
        {
            foreach (var process in _processes)
            {
                process.Kill();
                process.WaitForExit();
                process.Dispose();
            }
        }
    }
}
