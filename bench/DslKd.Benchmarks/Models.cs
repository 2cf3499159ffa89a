using DslKd;

namespace DslKd.Benchmarks;

/// <summary>The MLP pair of the benchmark issue: 784-1200-1200-10 teacher, 784-128-10 student.</summary>
[Teacher(InputShape = [784], Classes = 10)]
public partial class BigMlp
{
    [Linear(1200), ReLU] public partial Block Hidden1 { get; }
    [Linear(1200), ReLU] public partial Block Hidden2 { get; }
    [Linear(10)] public partial Block Logits { get; }
}

[Student(InputShape = [784], Classes = 10)]
public partial class SmallMlp
{
    [Linear(128), ReLU] public partial Block Hidden { get; }
    [Linear(10)] public partial Block Logits { get; }
}

[Supervised<SmallMlp>, Optimizer(OptimizerKind.Adam, LearningRate = 1e-3), BatchSize(256), Epochs(1)]
public partial class TrainSmallMlp;

[Distillation<BigMlp, SmallMlp>]
[SoftTargets(Temperature = 4, Weight = 0.5), HardLabels(Weight = 0.5)]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-3), BatchSize(256), Epochs(1)]
public partial class MlpKd;

/// <summary>
/// The CNN pair of the example: the teacher of examples/FashionMnist/Models.cs (two conv blocks of 32 and 64 channels,
/// a 256-unit hidden layer; 824,650 parameters) and the 784-128-10 student on images.
/// </summary>
[Teacher(InputShape = [1, 28, 28], Classes = 10)]
public partial class WideCnn
{
    [Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)] public partial Block Stem { get; }
    [Conv2d(64, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)] public partial Block Body { get; }
    [Flatten, Linear(256), ReLU, Dropout(0.3)] public partial Block Hidden { get; }
    [Linear(10)] public partial Block Logits { get; }
}

[Student(InputShape = [1, 28, 28], Classes = 10)]
public partial class ImageMlp
{
    [Flatten, Linear(128), ReLU] public partial Block Hidden { get; }
    [Linear(10)] public partial Block Logits { get; }
}

[Supervised<BigMlp>, Optimizer(OptimizerKind.Adam, LearningRate = 1e-3), BatchSize(256), Epochs(1)]
public partial class TrainBigMlp;

[Supervised<WideCnn>, Optimizer(OptimizerKind.Adam, LearningRate = 1e-3), BatchSize(256), Epochs(1)]
public partial class TrainWideCnn;

[Distillation<WideCnn, ImageMlp>]
[SoftTargets(Temperature = 4, Weight = 0.5), HardLabels(Weight = 0.5)]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-3), BatchSize(256), Epochs(1)]
public partial class CnnKd;

/// <summary>ResNet-20 for CIFAR-10 (mdistiller's, 10 classes): the residual step against its hand-written twin.</summary>
[Student(InputShape = [3, 32, 32], Classes = 10)]
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

    [AvgPool2d(8), Flatten, Linear(10)]
    public partial Block Logits { get; }
}

[Supervised<ResNet20>, Optimizer(OptimizerKind.Adam, LearningRate = 1e-3), BatchSize(64), Epochs(1)]
public partial class TrainResNet20;
