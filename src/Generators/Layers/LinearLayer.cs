using System.Collections.Generic;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// [Linear(out)]: [in] -> [out]; on a sequence, each step: [T, in] -> [T, out] (PyTorch's nn.Linear on the last axis).
/// in*out weights plus out biases. A map [C, L] or [C, H, W] is refused: Linear would act on its last axis (a length or
/// a width), which is almost never meant, so it asks for [Flatten].
/// </summary>
internal sealed class LinearLayer : LayerKind
{
    public override string Name => "Linear";

    public override LayerInference Infer(LayerContext context)
    {
        var outFeatures = context.Int("OutFeatures", 0);
        if (outFeatures <= 0)
            return context.InvalidArgument("OutFeatures", $"the output size must be positive but is {outFeatures}");
        var sequence = context.Input.Count == 2 && context.Layout == TensorLayout.Sequence;
        if (context.Input.Count != 1 && !sequence)
        {
            return context.RejectInput(context.Input.Count == 2
                ? "Linear expects a vector [features], or a sequence [T, features] from a sequence layer (Embedding, LSTM, GRU, TransformerEncoder, PositionalEncoding); " +
                  (context.Layout == TensorLayout.Channels
                      ? "on this [channels, length] map it would act on the length, so add [Flatten] before it"
                      : "this input is not known to be a sequence (it may be [channels, length]), so add [Flatten] before it, or a sequence layer")
                : "Linear expects a vector [features]; add [Flatten] before it");
        }

        var inFeatures = context.Input[context.Input.Count - 1];
        var parameters = inFeatures * outFeatures + (context.Bool("Bias", true) ? outFeatures : 0);
        return sequence
            ? LayerInference.Ok([context.Input[0], outFeatures], parameters, TensorLayout.Sequence)
            : LayerInference.Ok([outFeatures], parameters);
    }

    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer)
    {
        yield return ("weight", [Out(layer), In(layer)]);
        if (HasBias(layer)) yield return ("bias", [Out(layer)]);
    }

    public override string Describe(ResolvedLayer layer) =>
        $"Linear({Literal.Join(Literal.Of(In(layer)), Literal.Of(Out(layer)), HasBias(layer) ? null : "bias=false")})";

    public override string Construct(ResolvedLayer layer) =>
        $"{Nn}Linear({Literal.Join($"inputSize: {Literal.Of(In(layer))}", $"outputSize: {Literal.Of(Out(layer))}", HasBias(layer) ? null : "hasBias: false", DeviceAndDtype)})";

    private static bool HasBias(ResolvedLayer layer) => layer.Layer.Arguments.Bool("Bias", true);

    // The feature axis is the last one: a vector's only axis, a sequence's second.
    private static long In(ResolvedLayer layer) => layer.InputShape[layer.InputShape.Count - 1];

    private static long Out(ResolvedLayer layer) => layer.OutputShape[layer.OutputShape.Count - 1];
}
