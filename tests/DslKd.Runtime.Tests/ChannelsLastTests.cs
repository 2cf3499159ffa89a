using DslKd;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Channels-last goes through libtorch's C++ entry point with a hand-made return slot: the values, the strides, the
/// handle's lifetime, the gradients and a few training steps must all be those of the default format.
/// </summary>
public class ChannelsLastTests
{
    [Fact]
    public void Conversion_keeps_the_values_and_lays_them_out_NHWC()
    {
        using var input = randn(2, 3, 4, 5, generator: new Generator(1));

        using var converted = input.ToChannelsLast();

        Assert.Equal(new long[] { 2, 3, 4, 5 }, converted.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, converted.stride());
        Assert.True(converted.IsChannelsLast());
        Assert.True(SameValues(converted, input));
        Assert.Equal(new long[] { 60, 20, 5, 1 }, input.stride());
        Assert.False(input.IsChannelsLast());
    }

    [Fact]
    public void A_single_channel_batch_gets_the_exact_channels_last_strides_over_the_same_values()
    {
        // libtorch's contiguous() hands such a tensor back unchanged (its strides match NHWC but for the size-1 channel
        // dimension); its operators would then still run NCHW.
        using var input = randn(4, 1, 6, 7, generator: new Generator(2));

        using var converted = input.ToChannelsLast();

        Assert.Equal(new long[] { 42, 1, 7, 1 }, converted.stride());
        Assert.True(converted.IsChannelsLast());
        Assert.True(SameValues(converted, input));
        Assert.False(input.IsChannelsLast());
    }

    [Fact]
    public void Converting_a_channels_last_tensor_gives_a_new_handle_on_it_that_is_disposed_independently()
    {
        using var input = randn(2, 3, 4, 4, generator: new Generator(3));
        var sum = input.sum().item<float>();
        var first = input.ToChannelsLast();

        var second = first.ToChannelsLast();
        second.Dispose();

        Assert.NotSame(first, second);
        Assert.True(first.IsChannelsLast());
        Assert.True(SameValues(first, input));
        first.Dispose();
        Assert.Equal(sum, input.sum().item<float>());
    }

    [Fact]
    public void Tensors_that_are_not_4D_are_rejected_before_libtorch_sees_them()
    {
        using var matrix = randn(3, 4);

        Assert.Throws<ArgumentException>(() => matrix.ToChannelsLast());
        Assert.False(matrix.IsChannelsLast());
    }

    [Fact]
    public void Ten_thousand_converted_handles_dispose_without_leaking_tensors_or_memory()
    {
        using var source = randn(8, 16, 32, 32, generator: new Generator(4)); // 512 KiB: a leaked copy each time would be 5 GiB
        using var channelsLast = source.ToChannelsLast();
        var expected = source.sum().item<float>();
        var expectedChannelsLast = channelsLast.sum().item<float>(); // summed in another order: not bit-equal to the source's sum
        var liveBefore = Tensor.TotalCount;
        var memoryBefore = Environment.WorkingSet;

        for (var i = 0; i < 10_000; i++)
        {
            using var copy = source.ToChannelsLast();        // a new tensor
            using var sameTensor = channelsLast.ToChannelsLast(); // a new handle on an existing tensor
        }

        // Other tests' tensors may be finalized meanwhile (the count only falls then); a leak would add 20,000.
        Assert.True(Tensor.TotalCount - liveBefore < 100, $"{Tensor.TotalCount - liveBefore} tensors more than before");
        Assert.True(Environment.WorkingSet - memoryBefore < 512L << 20, $"working set grew by {(Environment.WorkingSet - memoryBefore) >> 20} MiB");
        Assert.Equal(expected, source.sum().item<float>());
        Assert.Equal(expectedChannelsLast, channelsLast.sum().item<float>());
    }

    [Fact]
    public void Gradients_through_the_conversion_equal_those_of_float64()
    {
        // Against float64 (libtorch computes it without oneDNN), not against the default layout in float32: on an AVX-512
        // machine of this project's kind oneDNN's default-layout backward of a 3->4 convolution was off by 0.9-2.4.
        foreach (var channels in new long[] { 3, 1 })
        {
            manual_seed(5);
            using var conv = nn.Conv2d(channels, 4, 3, padding: 1);
            using var input = randn(2, channels, 6, 6, generator: new Generator(6)).requires_grad_();

            conv.call(input.ToChannelsLast()).square().sum().backward();
            using var viaChannelsLast = input.grad!.clone();
            using var weightViaChannelsLast = conv.weight!.grad!.clone();
            conv.to(ScalarType.Float64);
            conv.zero_grad();
            using var input64 = input.detach().to(ScalarType.Float64).requires_grad_();
            conv.call(input64).square().sum().backward();

            Assert.True(viaChannelsLast.to(ScalarType.Float64).allclose(input64.grad!, rtol: 1e-5, atol: 1e-5), $"{channels} channels: input gradient");
            Assert.True(weightViaChannelsLast.to(ScalarType.Float64).allclose(conv.weight.grad!, rtol: 1e-5, atol: 1e-5), $"{channels} channels: weight gradient");
        }
    }

    [Fact]
    public void Converting_a_module_lays_out_its_conv_weights_channels_last_and_keeps_its_parameter_objects()
    {
        using var model = SmallCnn(seed: 7);
        var before = model.named_parameters().ToDictionary(p => p.name, p => (Parameter: p.parameter, Values: p.parameter.detach().clone()));

        var converted = model.ToChannelsLast();

        Assert.Equal(2, converted); // the two convolution weights; biases, BatchNorm and Linear are not 4-D
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.Same(before[name].Parameter, parameter);
            Assert.True(SameValues(parameter, before[name].Values), name);
            Assert.True(parameter.requires_grad, name);
            Assert.Equal(parameter.dim() == 4, parameter.IsChannelsLast());
        }
        Assert.Equal(0, model.ToChannelsLast()); // already converted
    }

    [Fact]
    public void Three_Adam_steps_channels_last_give_the_losses_of_the_default_format()
    {
        using var images = randn(8, 3, 12, 12, generator: new Generator(8));
        using var labels = randint(0, 5, [8], generator: new Generator(9));

        var (defaultLosses, defaultModel) = Train(SmallCnn(seed: 10), images, labels, channelsLast: false);
        var (channelsLastLosses, channelsLastModel) = Train(SmallCnn(seed: 10), images, labels, channelsLast: true);

        for (var step = 0; step < 3; step++)
            Assert.True(Math.Abs(channelsLastLosses[step] - defaultLosses[step]) <= 1e-4 * Math.Abs(defaultLosses[step]),
                $"step {step}: {channelsLastLosses[step]} vs {defaultLosses[step]}");
        // A convolution's bias before BatchNorm has a gradient of zero up to rounding (BatchNorm subtracts the mean), and
        // Adam scales that noise to steps of the learning rate whose sign depends on the summation order: not compared.
        var differing = defaultModel.named_parameters().Zip(channelsLastModel.named_parameters())
            .Where(p => p.First.name is not ("0.bias" or "4.bias"))
            .Where(p => !p.First.parameter.allclose(p.Second.parameter, rtol: 1e-4, atol: 1e-5))
            .Select(p => $"{p.First.name} {(p.First.parameter - p.Second.parameter).abs().max().item<float>()}").ToList();
        Assert.Empty(differing);
        foreach (var ((name, a), (_, b)) in defaultModel.named_parameters().Zip(channelsLastModel.named_parameters()))
        {
            // Adam's in-place updates keep the weights channels-last.
            Assert.Equal(b.dim() == 4, b.IsChannelsLast());
        }
        defaultModel.Dispose();
        channelsLastModel.Dispose();
    }

    [Fact]
    public void Conv_BatchNorm_ReLU_and_max_pooling_keep_a_channels_last_input_channels_last()
    {
        using var model = SmallCnn(seed: 11);
        model.ToChannelsLast();
        model.train();
        using var images = randn(4, 3, 12, 12, generator: new Generator(12));
        using var scope = NewDisposeScope();

        var x = images.ToChannelsLast();
        foreach (var (name, layer) in model.named_children().Take(8)) // the two conv blocks; Flatten reads NCHW order
        {
            x = ((nn.Module<Tensor, Tensor>)layer).call(x);
            Assert.True(x.IsChannelsLast(), $"the output of layer {name} ({layer.GetType().Name}) is not channels-last");
        }
    }

    [Fact]
    public void A_generated_single_channel_CNN_runs_channels_last_from_its_first_convolution_and_computes_the_same_logits()
    {
        using var reference = new WideCnn(seed: 13);
        using var model = new WideCnn(seed: 13);
        reference.eval();
        model.eval();
        using var images = randn(4, 1, 28, 28, generator: new Generator(14));
        using var scope = NewDisposeScope();

        Assert.Equal(2, model.ToChannelsLast());
        var input = images.ToChannelsLast();
        var stem = model.Stem.call(input);
        var body = model.Body.call(stem);

        Assert.True(stem.IsChannelsLast());
        Assert.True(body.IsChannelsLast());
        Assert.True(model.call(input).allclose(reference.call(images), rtol: 1e-4, atol: 1e-5));
    }

    private static bool SameValues(Tensor a, Tensor b)
    {
        using var equal = a.eq(b).all();
        return equal.item<bool>();
    }

    /// <summary>Conv2d + BatchNorm2d + ReLU + MaxPool2d twice, then a linear layer: the same weights for the same seed.</summary>
    private static nn.Module<Tensor, Tensor> SmallCnn(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(
            nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding: 1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 3 * 3, 5));
    }

    private static (float[] Losses, nn.Module<Tensor, Tensor> Model) Train(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, bool channelsLast)
    {
        if (channelsLast) model.ToChannelsLast();
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        model.train();
        var losses = new float[3];
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var input = channelsLast ? images.ToChannelsLast() : images;
            var loss = nn.functional.cross_entropy(model.call(input), labels);
            losses[step] = loss.item<float>();
            loss.backward();
            optimizer.step();
        }
        return (losses, model);
    }
}
