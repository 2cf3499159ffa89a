using DslKd;

namespace ModelZoo;

// MobileNetV2 as in mdistiller (models/cifar/mobilenetv2.py, mobile_half: expansion 6, width 0.5): inverted residual
// units (1x1 expansion-BN-ReLU, 3x3 depthwise-BN-ReLU, 1x1 projection-BN, no activation after: a linear bottleneck)
// that add their input only where the shape is kept (ShortcutKind.IdentityOrNone), a 1x1 convolution to 1280
// channels, average pooling and a linear classifier. Each stage is (expansion t, channels c, units n, stride s).

/// <summary>MobileNetV2 at half width (0.8M parameters), the favourite deployment student.</summary>
[Student(InputShape = [3, 32, 32], Classes = 100)]
public partial class MobileNetV2Half
{
    [Conv2d(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU]
    public partial Block Stem { get; }

    // t = 1, c = 8, n = 1, s = 1
    [Conv2d(Kernel = 1, Expansion = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(8, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage0 { get; }

    // t = 6, c = 12, n = 2, s = 1
    [Repeat(2)]
    [Conv2d(Kernel = 1, Expansion = 6, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(12, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage1 { get; }

    // t = 6, c = 16, n = 3, s = 2
    [Repeat(3)]
    [Conv2d(Kernel = 1, Expansion = 6, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Stride = 2, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(16, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage2 { get; }

    // t = 6, c = 32, n = 4, s = 2
    [Repeat(4)]
    [Conv2d(Kernel = 1, Expansion = 6, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Stride = 2, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(32, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage3 { get; }

    // t = 6, c = 48, n = 3, s = 1
    [Repeat(3)]
    [Conv2d(Kernel = 1, Expansion = 6, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(48, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage4 { get; }

    // t = 6, c = 80, n = 3, s = 2
    [Repeat(3)]
    [Conv2d(Kernel = 1, Expansion = 6, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Stride = 2, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(80, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage5 { get; }

    // t = 6, c = 160, n = 1, s = 1
    [Conv2d(Kernel = 1, Expansion = 6, Bias = false), BatchNorm2d, ReLU,
     Conv2d(Kernel = 3, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU,
     Conv2d(160, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
    public partial Block Stage6 { get; }

    [Conv2d(1280, Kernel = 1, Bias = false), BatchNorm2d, ReLU, AvgPool2d(2), Flatten, Linear(100)]
    public partial Block Logits { get; }
}
