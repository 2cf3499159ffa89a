using DslKd;

namespace DslKd.Runtime.Tests;

// Models that, with TestModels.cs, the zoo and the FashionMnist example's models, put every layer kind and setting
// through ONNX export: what EveryLayer and SignalCnn leave out.

/// <summary>ReLU6, Hardswish, Identity, depthwise convolution, divisible and global adaptive pooling, padded pools.</summary>
[Model(InputShape = [3, 16, 16], Classes = 6)]
public partial class OnnxRestOfTheLayers
{
    [Conv2d(8, Kernel = 3, Padding = 1), BatchNorm2d, ReLU6, Identity]
    public partial Block Stem { get; }

    [Conv2d(Kernel = 3, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d(Eps = 1e-3), Hardswish,
     MaxPool2d(3, Stride = 2, Padding = 1), AvgPool2d(2)]
    public partial Block Mobile { get; }

    [AdaptiveAvgPool2d(2), ReLU]
    public partial Block Pool { get; }

    [AdaptiveAvgPool2d(1), Flatten, Linear(6)]
    public partial Block Logits { get; }
}

/// <summary>Residual units on sequences and vectors: Conv1d with groups, a projected and an identity shortcut, a Linear projection.</summary>
[Model(InputShape = [4, 30], Classes = 3)]
public partial class OnnxResidualSignal
{
    [Repeat(2)]
    [Conv1d(8, Kernel = 3, Padding = 1, Groups = 2), BatchNorm1d, GELU, Conv1d(8, Kernel = 3, Padding = 1), BatchNorm1d, AddInput, SiLU]
    public partial Block Encoder { get; }

    [Identity, Flatten]
    public partial Block Same { get; }

    [Linear(32), ReLU, Linear(16), AddInput, Tanh]
    public partial Block Head { get; }

    [LayerNorm, Linear(3)]
    public partial Block Logits { get; }
}

/// <summary>A model that is only pass-throughs: the output is the input, copied by an Identity node.</summary>
[Model(InputShape = [5])]
public partial class OnnxPassThroughOnly
{
    [Identity, Dropout(0.2)]
    public partial Block Logits { get; }
}
