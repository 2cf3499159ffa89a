using System.Diagnostics;
using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>
/// A real training process is killed with SIGKILL in the middle of an epoch and started again: the resumed run must end
/// with exactly the metrics of a run that was never interrupted.
/// </summary>
public class ProcessKillResumeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_run_killed_mid_epoch_resumes_and_ends_with_the_metrics_of_an_uninterrupted_run()
    {
        var uninterrupted = RunToEnd(Path.Combine(_directory, "uninterrupted"));

        var interrupted = Path.Combine(_directory, "interrupted");
        using (var victim = Start(interrupted, stepDelayMilliseconds: 15))
        {
            string? line;
            while ((line = victim.StandardOutput.ReadLine()) is not null && line != "epoch 2") { }
            Assert.Equal("epoch 2", line);
            Thread.Sleep(100); // well into epoch 3
            victim.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            victim.WaitForExit();
        }
        var completed = Checkpoint.ReadHeader(Path.Combine(interrupted, Checkpoint.FileName)).CompletedEpochs;
        Assert.InRange(completed, 2, 5);

        var output = RunToEnd(interrupted, expectResumeFrom: completed);

        Assert.Equal(uninterrupted, output);
    }

    [Fact]
    public void A_run_killed_again_and_again_at_other_points_ends_with_the_uninterrupted_metrics_and_no_temporary_files()
    {
        var uninterrupted = RunToEnd(Path.Combine(_directory, "uninterrupted"));

        var killed = Path.Combine(_directory, "killed");
        // Each round starts (or resumes) the run and kills it some time after its next epoch, at another point of the
        // epoch's steps and writes each time; a kill while a checkpoint is written leaves a torn temporary file.
        foreach (var afterMilliseconds in new[] { 0, 35, 70, 105 })
        {
            using var victim = Start(killed, stepDelayMilliseconds: 5);
            string? line;
            while ((line = victim.StandardOutput.ReadLine()) is not null && !line.StartsWith("epoch ", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            Thread.Sleep(afterMilliseconds);
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }

        var output = RunToEnd(killed);

        Assert.Equal(uninterrupted, output);
        Assert.Empty(Directory.GetFiles(killed, ".*.tmp"));
    }

    private static string RunToEnd(string checkpointDirectory, int? expectResumeFrom = null)
    {
        using var process = Start(checkpointDirectory, stepDelayMilliseconds: 0);
        var lines = new List<string>();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null) lines.Add(line);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"training process failed: {process.StandardError.ReadToEnd()}");
        if (expectResumeFrom is { } epochs) Assert.Contains($"resumed {epochs}", lines);
        return lines[^1];
    }

    private static Process Start(string checkpointDirectory, int stepDelayMilliseconds)
    {
        var program = TrainingProcessRunner.Program;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(program);
        start.ArgumentList.Add(checkpointDirectory);
        start.ArgumentList.Add(stepDelayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(start)!;
    }
}
