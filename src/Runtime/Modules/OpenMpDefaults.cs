using System;
using System.Runtime.CompilerServices;

namespace DslKd;

/// <summary>
/// Shortens how long libtorch's OpenMP threads spin between parallel regions before they sleep, unless the process
/// already chose: libgomp's <c>GOMP_SPINCOUNT</c> becomes <see cref="SpinCount"/> instead of 300,000. Set when DslKd's
/// runtime loads, before libtorch (and its libgomp) do, because libgomp reads its environment once, when it loads.
/// </summary>
/// <remarks>
/// A thread that finishes its share of an operation spins, waiting for the next; when the machine has fewer free cores
/// than threads, it spins on a core that the thread it waits for needs, and every one of the hundreds of parallel
/// regions of a training step waits for a descheduled thread. Measured on a 2-vCPU machine with one core taken by
/// another process (bench section 8, docs/benchmarks.md): the CNN step took 149-201 ms with libgomp's spin against
/// 116-121 ms with passive waiting and 159 ms with this spin count; quiet, passive waiting cost 10-15% on the MLP and
/// ResNet-20 steps (many short operations) and this spin count nothing. Set <c>GOMP_SPINCOUNT</c> or
/// <c>OMP_WAIT_POLICY</c> (PASSIVE for a machine that is always shared) yourself; DslKd then leaves both alone.
/// </remarks>
public static class OpenMpDefaults
{
    /// <summary>The spin count DslKd sets when the process chose none (libgomp's own: 300,000).</summary>
    public const string SpinCount = "10000";

    /// <summary>What this process's OpenMP reads: the C environment's <c>GOMP_SPINCOUNT</c> (null when unset).</summary>
    public static string? EffectiveSpinCount => CEnvironment.Get("GOMP_SPINCOUNT");

#pragma warning disable CA2255 // a module initializer is the only hook that runs before a user's first TorchSharp call loads libgomp
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (OperatingSystem.IsWindows()) return; // libtorch on Windows uses Intel's OpenMP, whose defaults differ
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null) return;
        // Without a C library to ask, OpenMP keeps its own default.
        _ = CEnvironment.SetIfUnset("GOMP_SPINCOUNT", SpinCount);
    }
}
