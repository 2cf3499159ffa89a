using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>Parameter-free layers applied element by element: ReLU, ReLU6, GELU, SiLU, Hardswish, Tanh, Sigmoid. Any shape, unchanged.</summary>
internal sealed class ActivationLayer(string name) : LayerKind
{
    public override string Name => name;

    public override bool IsActivation => true;

    public override LayerInference Infer(LayerContext context) => LayerInference.Ok(context.Input, 0, context.Layout);

    public override string Describe(ResolvedLayer layer) => Name;

    public override string Construct(ResolvedLayer layer) => $"{Nn}{Name}()";
}

/// <summary>[LeakyReLU(slope)]: any shape, unchanged.</summary>
internal sealed class LeakyReLULayer : LayerKind
{
    public override string Name => "LeakyReLU";

    public override bool IsActivation => true;

    public override LayerInference Infer(LayerContext context)
    {
        var slope = context.Real("Slope", 0.01);
        if (!Literal.IsFinite(slope))
            return context.InvalidArgument("Slope", $"the negative slope must be a finite number but is {Literal.Of(slope)}");
        return LayerInference.Ok(context.Input, 0, context.Layout);
    }

    public override string Describe(ResolvedLayer layer) => $"LeakyReLU({Literal.Of(layer.Layer.Arguments.Real("Slope", 0.01))})";

    public override string Construct(ResolvedLayer layer) =>
        $"{Nn}LeakyReLU(negative_slope: {Literal.Of(layer.Layer.Arguments.Real("Slope", 0.01))})";
}

/// <summary>[Dropout(p)] with p in [0, 1): any shape, unchanged.</summary>
internal sealed class DropoutLayer : LayerKind
{
    public override string Name => "Dropout";

    public override LayerInference Infer(LayerContext context)
    {
        var p = context.Real("Probability", 0.5);
        if (!(p >= 0 && p < 1))
            return context.InvalidArgument("Probability", $"the drop probability must be in [0, 1) but is {Literal.Of(p)}");
        return LayerInference.Ok(context.Input, 0, context.Layout);
    }

    public override string Describe(ResolvedLayer layer) => $"Dropout({Literal.Of(layer.Layer.Arguments.Real("Probability", 0.5))})";

    public override string Construct(ResolvedLayer layer) =>
        $"{Nn}Dropout(p: {Literal.Of(layer.Layer.Arguments.Real("Probability", 0.5))})";
}

/// <summary>[Flatten]: any shape -> [product of its sizes].</summary>
internal sealed class FlattenLayer : LayerKind
{
    public override string Name => "Flatten";

    public override LayerInference Infer(LayerContext context) => LayerInference.Ok([Literal.Product(context.Input)]);

    public override string Describe(ResolvedLayer layer) => "Flatten";

    public override string Construct(ResolvedLayer layer) => $"{Nn}Flatten()";
}

/// <summary>[Identity]: passes its input through; any shape, unchanged.</summary>
internal sealed class IdentityLayer : LayerKind
{
    public override string Name => "Identity";

    public override LayerInference Infer(LayerContext context) => LayerInference.Ok(context.Input, 0, context.Layout);

    public override string Describe(ResolvedLayer layer) => Name;

    public override string Construct(ResolvedLayer layer) => $"{Nn}Identity()";
}
