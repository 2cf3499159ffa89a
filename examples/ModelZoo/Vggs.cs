using DslKd;

namespace ModelZoo;

// VGG with BatchNorm as in mdistiller (models/cifar/vgg.py): five stages of conv3x3 (with bias)-BN-ReLU units, 2x2 max
// pooling between the first four (on 32x32 input mdistiller skips the fourth), global average pooling, one linear layer.
// The pooling layers are blocks of their own, as in mdistiller, so [Repeat] repeats only the convolution units.

/// <summary>VGG-13 with BN (9.5M parameters): two units per stage; the teacher of VGG-8.</summary>
[Teacher(InputShape = [3, 32, 32], Classes = 100)]
public partial class Vgg13Bn
{
    [Repeat(2), Conv2d(64, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block0 { get; }

    [MaxPool2d(2)] public partial Block Pool0 { get; }

    [Repeat(2), Conv2d(128, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block1 { get; }

    [MaxPool2d(2)] public partial Block Pool1 { get; }

    [Repeat(2), Conv2d(256, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block2 { get; }

    [MaxPool2d(2)] public partial Block Pool2 { get; }

    [Repeat(2), Conv2d(512, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block3 { get; }

    [Repeat(2), Conv2d(512, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block4 { get; }

    [AdaptiveAvgPool2d(1), Flatten, Linear(100)]
    public partial Block Logits { get; }
}

/// <summary>VGG-8 with BN (4.0M parameters): one unit per stage.</summary>
[Student(InputShape = [3, 32, 32], Classes = 100)]
public partial class Vgg8Bn
{
    [Conv2d(64, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block0 { get; }

    [MaxPool2d(2)] public partial Block Pool0 { get; }

    [Conv2d(128, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block1 { get; }

    [MaxPool2d(2)] public partial Block Pool1 { get; }

    [Conv2d(256, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block2 { get; }

    [MaxPool2d(2)] public partial Block Pool2 { get; }

    [Conv2d(512, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block3 { get; }

    [Conv2d(512, Kernel = 3, Padding = 1), BatchNorm2d, ReLU]
    public partial Block Block4 { get; }

    [AdaptiveAvgPool2d(1), Flatten, Linear(100)]
    public partial Block Logits { get; }
}
