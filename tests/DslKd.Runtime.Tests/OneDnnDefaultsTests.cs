using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// DslKd holds oneDNN to its AVX2 kernels (OneDnnDefaults): on an AVX-512 CPU its kernels computed convolutions whose
/// channels do not fill 16-channel blocks wrongly. Each check compares float32 with float64, which libtorch computes
/// without oneDNN.
/// </summary>
public class OneDnnDefaultsTests
{
    private static bool Expected => !OperatingSystem.IsWindows() && !OneDnnDefaults.UserChoseIsa(Environment.GetEnvironmentVariable);

    // The CNN pair's student: 72 channels in the last stage.
    private static nn.Module<Tensor, Tensor>[] StudentLayers() =>
    [
        nn.Conv2d(1, 16, 3, padding: 1, bias: false), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding: 1, bias: false), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 72, 3, padding: 1, bias: false), nn.BatchNorm2d(72), nn.ReLU(),
        nn.Conv2d(72, 72, 3, padding: 1, bias: false), nn.BatchNorm2d(72), nn.ReLU(),
    ];

    [Fact]
    public void The_runtime_holds_oneDNN_to_AVX2_when_it_loads_unless_the_process_chose()
    {
        Assert.Equal(Expected, OneDnnDefaults.Applied);
        if (Expected) Assert.Equal(OneDnnDefaults.MaxCpuIsa, OneDnnDefaults.EffectiveMaxCpuIsa);
    }

    [Theory]
    [InlineData(72, 72, 3, false)]   // 3x3, 72 input channels: 1.6 off on AVX-512 in the default layout
    [InlineData(24, 40, 3, false)]
    [InlineData(12, 72, 1, true)]    // 1x1, 12 to 72 channels: 14 off on AVX-512 channels-last
    [InlineData(32, 64, 3, false)]
    public void A_convolution_whose_channels_do_not_fill_16_channel_blocks_computes_what_float64_computes(long inputs, long outputs, long kernel, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(7, inputs, 16, 16) * 3;
        var weight = randn(outputs, inputs, kernel, kernel) * 0.3;
        var padding = new[] { kernel / 2, kernel / 2 };

        using var noGrad = no_grad();
        var output = nn.functional.conv2d(channelsLast ? x.ToChannelsLast() : x, weight, padding: padding);
        var reference = nn.functional.conv2d(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), padding: padding);

        var largest = reference.abs().max().item<double>();
        Assert.True(MaxDifference(output, reference) < 1e-5 * largest, $"largest difference {MaxDifference(output, reference)} on outputs up to {largest}");
    }

    [Fact]
    public void The_72_channel_student_block_computes_what_float64_computes_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var block = new Block("Student", StudentLayers());
        block.eval();
        var inputs = randn(8, 1, 28, 28);

        var (output, gradient) = OutputAndInputGradient(block, inputs);
        block.to(ScalarType.Float64);
        var (reference, referenceGradient) = OutputAndInputGradient(block, inputs.to(ScalarType.Float64));

        var outputError = MaxDifference(output, reference);
        var gradientError = MaxDifference(gradient, referenceGradient);
        Assert.True(outputError < 1e-5 && gradientError < 1e-6, $"output {outputError}, input gradient {gradientError}; largest output {reference.abs().max().item<double>()}");
    }

    [Fact]
    public void A_72_channel_block_stays_finite_forward_and_backward_after_tensors_full_of_NaN_were_freed()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var block = new Block("Student", StudentLayers());
        var inputs = randn(128, 1, 28, 28);
        long[] sizes = [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20];
        var nonFinite = 0;
        for (var step = 0; step < 40; step++)
        {
            using var stepScope = NewDisposeScope();
            // Freed memory full of NaN bit patterns, as freed byte images or integers can leave it.
            foreach (var size in sizes) using (full(size, double.NaN)) { }
            var outputs = block.call(inputs);
            outputs.square().mean().backward();
            if (!outputs.isfinite().all().item<bool>() || block.parameters().Any(p => !p.grad!.isfinite().all().item<bool>())) nonFinite++;
            block.zero_grad();
        }
        Assert.Equal(0, nonFinite);
    }

    [Theory]
    [InlineData("DNNL_MAX_CPU_ISA", "ALL", true)]
    [InlineData("ONEDNN_MAX_CPU_ISA", "AVX512_CORE", true)]
    [InlineData("DNNL_MAX_CPU_ISA", "", false)]
    [InlineData("DNNL_VERBOSE", "1", false)]
    public void An_instruction_set_in_the_environment_is_the_users_and_is_kept(string name, string value, bool kept)
    {
        Assert.Equal(kept, OneDnnDefaults.UserChoseIsa(variable => variable == name ? value : null));
    }

    private static (Tensor Output, Tensor InputGradient) OutputAndInputGradient(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        var x = inputs.detach().requires_grad_(true);
        var output = model.call(x);
        output.square().sum().backward();
        return (output.detach(), x.grad!.detach());
    }

    private static double MaxDifference(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
}
