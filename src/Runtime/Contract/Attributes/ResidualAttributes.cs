using System;

namespace DslKd;

/// <summary>What a residual unit adds back when its body changes the shape of its input.</summary>
public enum ShortcutKind
{
    /// <summary>The input as it is when the shapes agree; otherwise a projection the generator sizes: a 1x1 convolution
    /// with the matching stride and no bias, then BatchNorm (ResNet's "option B"; Linear for vectors).</summary>
    Projection,
    /// <summary>As <see cref="Projection"/>, without the BatchNorm (Wide ResNet's shortcut).</summary>
    Convolution,
    /// <summary>Always the input as it is: a shape change is a compile-time error naming both shapes.</summary>
    Identity,
    /// <summary>The input when the shapes agree; otherwise the unit adds nothing (MobileNetV2: a unit that changes the
    /// stride or the width has no residual connection).</summary>
    IdentityOrNone,
}

/// <summary>
/// Marks the point in a block's layer list where the unit's input is added back: the layers before it are the residual
/// branch, the layers after it (typically an activation) run on the sum. <c>[Conv2d(64, Kernel = 3, Padding = 1),
/// BatchNorm2d, ReLU, Conv2d(64, Kernel = 3, Padding = 1), BatchNorm2d, AddInput, ReLU]</c> is ResNet's basic block.
/// </summary>
public sealed class AddInputAttribute : LayerAttribute
{
    /// <summary>What is added when the branch changes the shape (default: a projection).</summary>
    public ShortcutKind Shortcut { get; set; }
}

/// <summary>
/// Runs the block's layers (a unit, residual or not) <see cref="Count"/> times in a row: a ResNet stage of five basic
/// blocks is one declaration. Strides apply to the first unit only (every later unit keeps the size), as in ResNet,
/// Wide ResNet and MobileNetV2. The block's output, the last unit's, is the feature recipes tap.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class RepeatAttribute(int count) : Attribute
{
    /// <summary>How many units, at least 1.</summary>
    public int Count { get; } = count;
}

/// <summary>Which output of a block a feature term reads.</summary>
public enum FeatureTap
{
    /// <summary>The block's output.</summary>
    Output,
    /// <summary>The value before the block's trailing activations (a residual unit's sum before its ReLU), as
    /// mdistiller's <c>preact_feats</c>. The same as <see cref="Output"/> for a block that does not end in one.</summary>
    PreActivation,
}
