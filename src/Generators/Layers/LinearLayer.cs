using System.Collections.Generic;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>[Linear(out)]: [in] -> [out]; in*out weights plus out biases.</summary>
internal sealed class LinearLayer : LayerKind
{
    public override string Name => "Linear";

    public override LayerInference Infer(LayerContext context)
    {
        var outFeatures = context.Int("OutFeatures", 0);
        if (outFeatures <= 0)
            return context.InvalidArgument("OutFeatures", $"the output size must be positive but is {outFeatures}");
        if (context.Input.Count != 1)
            return context.RejectInput("Linear expects a vector [features]; add [Flatten] before it");

        var inFeatures = context.Input[0];
        var parameters = inFeatures * outFeatures + (context.Bool("Bias", true) ? outFeatures : 0);
        return LayerInference.Ok([outFeatures], parameters);
    }

    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer)
    {
        yield return ("weight", [layer.OutputShape[0], layer.InputShape[0]]);
        if (HasBias(layer)) yield return ("bias", [layer.OutputShape[0]]);
    }

    public override string Describe(ResolvedLayer layer) =>
        $"Linear({Literal.Join(Literal.Of(layer.InputShape[0]), Literal.Of(layer.OutputShape[0]), HasBias(layer) ? null : "bias=false")})";

    public override string Construct(ResolvedLayer layer) =>
        $"{Nn}Linear({Literal.Join($"inputSize: {Literal.Of(layer.InputShape[0])}", $"outputSize: {Literal.Of(layer.OutputShape[0])}", HasBias(layer) ? null : "hasBias: false", DeviceAndDtype)})";

    private static bool HasBias(ResolvedLayer layer) => layer.Layer.Arguments.Bool("Bias", true);
}
