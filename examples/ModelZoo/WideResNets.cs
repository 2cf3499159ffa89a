using DslKd;

namespace ModelZoo;

// Wide ResNets as in mdistiller (models/cifar/wrn.py): pre-activation units (BN-ReLU-conv3x3-BN-ReLU-conv3x3, plus the
// input; a bias-free 1x1 convolution, no BN, where the shape changes), three stages of 16k-32k-64k channels,
// a final BN-ReLU, 8x8 average pooling and a linear classifier. WRN-d-k has (d-4)/6 units per stage.
// One difference in computation, none in parameters: where the shape changes, mdistiller's shortcut reads the input
// after the unit's first BN-ReLU; here it reads the unit's input.

/// <summary>WRN-40-2 (2.2M parameters): six units per stage, twice as wide; the teacher of WRN-16-2.</summary>
[Teacher(InputShape = [3, 32, 32], Classes = 100)]
public partial class Wrn40x2
{
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)]
    public partial Block Stem { get; }

    [Repeat(6)]
    [BatchNorm2d, ReLU, Conv2d(32, Kernel = 3, Padding = 1, Bias = false),
     BatchNorm2d, ReLU, Conv2d(32, Kernel = 3, Padding = 1, Bias = false), AddInput(Shortcut = ShortcutKind.Convolution)]
    public partial Block Block1 { get; }

    [Repeat(6)]
    [BatchNorm2d, ReLU, Conv2d(64, Kernel = 3, Stride = 2, Padding = 1, Bias = false),
     BatchNorm2d, ReLU, Conv2d(64, Kernel = 3, Padding = 1, Bias = false), AddInput(Shortcut = ShortcutKind.Convolution)]
    public partial Block Block2 { get; }

    [Repeat(6)]
    [BatchNorm2d, ReLU, Conv2d(128, Kernel = 3, Stride = 2, Padding = 1, Bias = false),
     BatchNorm2d, ReLU, Conv2d(128, Kernel = 3, Padding = 1, Bias = false), AddInput(Shortcut = ShortcutKind.Convolution)]
    public partial Block Block3 { get; }

    [BatchNorm2d, ReLU, AvgPool2d(8), Flatten, Linear(100)]
    public partial Block Logits { get; }
}

/// <summary>WRN-16-2 (0.70M parameters): two units per stage, twice as wide.</summary>
[Student(InputShape = [3, 32, 32], Classes = 100)]
public partial class Wrn16x2
{
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)]
    public partial Block Stem { get; }

    [Repeat(2)]
    [BatchNorm2d, ReLU, Conv2d(32, Kernel = 3, Padding = 1, Bias = false),
     BatchNorm2d, ReLU, Conv2d(32, Kernel = 3, Padding = 1, Bias = false), AddInput(Shortcut = ShortcutKind.Convolution)]
    public partial Block Block1 { get; }

    [Repeat(2)]
    [BatchNorm2d, ReLU, Conv2d(64, Kernel = 3, Stride = 2, Padding = 1, Bias = false),
     BatchNorm2d, ReLU, Conv2d(64, Kernel = 3, Padding = 1, Bias = false), AddInput(Shortcut = ShortcutKind.Convolution)]
    public partial Block Block2 { get; }

    [Repeat(2)]
    [BatchNorm2d, ReLU, Conv2d(128, Kernel = 3, Stride = 2, Padding = 1, Bias = false),
     BatchNorm2d, ReLU, Conv2d(128, Kernel = 3, Padding = 1, Bias = false), AddInput(Shortcut = ShortcutKind.Convolution)]
    public partial Block Block3 { get; }

    [BatchNorm2d, ReLU, AvgPool2d(8), Flatten, Linear(100)]
    public partial Block Logits { get; }
}
