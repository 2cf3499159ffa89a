using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// [MaxPool2d(k)] and [AvgPool2d(k)] on [C, H, W], [MaxPool1d(k)] and [AvgPool1d(k)] on [C, L]: per spatial size n,
/// out = floor((n + 2*padding - k) / stride) + 1, stride defaulting to k. PyTorch refuses padding larger than half the
/// window, so that is checked here too. The 1-d poolings pool a map's length; a sequence [T, features] has time first,
/// and is pooled over time by [PoolOverTime].
/// </summary>
internal sealed class WindowPoolLayer(string name, int spatialRank = 2) : LayerKind
{
    public override string Name => name;

    private string ExpectedInput => spatialRank == 1 ? "[channels, length]" : "[channels, height, width]";

    public override LayerInference Infer(LayerContext context)
    {
        var kernel = context.Int("Kernel", 0);
        var stride = Stride(context.Layer.Arguments);
        var padding = context.Int("Padding", 0);
        if (kernel <= 0) return context.InvalidArgument("Kernel", $"the window size must be positive but is {kernel}");
        if (stride <= 0) return context.InvalidArgument("Stride", $"the stride must be positive but is {stride}");
        if (padding < 0) return context.InvalidArgument("Padding", $"the padding must not be negative but is {padding}");
        if (padding * 2 > kernel)
            return context.InvalidArgument("Padding", $"the padding must be at most half the window ({kernel / 2}) but is {padding}");
        if (context.Input.Count != spatialRank + 1)
        {
            var hint = spatialRank == 1 && context.Input.Count == 1 ? " (a vector: pool before [Flatten])" : "";
            return context.RejectInput($"{Name} expects {ExpectedInput}{hint}");
        }
        if (context.Layout == TensorLayout.Sequence)
            return context.RejectInput($"{Name} pools the length of a map [channels, length], but this is a sequence [T, features] (time first); " +
                                       $"use [PoolOverTime(TimePooling.{(Name.StartsWith("Max", System.StringComparison.Ordinal) ? "Max" : "Mean")}, Kernel = {kernel})] to pool over time");

        var output = new long[spatialRank + 1];
        output[0] = context.Input[0];
        for (var i = 1; i <= spatialRank; i++)
        {
            var padded = context.Input[i] + 2 * padding;
            if (kernel > padded) return context.Collapse(kernel, padded);
            output[i] = (padded - kernel) / stride + 1;
        }
        return LayerInference.Ok(output, 0, spatialRank == 1 ? TensorLayout.Channels : TensorLayout.Plain);
    }

    public override string Describe(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        var kernel = a.Int("Kernel", 0);
        return $"{Name}(" + Literal.Join(
            Literal.Of(kernel),
            Stride(a) != kernel ? "stride=" + Literal.Of(Stride(a)) : null,
            a.Int("Padding", 0) != 0 ? "padding=" + Literal.Of(a.Int("Padding", 0)) : null) + ")";
    }

    public override string Construct(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        var kernel = a.Int("Kernel", 0);
        return $"{Nn}{Name}(" + Literal.Join(
            "kernel_size: " + Literal.Of(kernel),
            Stride(a) != kernel ? "stride: " + Literal.Of(Stride(a)) : null,
            a.Int("Padding", 0) != 0 ? "padding: " + Literal.Of(a.Int("Padding", 0)) : null) + ")";
    }

    // Stride 0 (the attribute's default) means "same as the window", as in PyTorch.
    private static long Stride(EquatableArray<AttributeArgument> arguments)
    {
        var stride = arguments.Int("Stride", 0);
        return stride == 0 && !arguments.Has("Stride") ? arguments.Int("Kernel", 0) : stride;
    }
}

/// <summary>[AdaptiveAvgPool2d(h, w)] on [C, H, W] -> [C, h, w] whatever H and W are.</summary>
internal sealed class AdaptiveAvgPoolLayer : LayerKind
{
    public override string Name => "AdaptiveAvgPool2d";

    public override LayerInference Infer(LayerContext context)
    {
        var height = context.Int("Height", context.Int("Size", 0));
        var width = context.Int("Width", context.Int("Size", 0));
        if (height <= 0) return context.InvalidArgument(context.Has("Size") ? "Size" : "Height", $"the output height must be positive but is {height}");
        if (width <= 0) return context.InvalidArgument(context.Has("Size") ? "Size" : "Width", $"the output width must be positive but is {width}");
        if (context.Input.Count != 3)
            return context.RejectInput("AdaptiveAvgPool2d expects [channels, height, width]");
        return LayerInference.Ok([context.Input[0], height, width]);
    }

    public override string Describe(ResolvedLayer layer) =>
        $"AdaptiveAvgPool2d({Literal.Of(layer.OutputShape[1])}, {Literal.Of(layer.OutputShape[2])})";

    public override string Construct(ResolvedLayer layer) =>
        $"{Nn}AdaptiveAvgPool2d(output_size: ({Literal.Of(layer.OutputShape[1])}, {Literal.Of(layer.OutputShape[2])}))";
}
