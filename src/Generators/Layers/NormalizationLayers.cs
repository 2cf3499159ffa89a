using System.Collections.Generic;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>[BatchNorm1d] on [C] or [C, L] and [BatchNorm2d] on [C, H, W]: shape unchanged, 2*C parameters (scale, shift).</summary>
internal sealed class BatchNormLayer(int spatialRank) : LayerKind
{
    public override string Name => $"BatchNorm{spatialRank}d";

    public override LayerInference Infer(LayerContext context)
    {
        if (ArgumentProblem(context) is { } problem) return problem;
        var accepted = spatialRank == 1 ? context.Input.Count is 1 or 2 : context.Input.Count == 3;
        if (!accepted)
        {
            var expected = spatialRank == 1 ? "[features] or [channels, length]" : "[channels, height, width]";
            var hint = spatialRank == 2 && context.Input.Count == 1 ? " (use [BatchNorm1d] on vectors)" : "";
            return context.RejectInput($"{Name} expects {expected}{hint}");
        }
        if (context.Layout == TensorLayout.Sequence)
            return context.RejectInput($"{Name} expects [features] or [channels, length], but this is a sequence [T, features], whose first axis is time; use [LayerNorm], which normalises each step's features");
        return LayerInference.Ok(context.Input, 2 * context.Input[0], context.Layout);
    }

    internal static LayerInference? ArgumentProblem(LayerContext context)
    {
        var eps = context.Real("Eps", 1e-5);
        if (!(eps > 0) || !Literal.IsFinite(eps))
            return context.InvalidArgument("Eps", $"Eps must be a small positive number but is {Literal.Of(eps)}");
        var momentum = context.Real("Momentum", 0.1);
        if (!(momentum >= 0 && momentum <= 1))
            return context.InvalidArgument("Momentum", $"Momentum must be in [0, 1] but is {Literal.Of(momentum)}");
        return null;
    }

    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer) =>
        [("weight", [layer.InputShape[0]]), ("bias", [layer.InputShape[0]])];

    // Settings that change the outputs are in the summary (which keys saved models and caches), defaults left out.
    public override string Describe(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Name}(" + Literal.Join(
            Literal.Of(layer.InputShape[0]),
            a.Has("Eps") ? "eps=" + Literal.Of(a.Real("Eps", 1e-5)) : null,
            a.Has("Momentum") ? "momentum=" + Literal.Of(a.Real("Momentum", 0.1)) : null) + ")";
    }

    public override string Construct(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Nn}{Name}(" + Literal.Join(
            "num_features: " + Literal.Of(layer.InputShape[0]),
            a.Has("Eps") ? "eps: " + Literal.Of(a.Real("Eps", 1e-5)) : null,
            a.Has("Momentum") ? "momentum: " + Literal.Of(a.Real("Momentum", 0.1)) : null,
            DeviceAndDtype) + ")";
    }
}

/// <summary>[LayerNorm] over the last dimension (a sequence's features, each step alone): shape unchanged, 2*last parameters.</summary>
internal sealed class LayerNormLayer : LayerKind
{
    public override string Name => "LayerNorm";

    public override LayerInference Infer(LayerContext context)
    {
        var eps = context.Real("Eps", 1e-5);
        if (!(eps > 0) || !Literal.IsFinite(eps))
            return context.InvalidArgument("Eps", $"Eps must be a small positive number but is {Literal.Of(eps)}");
        return LayerInference.Ok(context.Input, 2 * context.Input[context.Input.Count - 1], context.Layout);
    }

    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer) =>
        [("weight", [Last(layer)]), ("bias", [Last(layer)])];

    public override string Describe(ResolvedLayer layer) =>
        $"LayerNorm(" + Literal.Join(Literal.Of(Last(layer)),
            layer.Layer.Arguments.Has("Eps") ? "eps=" + Literal.Of(layer.Layer.Arguments.Real("Eps", 1e-5)) : null) + ")";

    public override string Construct(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Nn}LayerNorm(" + Literal.Join(
            "normalized_shape: " + Literal.Of(Last(layer)),
            a.Has("Eps") ? "eps: " + Literal.Of(a.Real("Eps", 1e-5)) : null,
            DeviceAndDtype) + ")";
    }

    private static long Last(ResolvedLayer layer) => layer.InputShape[layer.InputShape.Count - 1];
}
