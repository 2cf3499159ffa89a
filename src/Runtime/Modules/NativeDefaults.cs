using System;
using System.Runtime.InteropServices;

namespace DslKd;

/// <summary>
/// libtorch settings DslKd applies once per process, before its first module runs. Today one: NNPACK is switched off.
/// </summary>
/// <remarks>
/// libtorch checks whether NNPACK is available before it checks whether a convolution could use it at all (batch of 16
/// or more), so every small-batch convolution probes it; on CPUs where NNPACK's initialisation fails, each probe prints
/// "Could not initialize NNPACK! Reason: Unsupported hardware." (hundreds of lines per training run, burying the output).
/// With the user flag off, the probe is skipped and convolutions run on oneDNN (mkldnn); measured on a 2-vCPU AMD EPYC,
/// the example's CNN training step was 8-25% faster that way (docs/benchmarks.md). Set the environment
/// variable <c>DSLKD_NNPACK=1</c> to leave libtorch's own choice. The flag is set through libtorch's exported C++ API
/// (<c>at::globalContext().setUserEnabledNNPACK(false)</c>), which TorchSharp does not wrap.
/// </remarks>
public static class NativeDefaults
{
    private const string LibTorch = "libtorch_cpu";
    private static readonly object Gate = new();
    private static bool _applied;

    /// <summary>Applies the settings once; later calls do nothing. Called by <see cref="Block"/> and the training loop.</summary>
    public static void EnsureApplied()
    {
        lock (Gate)
        {
            if (_applied) return;
            _applied = true;
            if (Environment.GetEnvironmentVariable("DSLKD_NNPACK") == "1") return;
            try
            {
                SetUserEnabledNnpack(GlobalContext(), false);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Another libtorch build without this entry point: its NNPACK behaviour stays as it is.
            }
        }
    }

    /// <summary>Whether libtorch may use NNPACK (its user flag); null when this libtorch build cannot be asked.</summary>
    public static bool? NnpackEnabled
    {
        get
        {
            try
            {
                return UserEnabledNnpack(GlobalContext());
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
    }

    // Itanium C++ ABI names: at::globalContext(), at::Context::setUserEnabledNNPACK(bool), at::Context::userEnabledNNPACK() const.
    [DllImport(LibTorch, EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport(LibTorch, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport(LibTorch, EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static extern bool UserEnabledNnpack(IntPtr context);
}
