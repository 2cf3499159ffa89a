using DslKd;

namespace DslKd.Runtime.Tests;

[Teacher(InputShape = [1, 28, 28], Classes = 10)]
public partial class WideCnn
{
    [Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Stem { get; }

    [Conv2d(64, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Body { get; }

    [Flatten, Linear(256), ReLU, Dropout(0.3)]
    public partial Block Hidden { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

[Student(InputShape = [1, 28, 28], Classes = 10)]
public partial class SmallMlp
{
    [Flatten, Linear(128), ReLU]
    public partial Block Hidden { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

[Model(InputShape = [3, 32, 32])]
public partial class EveryLayer
{
    [Conv2d(16, Kernel = 5, Stride = 2, Padding = 2, Bias = false), BatchNorm2d(Eps = 1e-3, Momentum = 0.05), LeakyReLU(0.2)]
    public partial Block Stem { get; }

    [Conv2d(32, Kernel = 3, Padding = 2, Dilation = 2, Groups = 4), GELU, AvgPool2d(3, Stride = 2, Padding = 1), MaxPool2d(2, Stride = 1)]
    public partial Block Mixer { get; }

    [AdaptiveAvgPool2d(2, 3), SiLU]
    public partial Block Pool { get; }

    [Flatten, LayerNorm(Eps = 1e-6), Linear(64, Bias = false), BatchNorm1d, Tanh, Dropout]
    public partial Block Head { get; }

    [Linear(5), Sigmoid]
    public partial Block Output { get; }
}

[Model(InputShape = [2, 100], Classes = 4)]
public partial class SignalCnn
{
    [Conv1d(8, Kernel = 7, Stride = 2), BatchNorm1d, ReLU]
    public partial Block Encoder { get; }

    [Conv1d(16, Kernel = 3, Padding = 1, Dilation = 2), ReLU, Flatten]
    public partial Block Mix { get; }

    [Linear(4)]
    public partial Block Head { get; }
}
