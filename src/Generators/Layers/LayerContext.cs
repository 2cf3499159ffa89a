using DslKd.Generators.Diagnostics;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// What a <see cref="LayerKind"/> sees while inferring: the layer, its block, its input (shape and what its axes mean)
/// and the shapes so far.
/// </summary>
internal sealed class LayerContext(LayerSpec layer, string block, EquatableArray<long> input, string trace, TensorLayout layout = TensorLayout.Plain)
{
    public LayerSpec Layer { get; } = layer;
    public string Block { get; } = block;
    public EquatableArray<long> Input { get; } = input;

    /// <summary>What the input's axes mean: <see cref="TensorLayout.Sequence"/> after a sequence layer, and so on.</summary>
    public TensorLayout Layout { get; } = layout;

    /// <summary>The input is <c>[T, features]</c>: a sequence, or a model's declared rank-2 input (which a sequence layer reads as one).</summary>
    public bool IsSequenceLike => Input.Count == 2 && Layout is TensorLayout.Sequence or TensorLayout.Plain;

    public long Int(string name, long fallback) => Layer.Arguments.Int(name, fallback);
    public double Real(string name, double fallback) => Layer.Arguments.Real(name, fallback);
    public bool Bool(string name, bool fallback) => Layer.Arguments.Bool(name, fallback);
    public bool Has(string name) => Layer.Arguments.Has(name);

    /// <summary>DKD0006 at the offending argument (or the layer when the argument was not written).</summary>
    public LayerInference InvalidArgument(string argumentName, string problem) =>
        LayerInference.Fail(DiagnosticInfo.Create(Descriptors.InvalidAttributeArgument,
            Layer.Arguments.LocationOf(argumentName) ?? Layer.Location, Layer.Kind, Block, problem));

    /// <summary>
    /// DKD0006 for a number outside its <see cref="ValueRange"/>, carrying the argument, the range and the value a fix
    /// writes (the nearest valid one, else <paramref name="fallback"/>) as every out-of-range diagnostic does.
    /// </summary>
    public LayerInference OutOfRange(string argumentName, ValueRange range, double value, double? fallback, string problem) =>
        LayerInference.Fail(DiagnosticInfo.OutOfRange(Descriptors.InvalidAttributeArgument,
            Layer.Arguments.LocationOf(argumentName) ?? Layer.Location, argumentName, range, value, fallback, Layer.Kind, Block, problem));

    /// <summary>DKD0004: the incoming shape is not one this layer accepts.</summary>
    public LayerInference RejectInput(string expectation) =>
        LayerInference.Fail(DiagnosticInfo.Create(Descriptors.LayerRejectsInputShape,
            Layer.Location, Layer.Kind, Block, ShapeText.Format(Input), expectation));

    /// <summary>DKD0005: a window wider than the padded input would leave nothing.</summary>
    public LayerInference Collapse(long window, long paddedInput) =>
        LayerInference.Fail(DiagnosticInfo.Create(Descriptors.SpatialSizeCollapses,
            Layer.Location, Layer.Kind, Block, window, paddedInput, trace));
}
