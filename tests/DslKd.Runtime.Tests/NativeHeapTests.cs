using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The first training run keeps glibc from mapping and unmapping the step's large buffers (NativeHeap), unless the
/// process tuned malloc itself.
/// </summary>
public class NativeHeapTests
{
    [Fact]
    public void A_training_run_moves_a_31_MiB_buffer_from_mmap_to_the_heap_in_a_fresh_process()
    {
        var tuned = OperatingSystem.IsLinux() && !NativeHeap.UserTunedMalloc(Environment.GetEnvironmentVariable);

        var lines = Probe();

        if (!tuned)
        {
            Assert.EndsWith(nameof(NativeHeapState.LeftAlone), lines[^1]);
            return;
        }
        // Under glibc's defaults a buffer this large is mapped afresh, and after the run it is not.
        Assert.Equal(["before mmap", $"after heap {nameof(NativeHeapState.KeepingBuffers)}"], lines);
    }

    [Fact]
    public void After_a_training_run_in_this_process_the_state_says_what_was_done()
    {
        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(QuadrantData.Create(64, seed: 1));

        var tuned = OperatingSystem.IsLinux() && !NativeHeap.UserTunedMalloc(Environment.GetEnvironmentVariable);
        Assert.Equal(tuned ? NativeHeapState.KeepingBuffers : NativeHeapState.LeftAlone, NativeHeap.State);
    }

    private static string[] Probe()
    {
        var (exitCode, output, error) = TrainingProcessRunner.Run(["--native-heap-probe"]);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Theory]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "1048576", true)]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "0", true)]
    [InlineData("MALLOC_TOP_PAD_", "65536", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX2", false)]
    [InlineData("MALLOC_ARENA_MAX", "2", false)]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "", false)]
    public void Malloc_settings_in_the_environment_are_the_users_and_are_kept(string name, string value, bool kept)
    {
        Assert.Equal(kept, NativeHeap.UserTunedMalloc(variable => variable == name ? value : null));
    }
}
