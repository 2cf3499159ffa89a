using System.Collections.Generic;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// One residual unit: the body's layers, then the unit's input added back (through the shortcut when the shapes differ),
/// then the layers after the add. Layers are registered by their position in the declaration (<c>"0"</c>, <c>"1"</c>,
/// ...; the add itself is not a module), the shortcut as <c>"Shortcut"</c>: <c>Stage2.0.3.weight</c>,
/// <c>Stage2.0.Shortcut.0.weight</c>.
/// </summary>
public sealed class ResidualUnit : nn.Module<Tensor, Tensor>, IPreActivationModule
{
    private readonly nn.Module<Tensor, Tensor>[] _body;
    private readonly nn.Module<Tensor, Tensor>? _shortcut;
    private readonly nn.Module<Tensor, Tensor>[] _afterAdd;

    /// <summary>Creates a unit computing <c>afterAdd(body(x) + shortcut(x))</c>; a null shortcut is the identity.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="body">The layers before the add.</param>
    /// <param name="shortcut">What the input passes through before the add (a projection), or null for the identity.</param>
    /// <param name="afterAdd">The layers after the add (typically the activation).</param>
    public ResidualUnit(string name, nn.Module<Tensor, Tensor>[] body, nn.Module<Tensor, Tensor>? shortcut, params nn.Module<Tensor, Tensor>[] afterAdd)
        : base(name)
    {
        _body = body;
        _shortcut = shortcut;
        _afterAdd = afterAdd;
        var index = 0;
        foreach (var layer in body) register_module((index++).ToString(CultureInfo.InvariantCulture), layer);
        foreach (var layer in afterAdd) register_module((index++).ToString(CultureInfo.InvariantCulture), layer);
        if (shortcut is not null) register_module("Shortcut", shortcut);
    }

    /// <summary>Layers are registered in the constructor; TorchSharp's field-based registration must not add them again.</summary>
    protected override void RegisterComponents() { }

    /// <summary>The layers before the add.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Body => _body;

    /// <summary>The projection on the shortcut, or null for the identity.</summary>
    public nn.Module<Tensor, Tensor>? Shortcut => _shortcut;

    /// <summary>The layers after the add.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> AfterAdd => _afterAdd;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        return ForwardWithPreActivation(input, keepPreActivation: false).Output;
    }

    /// <summary>The sum (after the add, before the layers after it) and the unit's output.</summary>
    public (Tensor Output, Tensor PreActivation) ForwardWithPreActivation(Tensor input) => ForwardWithPreActivation(input, keepPreActivation: true);

    private (Tensor Output, Tensor PreActivation) ForwardWithPreActivation(Tensor input, bool keepPreActivation)
    {
        using var branch = Sequence.Run(_body, input);
        using var projected = _shortcut?.call(input);
        // Not branch + x: see KeptScalarArithmetic.
        var sum = branch.Plus(projected ?? input);
        if (_afterAdd.Length == 0) return (sum, sum);
        var output = Sequence.Run(_afterAdd, sum, keepInput: keepPreActivation);
        return (output, keepPreActivation ? sum : output);
    }
}
