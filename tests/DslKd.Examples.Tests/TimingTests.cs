using System.Diagnostics;
using FashionMnistExample;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>The report's timings: enough runs for a fast model, quartiles that bracket the median, and a busy machine noticed.</summary>
public class TimingTests
{
    [Fact]
    public void A_fast_action_is_run_for_the_minimum_time_not_just_the_minimum_runs()
    {
        var sample = Timing.Measure(() => Thread.SpinWait(10), minimumRuns: 15, minimumSeconds: 0.2);

        Assert.True(sample.Repetitions > 1000, $"only {sample.Repetitions} runs in 0.2 s of a microsecond action");
        Assert.True(sample.LowerQuartileSeconds <= sample.MedianSeconds && sample.MedianSeconds <= sample.UpperQuartileSeconds);
    }

    [Fact]
    public void A_slow_action_is_run_at_least_the_minimum_runs()
    {
        var runs = 0;
        var sample = Timing.Measure(() => { runs++; Thread.Sleep(2); }, minimumRuns: 15, minimumSeconds: 0);

        Assert.Equal(15, sample.Repetitions);
        Assert.Equal(15 + 5, runs); // and five warm-up runs before the timed ones
        Assert.InRange(sample.MedianSeconds, 0.002, 0.5);
    }

    [Fact]
    public void The_quartiles_are_those_of_the_runs()
    {
        var durations = new Queue<int>([0, 0, 0, 0, 0, 1, 1, 1, 30, 1]); // warm-up zeros, then one slow outlier among fast runs
        var sample = Timing.Measure(() => Thread.Sleep(durations.Dequeue()), minimumRuns: 5, minimumSeconds: 0);

        Assert.True(sample.UpperQuartileSeconds < 0.02, $"one 30 ms run of five moved the upper quartile to {sample.UpperQuartileSeconds * 1e3:F1} ms");
        Assert.InRange(sample.MedianSeconds, 0.001, 0.02);
    }

    [Fact]
    public void Another_process_using_a_core_makes_the_machine_busy()
    {
        if (!File.Exists("/proc/stat")) return; // Linux only; elsewhere the report prints no load line

        using var spinner = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        try
        {
            var (_, busy) = MachineLoad.During(() => { Thread.Sleep(1500); return 0; });
            Assert.NotNull(busy);
            Assert.True(busy!.Busy, $"a process spinning on a core measured as {busy.OtherProcessesCores:F2} cores");
            Assert.Contains("the machine was busy", busy.Describe());
        }
        finally
        {
            spinner.Kill();
        }
    }

    [Fact]
    public void This_process_s_own_CPU_time_is_not_counted_as_other_processes()
    {
        // Two seconds: the machine was busy for 300 ticks (3 core-seconds at 100 ticks a second), 250 of them ours.
        var load = MachineLoad.FromCpuTicks((MachineBusy: 1_000, Own: 400), (MachineBusy: 1_300, Own: 650), seconds: 2, cores: 2);

        Assert.Equal(0.25, load.OtherProcessesCores, 12);
        Assert.False(load.Busy);
        Assert.True(MachineLoad.FromCpuTicks((1_000, 400), (1_300, 500), seconds: 2, cores: 2).Busy); // 200 ticks of others: one core
    }
}
