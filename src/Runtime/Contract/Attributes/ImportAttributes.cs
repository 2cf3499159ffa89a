using System;

namespace DslKd;

/// <summary>
/// Maps a module of a PyTorch model onto a layer or block of this declaration, so a PyTorch state_dict loads without
/// renaming a tensor by hand (<c>PyTorchWeights.Load</c>), and a trained model saves back under the PyTorch names.
/// Rules are prefixes of module paths, as PyTorch prints them in <c>state_dict().keys()</c>; what follows the prefix
/// (<c>.weight</c>, <c>.running_mean</c>, <c>.0.weight</c>) is kept. <c>{name}</c> stands for an index (digits) and
/// must appear on both sides:
/// <code>
/// [PyTorchName("conv1", "Stem.0")]
/// [PyTorchName("bn1", "Stem.1")]
/// [PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
/// [PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
/// [PyTorchName("fc", "Logits.2")]
/// </code>
/// DslKd's names are the block's name, then the layer's index in the block (<c>Stem.0</c>), or for residual blocks
/// the unit's index, then the layer's (<c>Layer1.0.3</c>; <c>AddInput</c> does not count) or <c>Shortcut.i</c>.
/// The most specific rule that matches a name wins (more segments, then more literal characters); a name no rule
/// matches keeps its name. The generator checks every rule against the declaration (DKD0040, DKD0041).
/// </summary>
/// <param name="pyTorch">The PyTorch module path (prefix), e.g. <c>layer{n}.{unit}.bn1</c>.</param>
/// <param name="dslKd">The DslKd layer or block path it is, e.g. <c>Layer{n}.{unit}.1</c>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PyTorchNameAttribute(string pyTorch, string dslKd) : Attribute
{
    /// <summary>The PyTorch module path (prefix).</summary>
    public string PyTorch { get; } = pyTorch;

    /// <summary>The DslKd layer or block path.</summary>
    public string DslKd { get; } = dslKd;
}

/// <summary>
/// Names the PyTorch weights (a <c>.safetensors</c> file) this model is meant to load, relative to the project folder.
/// When the file is also an <c>AdditionalFiles</c> item of the project, the generator reads its header at compile time
/// and reports every tensor that is missing (DKD0043), unexpected (DKD0044) or of another shape (DKD0045) as an error
/// on the model, under the names <see cref="PyTorchNameAttribute"/> maps. Loading at run time still takes a path:
/// <c>PyTorchWeights.Load(model, path)</c>.
/// </summary>
/// <param name="path">The weights file, relative to the project folder, e.g. <c>weights/resnet8x4.safetensors</c>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PretrainedWeightsAttribute(string path) : Attribute
{
    /// <summary>The weights file, relative to the project folder.</summary>
    public string Path { get; } = path;
}
