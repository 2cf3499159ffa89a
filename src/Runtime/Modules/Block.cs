using System;
using System.Collections.Generic;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A named, ordered group of layers: the unit a model declares as a <c>partial Block</c> property and whose output
/// is a feature that recipes can tap. Layers are registered as <c>"0"</c>, <c>"1"</c>, ... so a model's state_dict keys
/// read <c>Block.index.parameter</c>, for example <c>Stem.0.weight</c>.
/// </summary>
public sealed class Block : nn.Module<Tensor, Tensor>, IPreActivationModule
{
    private readonly nn.Module<Tensor, Tensor>[] _layers;

    static Block() => NativeDefaults.EnsureApplied();

    /// <summary>Creates a block running <paramref name="layers"/> in order.</summary>
    public Block(string name, params nn.Module<Tensor, Tensor>[] layers) : base(name)
    {
        _layers = layers;
        for (var i = 0; i < layers.Length; i++)
            register_module(i.ToString(CultureInfo.InvariantCulture), layers[i]);
    }

    /// <summary>Layers are registered by index in the constructor; TorchSharp's field-based registration must not add them again.</summary>
    protected override void RegisterComponents() { }

    /// <summary>The layers, in the order they run.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => _layers;

    /// <summary>
    /// How many trailing layers are activations (the generator counts them): <see cref="ForwardWithPreActivation"/> hands
    /// back the value before them. 0 when the block ends in something else, or in a unit that knows its own.
    /// </summary>
    public int ActivationTail { get; init; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Sequence.Run(_layers, input);

    /// <summary>
    /// The block's output and its pre-activation output: the value before its trailing activations, or, when the block
    /// ends in a residual unit (or a block of units), that unit's pre-activation output.
    /// </summary>
    public (Tensor Output, Tensor PreActivation) ForwardWithPreActivation(Tensor input)
    {
        if (ActivationTail == 0 && _layers.Length > 0 && _layers[^1] is IPreActivationModule last)
        {
            using var beforeLast = Sequence.Run(new ArraySegment<nn.Module<Tensor, Tensor>>(_layers, 0, _layers.Length - 1), input);
            return last.ForwardWithPreActivation(beforeLast);
        }
        var split = _layers.Length - ActivationTail;
        var preActivation = Sequence.Run(new ArraySegment<nn.Module<Tensor, Tensor>>(_layers, 0, split), input);
        if (ActivationTail == 0) return (preActivation, preActivation);
        var output = Sequence.Run(new ArraySegment<nn.Module<Tensor, Tensor>>(_layers, split, ActivationTail), preActivation);
        return (output, preActivation);
    }
}
