using System.Collections.Generic;
using System.Linq;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// [Conv1d(out, Kernel = k)] on [C, L] and [Conv2d(out, Kernel = k)] on [C, H, W], square kernels. Per spatial size n:
/// out = floor((n + 2*padding - dilation*(k-1) - 1) / stride) + 1, as in PyTorch.
/// </summary>
internal sealed class ConvolutionLayer(int spatialRank) : LayerKind
{
    public override string Name => $"Conv{spatialRank}d";

    private string ExpectedInput => spatialRank == 1 ? "[channels, length]" : "[channels, height, width]";

    public override LayerInference Infer(LayerContext context)
    {
        var kernel = context.Int("Kernel", 0);
        var stride = context.Int("Stride", 1);
        var padding = context.Int("Padding", 0);
        var dilation = context.Int("Dilation", 1);
        if (context.Input.Count != spatialRank + 1)
        {
            var hint = context.Input.Count == 1 ? " (a vector: convolutions must come before [Flatten])" : "";
            return context.RejectInput($"{Name} expects {ExpectedInput}{hint}");
        }
        if (context.Layout == TensorLayout.Sequence)
            return context.RejectInput($"{Name} expects {ExpectedInput}, but this is a sequence [T, features] (time first), which it would read as T channels; " +
                                       "convolve before the sequence layers, or use [PoolOverTime] to pool over time");
        var inChannels = context.Input[0];
        var expansion = context.Int("Expansion", 0);
        var depthwise = context.Bool("Depthwise", false);
        var groups = depthwise ? inChannels : context.Int("Groups", 1);
        var outChannels = OutChannels(context.Layer.Arguments, inChannels);

        if (expansion < 0) return context.InvalidArgument("Expansion", $"the expansion must be positive but is {expansion}");
        if (expansion > 0 && context.Int("OutChannels", 0) != 0)
            return context.InvalidArgument("Expansion", "give either the output channels or Expansion, not both");
        if (depthwise && context.Has("Groups"))
            return context.InvalidArgument("Groups", "Depthwise sets the groups to the input channels; remove Groups");
        if (outChannels <= 0)
            return context.InvalidArgument("OutChannels", $"the number of output channels must be positive but is {outChannels}");
        if (!context.Has("Kernel"))
            return context.InvalidArgument("Kernel", $"the kernel size is required, e.g. [{Name}({outChannels}, Kernel = 3)]");
        if (kernel <= 0) return context.InvalidArgument("Kernel", $"the kernel size must be positive but is {kernel}");
        if (stride <= 0) return context.InvalidArgument("Stride", $"the stride must be positive but is {stride}");
        if (padding < 0) return context.InvalidArgument("Padding", $"the padding must not be negative but is {padding}");
        if (dilation <= 0) return context.InvalidArgument("Dilation", $"the dilation must be positive but is {dilation}");
        if (groups <= 0) return context.InvalidArgument("Groups", $"the number of groups must be positive but is {groups}");

        if (inChannels % groups != 0)
            return context.InvalidArgument("Groups", $"the {inChannels} input channels do not divide into {groups} groups");
        if (outChannels % groups != 0)
            return context.InvalidArgument("Groups", $"the {outChannels} output channels do not divide into {groups} groups");

        var window = dilation * (kernel - 1) + 1;
        var output = new long[spatialRank + 1];
        output[0] = outChannels;
        for (var i = 1; i <= spatialRank; i++)
        {
            var padded = context.Input[i] + 2 * padding;
            if (window > padded) return context.Collapse(window, padded);
            output[i] = (padded - window) / stride + 1;
        }

        var kernelVolume = Enumerable.Repeat(kernel, spatialRank).Aggregate(1L, (p, k) => p * k);
        var parameters = outChannels * (inChannels / groups) * kernelVolume + (context.Bool("Bias", true) ? outChannels : 0);
        return LayerInference.Ok(output, parameters, spatialRank == 1 ? TensorLayout.Channels : TensorLayout.Plain);
    }

    public override IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        var weight = new List<long> { layer.OutputShape[0], layer.InputShape[0] / Groups(layer) };
        weight.AddRange(Enumerable.Repeat(a.Int("Kernel", 0), spatialRank));
        yield return ("weight", weight.ToArray());
        if (a.Bool("Bias", true)) yield return ("bias", [layer.OutputShape[0]]);
    }

    public override string Describe(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Name}(" + Literal.Join(
            Literal.Of(layer.InputShape[0]),
            Literal.Of(layer.OutputShape[0]),
            "kernel=" + Literal.Of(a.Int("Kernel", 0)),
            a.Int("Stride", 1) != 1 ? "stride=" + Literal.Of(a.Int("Stride", 1)) : null,
            a.Int("Padding", 0) != 0 ? "padding=" + Literal.Of(a.Int("Padding", 0)) : null,
            a.Int("Dilation", 1) != 1 ? "dilation=" + Literal.Of(a.Int("Dilation", 1)) : null,
            Groups(layer) != 1 ? "groups=" + Literal.Of(Groups(layer)) : null,
            a.Bool("Bias", true) ? null : "bias=false") + ")";
    }

    public override string Construct(ResolvedLayer layer)
    {
        var a = layer.Layer.Arguments;
        return $"{Nn}{Name}(" + Literal.Join(
            "in_channels: " + Literal.Of(layer.InputShape[0]),
            "out_channels: " + Literal.Of(layer.OutputShape[0]),
            "kernel_size: " + Literal.Of(a.Int("Kernel", 0)),
            a.Int("Stride", 1) != 1 ? "stride: " + Literal.Of(a.Int("Stride", 1)) : null,
            a.Int("Padding", 0) != 0 ? "padding: " + Literal.Of(a.Int("Padding", 0)) : null,
            a.Int("Dilation", 1) != 1 ? "dilation: " + Literal.Of(a.Int("Dilation", 1)) : null,
            Groups(layer) != 1 ? "groups: " + Literal.Of(Groups(layer)) : null,
            a.Bool("Bias", true) ? null : "bias: false",
            DeviceAndDtype) + ")";
    }

    /// <summary>The output channels as declared: a number, a multiple of the input's (Expansion), or the input's (Depthwise).</summary>
    private static long OutChannels(EquatableArray<AttributeArgument> a, long inChannels)
    {
        var expansion = a.Int("Expansion", 0);
        if (expansion > 0) return checked(inChannels * expansion);
        var declared = a.Int("OutChannels", 0);
        return declared == 0 && a.Bool("Depthwise", false) ? inChannels : declared;
    }

    private static long Groups(ResolvedLayer layer) =>
        layer.Layer.Arguments.Bool("Depthwise", false) ? layer.InputShape[0] : layer.Layer.Arguments.Int("Groups", 1);
}
