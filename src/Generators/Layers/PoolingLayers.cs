using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// [MaxPool2d(k)] and [AvgPool2d(k)] on [C, H, W]: out = floor((n + 2*padding - k) / stride) + 1, stride defaulting to k.
/// PyTorch refuses padding larger than half the window, so that is checked here too.
/// </summary>
internal sealed class WindowPoolLayer(string name) : LayerKind
{
    public override string Name => name;

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
        if (context.Input.Count != 3)
            return context.RejectInput($"{Name} expects [channels, height, width]");

        var output = new long[3];
        output[0] = context.Input[0];
        for (var i = 1; i < 3; i++)
        {
            var padded = context.Input[i] + 2 * padding;
            if (kernel > padded) return context.Collapse(kernel, padded);
            output[i] = (padded - kernel) / stride + 1;
        }
        return LayerInference.Ok(output);
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
