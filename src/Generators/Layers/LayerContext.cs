using DslKd.Generators.Diagnostics;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>What a <see cref="LayerKind"/> sees while inferring: the layer, its block, its input and the shapes so far.</summary>
internal sealed class LayerContext(LayerSpec layer, string block, EquatableArray<long> input, string trace)
{
    public LayerSpec Layer { get; } = layer;
    public string Block { get; } = block;
    public EquatableArray<long> Input { get; } = input;

    public long Int(string name, long fallback) => Layer.Arguments.Int(name, fallback);
    public double Real(string name, double fallback) => Layer.Arguments.Real(name, fallback);
    public bool Bool(string name, bool fallback) => Layer.Arguments.Bool(name, fallback);
    public bool Has(string name) => Layer.Arguments.Has(name);

    /// <summary>DKD0006 at the offending argument (or the layer when the argument was not written).</summary>
    public LayerInference InvalidArgument(string argumentName, string problem) =>
        LayerInference.Fail(DiagnosticInfo.Create(Descriptors.InvalidAttributeArgument,
            Layer.Arguments.LocationOf(argumentName) ?? Layer.Location, Layer.Kind, Block, problem));

    /// <summary>DKD0004: the incoming shape is not one this layer accepts.</summary>
    public LayerInference RejectInput(string expectation) =>
        LayerInference.Fail(DiagnosticInfo.Create(Descriptors.LayerRejectsInputShape,
            Layer.Location, Layer.Kind, Block, ShapeText.Format(Input), expectation));

    /// <summary>DKD0005: a window wider than the padded input would leave nothing.</summary>
    public LayerInference Collapse(long window, long paddedInput) =>
        LayerInference.Fail(DiagnosticInfo.Create(Descriptors.SpatialSizeCollapses,
            Layer.Location, Layer.Kind, Block, window, paddedInput, trace));
}
