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
public sealed class Block : nn.Module<Tensor, Tensor>
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

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            var next = layer.call(x);
            // Release each intermediate as soon as the next layer has consumed it, as nn.Sequential does: autograd keeps
            // its own reference to what backward needs, and the allocator gets the memory back for the next layer.
            // Measured: holding them to the end of the step cost a CNN training step 5-10% (docs/benchmarks.md).
            if (!ReferenceEquals(x, input) && !ReferenceEquals(next, x))
                x.Dispose();
            x = next;
        }
        // Never hand back the caller's own tensor object: callers may dispose what a block returns.
        return ReferenceEquals(x, input) ? input.alias() : x;
    }
}
