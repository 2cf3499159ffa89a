using System.Runtime.InteropServices;
using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The first training run keeps glibc from mapping and unmapping the step's large buffers (NativeHeap), unless the
/// process tuned malloc itself.
/// </summary>
public class NativeHeapTests
{
    // glibc marks a chunk it got from mmap with this bit of the size word just before the pointer it returns.
    private const long MmappedChunkBit = 2;

    [Fact]
    public void After_a_training_run_a_buffer_below_32_MiB_comes_from_the_heap_not_from_mmap()
    {
        if (!OperatingSystem.IsLinux() || NativeHeap.UserTunedMalloc(Environment.GetEnvironmentVariable)) return;

        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(QuadrantData.Create(64, seed: 1));

        Assert.Equal(NativeHeapState.KeepingBuffers, NativeHeap.State);
        // The size of an activation of the Fashion-MNIST CNN student at batch 256 (24.5 MiB); glibc's default
        // threshold (128 KiB, adapting) would map it afresh.
        var buffer = Marshal.AllocHGlobal(NativeHeap.MmapThresholdBytes - (8 << 20));
        try
        {
            Assert.Equal(0, Marshal.ReadInt64(buffer, -8) & MmappedChunkBit);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
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
