using DslKd;

namespace ModelZoo;

// CIFAR ResNets as in mdistiller (models/cifar/resnet.py): a 3x3 stem, three stages of basic blocks
// (conv3x3-BN-ReLU-conv3x3-BN, plus the input, then ReLU), the first unit of stages 2 and 3 halving the size,
// a projection (1x1 convolution + BN) wherever a unit changes the shape, 8x8 average pooling and a linear classifier.
// ResNet-(6n+2) has n units per stage. The [PyTorchName] rules map mdistiller's state_dict names (conv1, bn1,
// layerN.U.conv1, layerN.U.downsample.0, fc) onto these declarations, so its checkpoints load with PyTorchWeights.Load.

/// <summary>ResNet-32x4 (7.4M parameters): the usual CIFAR-100 teacher of ResNet-8x4.</summary>
[Teacher(InputShape = [3, 32, 32], Classes = 100)]
[PyTorchName("conv1", "Stem.0")]
[PyTorchName("bn1", "Stem.1")]
[PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
[PyTorchName("layer{n}.{unit}.bn1", "Layer{n}.{unit}.1")]
[PyTorchName("layer{n}.{unit}.conv2", "Layer{n}.{unit}.3")]
[PyTorchName("layer{n}.{unit}.bn2", "Layer{n}.{unit}.4")]
[PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
[PyTorchName("fc", "Logits.2")]
public partial class ResNet32x4
{
    [Conv2d(32, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
    public partial Block Stem { get; }

    [Repeat(5)]
    [Conv2d(64, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(64, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer1 { get; }

    [Repeat(5)]
    [Conv2d(128, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(128, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer2 { get; }

    [Repeat(5)]
    [Conv2d(256, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(256, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer3 { get; }

    [AvgPool2d(8), Flatten, Linear(100)]
    public partial Block Logits { get; }
}

/// <summary>ResNet-8x4 (1.2M parameters): one basic block per stage, four times as wide as ResNet-8.</summary>
[Student(InputShape = [3, 32, 32], Classes = 100)]
[PyTorchName("conv1", "Stem.0")]
[PyTorchName("bn1", "Stem.1")]
[PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
[PyTorchName("layer{n}.{unit}.bn1", "Layer{n}.{unit}.1")]
[PyTorchName("layer{n}.{unit}.conv2", "Layer{n}.{unit}.3")]
[PyTorchName("layer{n}.{unit}.bn2", "Layer{n}.{unit}.4")]
[PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
[PyTorchName("fc", "Logits.2")]
public partial class ResNet8x4
{
    [Conv2d(32, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
    public partial Block Stem { get; }

    [Conv2d(64, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(64, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer1 { get; }

    [Conv2d(128, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(128, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer2 { get; }

    [Conv2d(256, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(256, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer3 { get; }

    [AvgPool2d(8), Flatten, Linear(100)]
    public partial Block Logits { get; }
}

/// <summary>ResNet-56 (0.86M parameters): nine basic blocks per stage, 16-32-64 channels.</summary>
[Teacher(InputShape = [3, 32, 32], Classes = 100)]
[PyTorchName("conv1", "Stem.0")]
[PyTorchName("bn1", "Stem.1")]
[PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
[PyTorchName("layer{n}.{unit}.bn1", "Layer{n}.{unit}.1")]
[PyTorchName("layer{n}.{unit}.conv2", "Layer{n}.{unit}.3")]
[PyTorchName("layer{n}.{unit}.bn2", "Layer{n}.{unit}.4")]
[PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
[PyTorchName("fc", "Logits.2")]
public partial class ResNet56
{
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
    public partial Block Stem { get; }

    [Repeat(9)]
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer1 { get; }

    [Repeat(9)]
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(32, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer2 { get; }

    [Repeat(9)]
    [Conv2d(64, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(64, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer3 { get; }

    [AvgPool2d(8), Flatten, Linear(100)]
    public partial Block Logits { get; }
}

/// <summary>ResNet-20 (0.28M parameters): three basic blocks per stage; the student of ResNet-56.</summary>
[Student(InputShape = [3, 32, 32], Classes = 100)]
[PyTorchName("conv1", "Stem.0")]
[PyTorchName("bn1", "Stem.1")]
[PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
[PyTorchName("layer{n}.{unit}.bn1", "Layer{n}.{unit}.1")]
[PyTorchName("layer{n}.{unit}.conv2", "Layer{n}.{unit}.3")]
[PyTorchName("layer{n}.{unit}.bn2", "Layer{n}.{unit}.4")]
[PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
[PyTorchName("fc", "Logits.2")]
public partial class ResNet20
{
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
    public partial Block Stem { get; }

    [Repeat(3)]
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer1 { get; }

    [Repeat(3)]
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(32, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer2 { get; }

    [Repeat(3)]
    [Conv2d(64, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(64, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer3 { get; }

    [AvgPool2d(8), Flatten, Linear(100)]
    public partial Block Logits { get; }
}
