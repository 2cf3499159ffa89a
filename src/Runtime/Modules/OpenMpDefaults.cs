using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DslKd;

/// <summary>
/// Makes libtorch's OpenMP threads wait passively (sleep) between parallel regions instead of spinning, unless the
/// process already chose a wait policy. Set when DslKd's runtime loads, before libtorch (and its libgomp) do, because
/// libgomp reads its environment once, when it loads.
/// </summary>
/// <remarks>
/// With libgomp's default (spin for a while, then sleep), a thread that finishes its share of an operation spins on a
/// core another thread of ours or another process needs; when the machine has fewer free cores than threads, every one
/// of the hundreds of parallel regions of a training step then waits for a descheduled thread. Measured on a 2-vCPU
/// machine with one core taken by another process (bench section 8, docs/benchmarks.md): the CNN training step took
/// several times longer with the default than with passive waiting. Set <c>OMP_WAIT_POLICY</c> (or
/// <c>GOMP_SPINCOUNT</c>) yourself to keep another choice; DslKd then leaves both alone.
/// </remarks>
public static class OpenMpDefaults
{
    /// <summary>The policy DslKd sets when the process chose none.</summary>
    public const string WaitPolicy = "PASSIVE";

    /// <summary>What this process's OpenMP reads: the C environment's <c>OMP_WAIT_POLICY</c> (null when unset).</summary>
    public static string? EffectiveWaitPolicy => OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") : Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"));

#pragma warning disable CA2255 // a module initializer is the only hook that runs before a user's first TorchSharp call loads libgomp
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (OperatingSystem.IsWindows()) return; // libtorch on Windows uses Intel's OpenMP, whose defaults differ
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null) return;
        try
        {
            // .NET's Environment.SetEnvironmentVariable changes only its own copy on Unix; libgomp reads the C environment.
            _ = SetEnv("OMP_WAIT_POLICY", WaitPolicy, overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No C library to ask: OpenMP keeps its own default.
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
