using System;
using System.Runtime.CompilerServices;

namespace DslKd;

/// <summary>
/// Holds libtorch's oneDNN to its AVX2 kernels, unless the process chose an instruction set itself:
/// <c>DNNL_MAX_CPU_ISA</c> becomes <see cref="MaxCpuIsa"/>. Set when DslKd's runtime loads, before oneDNN reads it
/// (once, at its first convolution).
/// </summary>
/// <remarks>
/// On a 2-vCPU AMD EPYC with AVX-512 (Zen 5 flags, <c>avx512_vp2intersect</c>), libtorch 2.10's oneDNN 3.7.1 computed
/// float32 convolutions whose channel counts do not fill its 16-channel AVX-512 blocks wrongly, against the same
/// convolution in float64 (which libtorch computes without oneDNN): a 3x3 convolution with 72 or 24 input channels was
/// off by up to 1.6 on outputs of about 10 in the default layout, a 1x1 convolution from 12 to 72 channels by 14 in
/// the channels-last layout, forward and backward, with or without zero-filled memory; and reading the blocks' padding
/// from uncleared memory made a random training step of the CNN student NaN (3 of 10 runs of the example's comparison on
/// the embedded data). With its AVX2 kernels every one of these was right to float rounding and 0 of 12 runs stopped.
/// They cost time on an AVX-512 machine: the benchmark's convolutional training steps took 1.2-2.2x as long
/// (docs/training.md). Set <c>DNNL_MAX_CPU_ISA</c> (or <c>ONEDNN_MAX_CPU_ISA</c>) yourself, for example to <c>ALL</c>
/// on a CPU whose AVX-512 results you have checked, and DslKd leaves it alone. On Windows nothing is set (not tested
/// there).
/// </remarks>
public static class OneDnnDefaults
{
    /// <summary>The instruction set DslKd holds oneDNN to when the process chose none.</summary>
    public const string MaxCpuIsa = "AVX2";

    private static readonly string[] UserSettings = ["DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA"];

    /// <summary>Whether DslKd set <c>DNNL_MAX_CPU_ISA</c> when its runtime loaded (false: the process had chosen).</summary>
    public static bool Applied { get; private set; }

    /// <summary>What this process's oneDNN reads: the C environment's <c>DNNL_MAX_CPU_ISA</c> (null when unset).</summary>
    public static string? EffectiveMaxCpuIsa => CEnvironment.Get(UserSettings[0]);

#pragma warning disable CA2255 // a module initializer is the only hook that runs before a user's first convolution initialises oneDNN
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (OperatingSystem.IsWindows() || UserChoseIsa(Environment.GetEnvironmentVariable)) return;
        // Without a C library to ask, oneDNN keeps its own choice.
        Applied = CEnvironment.SetIfUnset(UserSettings[0], MaxCpuIsa);
    }

    /// <summary>Whether the environment already names oneDNN's instruction set, which the user's setting then keeps.</summary>
    internal static bool UserChoseIsa(Func<string, string?> environment)
    {
        foreach (var name in UserSettings)
            if (!string.IsNullOrEmpty(environment(name))) return true;
        return false;
    }
}
