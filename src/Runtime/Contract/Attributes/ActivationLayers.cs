namespace DslKd;

/// <summary><c>max(0, x)</c>.</summary>
public sealed class ReLUAttribute : LayerAttribute;

/// <summary><c>x</c> for positive inputs, <c>Slope * x</c> otherwise.</summary>
public sealed class LeakyReLUAttribute(double slope = 0.01) : LayerAttribute
{
    /// <summary>Slope for negative inputs (default 0.01).</summary>
    public double Slope { get; } = slope;
}

/// <summary>Gaussian error linear unit (exact form).</summary>
public sealed class GELUAttribute : LayerAttribute;

/// <summary><c>x * sigmoid(x)</c> (also called swish).</summary>
public sealed class SiLUAttribute : LayerAttribute;

/// <summary>Hyperbolic tangent.</summary>
public sealed class TanhAttribute : LayerAttribute;

/// <summary>Logistic sigmoid.</summary>
public sealed class SigmoidAttribute : LayerAttribute;

/// <summary><c>min(max(0, x), 6)</c> (MobileNetV2).</summary>
public sealed class ReLU6Attribute : LayerAttribute;

/// <summary><c>x * ReLU6(x + 3) / 6</c> (MobileNetV3).</summary>
public sealed class HardswishAttribute : LayerAttribute;

/// <summary>Passes its input through unchanged (a placeholder, e.g. a tap point with a name of its own).</summary>
public sealed class IdentityAttribute : LayerAttribute;
