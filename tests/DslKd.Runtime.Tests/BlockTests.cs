using DslKd;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>A block releases its intermediates as it goes; that must change neither results nor gradients, nor touch the caller's tensor.</summary>
public class BlockTests
{
    [Fact]
    public void Gradients_through_a_block_equal_those_of_the_same_layers_run_by_hand()
    {
        var linear1 = nn.Linear(6, 5);
        var linear2 = nn.Linear(5, 3);
        var block = new Block("Body", linear1, nn.ReLU(), linear2, nn.Tanh());
        var input = randn(4, 6, generator: new Generator(7));

        block.call(input).sum().backward();
        var blockGradients = new[] { linear1.weight!.grad!.clone(), linear2.weight!.grad!.clone() };
        block.zero_grad();

        linear2.call(linear1.call(input).relu()).tanh().sum().backward();

        Assert.True(blockGradients[0].allclose(linear1.weight.grad!));
        Assert.True(blockGradients[1].allclose(linear2.weight.grad!));
    }

    [Fact]
    public void A_block_whose_layers_hand_back_their_input_returns_a_new_tensor_and_leaves_the_input_alive()
    {
        var block = new Block("Passthrough", new ReturnsInput(), new ReturnsInput());
        var input = ones(2, 3);

        var output = block.call(input);
        output.Dispose();

        Assert.NotSame(input, output);
        Assert.Equal(6.0f, input.sum().item<float>());
    }

    [Fact]
    public void A_block_does_not_dispose_the_input_it_was_given()
    {
        var block = new Block("Body", nn.Linear(3, 3), nn.ReLU());
        var input = ones(2, 3);

        using (NewDisposeScope())
            block.call(input);

        Assert.Equal(6.0f, input.sum().item<float>());
    }

    private sealed class ReturnsInput() : nn.Module<Tensor, Tensor>("ReturnsInput")
    {
        public override Tensor forward(Tensor input) => input;
    }

    [Fact]
    public void Creating_a_block_switches_off_libtorchs_nnpack_probe()
    {
        using var block = new Block("Probe", nn.ReLU());

        // libtorch asks whether NNPACK is available before it checks the batch size, and prints a warning on every ask
        // on CPUs where NNPACK cannot initialise; with the user flag off it never asks.
        Assert.False(NativeDefaults.NnpackEnabled);
    }
}

