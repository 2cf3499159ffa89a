namespace DslKd.Runtime.Tests;

// The DslKd declarations of the two PyTorch models Fixtures/make_import_fixtures.py builds, with the rules that map
// PyTorch's module names onto them.

/// <summary>PyTorch: features = Sequential(conv, bn, relu, pool), classifier = Linear.</summary>
[Teacher(InputShape = [1, 8, 8], Classes = 3)]
[PyTorchName("features", "Body")]
[PyTorchName("classifier", "Logits.1")]
public partial class ImportedCnn
{
    [Conv2d(4, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Body { get; }

    [Flatten, Linear(3)]
    public partial Block Logits { get; }
}

/// <summary>mdistiller's CIFAR ResNet layout at toy size, with mdistiller's names: the rules are the zoo ResNet-8x4's.</summary>
[Student(InputShape = [3, 8, 8], Classes = 5)]
[PyTorchName("conv1", "Stem.0")]
[PyTorchName("bn1", "Stem.1")]
[PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
[PyTorchName("layer{n}.{unit}.bn1", "Layer{n}.{unit}.1")]
[PyTorchName("layer{n}.{unit}.conv2", "Layer{n}.{unit}.3")]
[PyTorchName("layer{n}.{unit}.bn2", "Layer{n}.{unit}.4")]
[PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
[PyTorchName("fc", "Logits.2")]
public partial class ImportedTinyResNet
{
    [Conv2d(4, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
    public partial Block Stem { get; }

    [Conv2d(4, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(4, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer1 { get; }

    [Repeat(2)]
    [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
     Conv2d(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
    public partial Block Layer2 { get; }

    [AvgPool2d(4), Flatten, Linear(5)]
    public partial Block Logits { get; }
}

/// <summary>The small CNN as an opaque TorchScript teacher: only its input shape, classes and parameter count are declared.</summary>
[Teacher(InputShape = [1, 8, 8], Classes = 3)]
public partial class ScriptedCnn
{
    [TorchScript(3, Parameters = 243)]
    public partial Block Logits { get; }
}

/// <summary>The tiny ResNet as an opaque TorchScript model, parameter count not declared.</summary>
[Model(InputShape = [3, 8, 8], Classes = 5)]
public partial class ScriptedTinyResNet
{
    [TorchScript(5)]
    public partial Block Logits { get; }
}

/// <summary>A student for the TorchScript teacher.</summary>
[Student(InputShape = [1, 8, 8], Classes = 3)]
public partial class TinyMlp
{
    [Flatten, Linear(16), ReLU]
    public partial Block Hidden { get; }

    [Linear(3)]
    public partial Block Logits { get; }
}

/// <summary>Every logit term, from a teacher the recipe knows only as TorchScript.</summary>
[Distillation<ScriptedCnn, TinyMlp>]
[SoftTargets(Temperature = 4, Weight = 0.5)]
[DecoupledKD(Temperature = 4, Weight = 0.5)]
[LogitMatching(Weight = 0.1)]
[HardLabels(Weight = 0.1)]
public partial class TinyMlpFromTorchScript;

/// <summary>A model of 20 features, for the run-time input checks.</summary>
[Model(InputShape = [20], Classes = 2)]
public partial class TwentyFeatures
{
    [Linear(8), ReLU, Linear(2)]
    public partial Block Logits { get; }
}

[Supervised<TwentyFeatures>]
[Epochs(1), BatchSize(8), Seed(1)]
public partial class TrainTwentyFeatures;
