using DslKd;

namespace CompressionReport;

/// <summary>The teacher of the README's example: two conv blocks and a wide hidden layer for 28x28 grey images.</summary>
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

/// <summary>The student: one hidden layer of 128 units.</summary>
[Student(InputShape = [1, 28, 28], Classes = 10)]
public partial class SmallMlp
{
    [Flatten, Linear(128), ReLU]
    public partial Block Hidden { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

/// <summary>
/// The recipe of the README's example: soft targets (T = 4, weight 0.9), hard labels (0.1) and a hint between the two
/// hidden layers; its constants are what the report prints.
/// </summary>
[Distillation<WideCnn, SmallMlp>]
[SoftTargets(Temperature = 4, Weight = 0.9)]
[HardLabels(Weight = 0.1)]
[FeatureHint(nameof(WideCnn.Hidden), nameof(SmallMlp.Hidden), Weight = 0.5)]
public partial class CnnToMlp;
