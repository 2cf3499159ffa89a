using DslKd;

namespace FashionMnistExample;

/// <summary>Stage 1: the teacher on the labels.</summary>
[Supervised<FashionCnn>]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-3)]
[Epochs(5), BatchSize(128), Seed(1)]
public partial class TrainTeacher;

/// <summary>The baseline: the student on the labels alone, with the same budget as distillation.</summary>
[Supervised<FashionMlp>]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-3)]
[Epochs(10), BatchSize(128), Seed(2)]
public partial class TrainStudentAlone;

/// <summary>
/// Stage 2: the student from the teacher. T = 2 with equal weights: on full Fashion-MNIST the textbook T = 4 / 0.9 made
/// this student worse than training it alone (DESIGN.md), T = 2 / 0.5 tied it.
/// </summary>
[Distillation<FashionCnn, FashionMlp>]
[SoftTargets(Temperature = 2, Weight = 0.5)]
[HardLabels(Weight = 0.5)]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-3)]
[Epochs(10), BatchSize(128), Seed(2)]
public partial class Distil;
