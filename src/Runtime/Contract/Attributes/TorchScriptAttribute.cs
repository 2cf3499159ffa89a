namespace DslKd;

/// <summary>
/// An opaque layer: a TorchScript module (<c>torch.jit.trace</c> or <c>torch.jit.script</c> of a PyTorch model, saved
/// with <c>.save(path)</c>) loaded at run time with <c>TorchScriptLayer.Load(model, path)</c>, which checks that it takes
/// the layer's input shape and returns <paramref name="outputs"/> values per sample. A teacher trained in PyTorch is then
/// a one-block declaration, usable by the logit terms (SoftTargets, DecoupledKD, LogitMatching, ...) without
/// re-declaring its architecture:
/// <code>
/// [Teacher(InputShape = [1, 28, 28], Classes = 10)]
/// public partial class PyTorchTeacher
/// {
///     [TorchScript(10, Parameters = 421_642)]
///     public partial Block Logits { get; }
/// }
/// </code>
/// Its parameters are frozen (it is never trained) and its inner blocks cannot be tapped by feature terms.
/// </summary>
/// <param name="outputs">Values per sample it returns (the classes, for a teacher's logits).</param>
public sealed class TorchScriptAttribute(int outputs) : LayerAttribute
{
    /// <summary>Values per sample the module returns.</summary>
    public int Outputs { get; } = outputs;

    /// <summary>
    /// The module's parameter count, when known: it becomes the model's compile-time ParameterCount (so a recipe's
    /// CompressionRatio is right) and loading checks it. 0 (default): unknown, counted as 0 at compile time (a recipe
    /// then warns DKD0024, student not smaller than the teacher).
    /// </summary>
    public int Parameters { get; set; }
}
