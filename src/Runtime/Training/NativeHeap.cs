using System;
using System.Runtime.InteropServices;

namespace DslKd;

/// <summary>What <see cref="NativeHeap"/> did to the process's native allocator.</summary>
public enum NativeHeapState
{
    /// <summary>No training run has started yet in this process.</summary>
    Untouched,

    /// <summary>glibc's malloc keeps the training step's buffers for reuse (<see cref="NativeHeap"/>).</summary>
    KeepingBuffers,

    /// <summary>
    /// Left as it was: <see cref="NativeHeap.Enabled"/> was false at the first run, the C library is not glibc (Windows,
    /// macOS, musl), or the user tuned malloc through its environment variables.
    /// </summary>
    LeftAlone,
}

/// <summary>
/// Keeps glibc's malloc from handing the training step's large buffers back to the kernel after every step.
/// </summary>
/// <remarks>
/// libtorch allocates each activation and gradient of a CPU step with malloc and frees it before the next step. glibc
/// serves buffers above its mmap threshold (128 KiB at first, adapting up to 32 MiB) with fresh mmap calls and returns
/// memory above its trim threshold to the kernel, so each step faults its activations in again, page by page: about
/// 15,000 page faults a step for the Fashion-MNIST CNN student at batch 128, a fifth of the epoch's time on a 2-core
/// machine (docs/training.md).
/// The first training run of the process therefore sets the mmap threshold to glibc's maximum (32 MiB) and the trim
/// threshold to 128 MiB; the peak memory stays the same (the step allocates its peak every time anyway). It is a
/// process-wide setting of the C library, as PyTorch users get with jemalloc or tcmalloc, and it is not undone. Set
/// <see cref="Enabled"/> to false before the first run to keep glibc's defaults; a process started with
/// <c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_TOP_PAD_</c> or a <c>glibc.malloc</c> tunable
/// in <c>GLIBC_TUNABLES</c> keeps its own. A process that preloads another allocator (jemalloc, tcmalloc) gets glibc's
/// settings changed, and unused.
/// </remarks>
public static class NativeHeap
{
    /// <summary>Buffers up to this size come from the heap, not from mmap: glibc's largest threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>Free memory at the top of the heap kept for reuse rather than returned to the kernel.</summary>
    public const int TrimThresholdBytes = 128 << 20;

    // mallopt's parameter numbers, from glibc's malloc.h.
    private const int TrimThresholdParameter = -1;
    private const int MmapThresholdParameter = -3;

    private static readonly string[] UserSettings = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"];

    private static readonly object Gate = new();

    /// <summary>Whether the first training run may tune the allocator (true by default); read once, by that run.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>What was done; <see cref="NativeHeapState.Untouched"/> until the first training run.</summary>
    public static NativeHeapState State { get; private set; }

    /// <summary>Called at the start of every training run: tunes the allocator once per process (see the remarks).</summary>
    internal static void PrepareForTraining()
    {
        if (State != NativeHeapState.Untouched) return;
        lock (Gate)
        {
            if (State != NativeHeapState.Untouched) return;
            State = Enabled && !UserTunedMalloc(Environment.GetEnvironmentVariable) && TrySetThresholds()
                ? NativeHeapState.KeepingBuffers
                : NativeHeapState.LeftAlone;
        }
    }

    /// <summary>Whether the environment already tunes glibc's malloc, which the user's settings then keep.</summary>
    internal static bool UserTunedMalloc(Func<string, string?> environment)
    {
        foreach (var name in UserSettings)
            if (!string.IsNullOrEmpty(environment(name))) return true;
        return environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true;
    }

    private static bool TrySetThresholds()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // The mmap threshold first: setting either turns glibc's adaptive thresholds off, and a trim threshold
            // alone would send every buffer above 128 KiB to mmap (three times the page faults of the defaults). Once
            // the first is set the heap keeps the buffers, with or without the second.
            if (Glibc.mallopt(MmapThresholdParameter, MmapThresholdBytes) != 1) return false;
            Glibc.mallopt(TrimThresholdParameter, TrimThresholdBytes);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;   // not glibc (musl names its C library otherwise)
        }
    }

    private static class Glibc
    {
        [DllImport("libc.so.6", ExactSpelling = true)]
        public static extern int mallopt(int parameter, int value);
    }
}
