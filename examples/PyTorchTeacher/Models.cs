using DslKd;

namespace PyTorchTeacherExample;

/// <summary>
/// The teacher train_teacher.py trains in PyTorch, declared with PyTorch's module names mapped onto DslKd's:
/// features.N is Convs.N, classifier.N is Logits.N (both are nn.Sequential, so the indices agree). The build checks
/// teacher/fashion_cnn.safetensors against this declaration: change a width and it fails with DKD0045 naming the tensor.
/// </summary>
[Teacher(InputShape = [1, 28, 28], Classes = 10)]
[PretrainedWeights("teacher/fashion_cnn.safetensors")]
[PyTorchName("features", "Convs")]
[PyTorchName("classifier", "Logits")]
public partial class FashionCnn
{
    [Conv2d(16, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2),
     Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Convs { get; }

    [Flatten, Linear(10)]
    public partial Block Logits { get; }
}

/// <summary>The same teacher as an opaque TorchScript module (teacher/fashion_cnn.traced.pt): nothing of its architecture declared.</summary>
[Teacher(InputShape = [1, 28, 28], Classes = 10)]
public partial class TracedFashionCnn
{
    [TorchScript(10, Parameters = 20_586)]
    public partial Block Logits { get; }
}

/// <summary>The student: a small MLP, trained in .NET.</summary>
[Student(InputShape = [1, 28, 28], Classes = 10)]
[PyTorchName("hidden", "Hidden.1")]
[PyTorchName("out", "Logits.0")]
public partial class FashionMlp
{
    [Flatten, Linear(16), ReLU]
    public partial Block Hidden { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

/// <summary>Hinton's recipe from the PyTorch teacher's weights.</summary>
[Distillation<FashionCnn, FashionMlp>]
[SoftTargets(Temperature = 4, Weight = 0.9)]
[HardLabels(Weight = 0.1)]
[Optimizer(OptimizerKind.AdamW, LearningRate = 2e-3)]
[Epochs(3), BatchSize(64), Seed(0)]
public partial class MlpFromPyTorchCnn;

/// <summary>The same recipe from the opaque TorchScript teacher.</summary>
[Distillation<TracedFashionCnn, FashionMlp>]
[SoftTargets(Temperature = 4, Weight = 0.9)]
[HardLabels(Weight = 0.1)]
[Optimizer(OptimizerKind.AdamW, LearningRate = 2e-3)]
[Epochs(3), BatchSize(64), Seed(0)]
public partial class MlpFromTorchScriptCnn;
