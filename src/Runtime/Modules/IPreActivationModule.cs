using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A module that can hand back its pre-activation output beside its output: a residual unit's sum before the layers after
/// the add, a block's value before its trailing activations. Feature terms tap it with <c>Tap = FeatureTap.PreActivation</c>.
/// </summary>
public interface IPreActivationModule
{
    /// <summary>The output and the pre-activation output (the same tensor when nothing follows the pre-activation).</summary>
    (Tensor Output, Tensor PreActivation) ForwardWithPreActivation(Tensor input);
}
