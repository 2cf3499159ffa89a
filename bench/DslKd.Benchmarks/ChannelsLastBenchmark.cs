using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>
/// The channels-last lever (<see cref="ChannelsLast"/>) on the CNN teacher's training step (batch 128, Adam), which
/// section 9 shows spending more than half its time in memory-bound work on the 32- and 64-channel maps (max pooling,
/// BatchNorm, ReLU) that libtorch has NHWC kernels for. Three layouts, each against the default in its own
/// step-interleaved pair: model and input channels-last (PyTorch's recipe), and the input alone (libtorch then reorders
/// the NCHW weights inside every convolution).
/// </summary>
public static class ChannelsLastBenchmark
{
    private const string Section = "11. Channels-last: CNN teacher step (batch 128), NHWC vs default NCHW, median ms";
    private const int Batch = 128;

    public static void Run(BenchReport report, int steps)
    {
        report.Note(Section, "check: the first conv block's output is channels-last", FirstBlockIsChannelsLast() ? "yes" : "NO: the lever is not applied");

        var (standard, channelsLast) = Timing.Interleaved(steps, CnnTeacherStep.Create(Batch), CnnTeacherStep.Create(Batch, CnnLayout.ChannelsLast));
        var (standard2, inputOnly) = Timing.Interleaved(steps, CnnTeacherStep.Create(Batch), CnnTeacherStep.Create(Batch, CnnLayout.InputOnly));
        var peak = Timing.MatmulPeakGflops();

        report.Add(Section, "default (NCHW)", standard * 1e3, "ms", Gflops(standard, peak));
        report.Add(Section, "model and input channels-last", channelsLast * 1e3, "ms", Gflops(channelsLast, peak));
        report.Add(Section, "model and input channels-last / default", channelsLast / standard, "x", "< 1: channels-last is faster");
        report.Add(Section, "default (NCHW), second pair", standard2 * 1e3, "ms", Gflops(standard2, peak));
        report.Add(Section, "input alone channels-last (weights NCHW)", inputOnly * 1e3, "ms", Gflops(inputOnly, peak));
        report.Add(Section, "input alone channels-last / default", inputOnly / standard2, "x", "< 1: channels-last is faster");
        report.Add(Section, "float32 1024^3 matmul, this run", peak, "GFLOP/s");
    }

    /// <summary>The step's figure against the matmul peak: "N GFLOP/s = F of peak".</summary>
    private static string Gflops(double seconds, double peak)
    {
        var achieved = StepFlops() / seconds / 1e9;
        return $"{achieved:F1} GFLOP/s = {achieved / peak:F2} of peak";
    }

    /// <summary>
    /// FLOPs of one training step of the CNN teacher at batch 128: per convolution 2*B*H*W*out*in*k*k forward (per Linear
    /// 2*B*in*out), the same for the weight gradient, and again for the input gradient except at the first layer (the
    /// images need none). 3.51 GFLOP; BatchNorm, pooling, ReLU and Adam are not counted.
    /// </summary>
    private static double StepFlops()
    {
        double[] forward = [
            2.0 * Batch * 28 * 28 * 32 * 1 * 9,   // Stem conv, 1 -> 32 channels, 3x3, 28x28
            2.0 * Batch * 14 * 14 * 64 * 32 * 9,  // Body conv, 32 -> 64 channels, 3x3, 14x14
            2.0 * Batch * 3136 * 256,             // Hidden Linear
            2.0 * Batch * 256 * 10];              // Logits Linear
        return forward.Select((f, i) => f * (i == 0 ? 2 : 3)).Sum();
    }

    /// <summary>Whether the converted teacher's first block (conv, BatchNorm, ReLU, max pooling) hands back NHWC: the lever reaches libtorch.</summary>
    private static bool FirstBlockIsChannelsLast()
    {
        using var model = new WideCnn(seed: 1);
        model.ToChannelsLast();
        using var images = randn(2, 1, 28, 28);
        using var scope = NewDisposeScope();
        return model.Stem.call(images.ToChannelsLast()).IsChannelsLast();
    }
}
