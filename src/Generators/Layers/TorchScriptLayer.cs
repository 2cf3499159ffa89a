using System.Linq;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// [TorchScript(outputs, Parameters = n)]: an opaque TorchScript module loaded at run time. Takes any input shape (checked
/// when the module loads), returns [outputs]; its parameter count is the declared one (0 when unknown).
/// </summary>
internal sealed class TorchScriptLayer : LayerKind
{
    public override string Name => "TorchScript";

    public override LayerInference Infer(LayerContext context)
    {
        var outputs = context.Int("Outputs", 0);
        if (outputs <= 0) return context.InvalidArgument("Outputs", $"the number of outputs must be positive but is {outputs}");
        var parameters = context.Int("Parameters", 0);
        if (parameters < 0) return context.InvalidArgument("Parameters", $"the parameter count must not be negative but is {parameters}");
        return LayerInference.Ok([outputs], parameters);
    }

    public override string Describe(ResolvedLayer layer) =>
        $"TorchScript({Literal.Of(layer.OutputShape[0])}" + (layer.ParameterCount > 0 ? $", parameters={Literal.Of(layer.ParameterCount)}" : "") + ")";

    public override string Construct(ResolvedLayer layer) =>
        "new global::DslKd.TorchScriptLayer(inputShape: new long[] { " + string.Join(", ", layer.InputShape.Select(d => Literal.Of(d))) + " }, " +
        $"outputs: {Literal.Of(layer.OutputShape[0])}, parameters: {Literal.Of(layer.ParameterCount)})";
}
