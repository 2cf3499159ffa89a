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
