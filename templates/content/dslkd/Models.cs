using DslKd;

namespace DslKdApp;

// The models and recipes are declared here and generated at compile time by DslKd: each [Teacher]/[Student] class
// becomes a TorchSharp module whose layer shapes and parameter counts are checked by the compiler. Put [Linear(4)]
// straight after the convolutions (without [Flatten]) and the build fails with DKD0004 on that line.

/// <summary>The teacher: a small convolutional network.</summary>
[Teacher(InputShape = [1, 8, 8], Classes = 4)]
public partial class TeacherCnn
{
    [Conv2d(16, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Convolutions { get; }

    [Flatten, Linear(64), ReLU]
    public partial Block Hidden { get; }

    [Linear(4)]
    public partial Block Logits { get; }
}

/// <summary>The student: a much smaller multi-layer perceptron.</summary>
[Student(InputShape = [1, 8, 8], Classes = 4)]
public partial class StudentMlp
{
    [Flatten, Linear(8), ReLU]
    public partial Block Hidden { get; }

    [Linear(4)]
    public partial Block Logits { get; }
}

/// <summary>Trains the teacher on the labels.</summary>
[Supervised<TeacherCnn>]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
[Epochs(4), BatchSize(64), Seed(1)]
public partial class TrainTeacher;

/// <summary>Trains the student from the teacher's softened outputs and the true labels.</summary>
[Distillation<TeacherCnn, StudentMlp>]
[SoftTargets(Temperature = 4, Weight = 0.7)]
[HardLabels(Weight = 0.3)]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
[Epochs(6), BatchSize(64), Seed(2)]
public partial class DistilStudent;
