using System.Collections.Generic;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Layers;

/// <summary>
/// Everything the generator knows about one kind of layer: its shape rule and argument checks, its parameter count,
/// its line in the model summary and the TorchSharp code that builds it. Adding a layer means adding one subclass
/// (and listing it in <see cref="LayerCatalog"/>) plus its attribute in the runtime.
/// </summary>
internal abstract class LayerKind
{
    protected const string Nn = "global::TorchSharp.torch.nn.";
    protected const string DeviceAndDtype = "device: device, dtype: dtype";

    /// <summary>The attribute name without the "Attribute" suffix, e.g. "Conv2d".</summary>
    public abstract string Name { get; }

    /// <summary>An element-wise activation: a block's trailing activations are what its pre-activation output skips.</summary>
    public virtual bool IsActivation => false;

    /// <summary>Checks the arguments against the incoming shape and infers the output shape and parameter count.</summary>
    public abstract LayerInference Infer(LayerContext context);

    /// <summary>The layer's label in the model summary, e.g. <c>Conv2d(1, 32, kernel=3, padding=1)</c>.</summary>
    public abstract string Describe(ResolvedLayer layer);

    /// <summary>The layer's trainable parameters as TorchSharp names them ("weight", "bias") with their shapes.</summary>
    public virtual IEnumerable<(string Name, long[] Shape)> ParameterShapes(ResolvedLayer layer) => [];

    /// <summary>A C# expression that creates the TorchSharp module; may use the constructor's <c>device</c> and <c>dtype</c>.</summary>
    public abstract string Construct(ResolvedLayer layer);

    /// <summary>"LSTMAttribute" (from <c>nameof</c>) -> "LSTM".</summary>
    protected static string KindOf(string attributeClassName) => attributeClassName.Substring(0, attributeClassName.Length - "Attribute".Length);
}

/// <summary>The outcome of <see cref="LayerKind.Infer"/>: an output shape and parameter count, or a diagnostic.</summary>
internal sealed class LayerInference
{
    private LayerInference(EquatableArray<long> output, long parameters, TensorLayout layout, DiagnosticInfo? error)
    {
        Output = output;
        Parameters = parameters;
        Layout = layout;
        Error = error;
    }

    public EquatableArray<long> Output { get; }
    public long Parameters { get; }

    /// <summary>What the output's axes mean (a sequence, a channel map, or plain).</summary>
    public TensorLayout Layout { get; }

    public DiagnosticInfo? Error { get; }

    public static LayerInference Ok(EquatableArray<long> output, long parameters = 0, TensorLayout layout = TensorLayout.Plain) =>
        new(output, parameters, layout, null);

    public static LayerInference Ok(long[] output, long parameters = 0, TensorLayout layout = TensorLayout.Plain) =>
        new(output.ToEquatableArray(), parameters, layout, null);

    public static LayerInference Fail(DiagnosticInfo error) => new(EquatableArray<long>.Empty, 0, TensorLayout.Plain, error);
}
