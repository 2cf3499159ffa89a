using DslKd;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

[Distillation<WideCnn, SmallMlp>]
[SoftTargets(Temperature = 4, Weight = 0.9)]
[HardLabels(Weight = 0.1)]
[FeatureHint(nameof(WideCnn.Hidden), nameof(SmallMlp.Hidden), Weight = 0.5)]
public partial class CnnToMlp;

[Student(InputShape = [1, 28, 28], Classes = 10)]
public partial class SmallCnn
{
    [Conv2d(8, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
    public partial Block Stem { get; }

    [Conv2d(16, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
    public partial Block Body { get; }

    [Flatten, Linear(10)]
    public partial Block Logits { get; }
}

[Distillation<WideCnn, SmallCnn>]
[SoftTargetCrossEntropy(Temperature = 2, Weight = 0.5)]
[LogitMatching(Weight = 0.1)]
[DecoupledKD(Temperature = 3, Beta = 4, Weight = 0.2)]
[HardLabels(LabelSmoothing = 0.1)]
[FeatureHint(nameof(WideCnn.Body), nameof(SmallCnn.Body), Weight = 0.3)]
[CosineFeature(nameof(WideCnn.Stem), nameof(SmallCnn.Stem), Weight = 0.2)]
[AttentionTransfer(nameof(WideCnn.Stem), nameof(SmallCnn.Stem), Weight = 50)]
[AttentionTransfer(nameof(WideCnn.Stem), nameof(SmallCnn.Body), Alignment = FeatureAlignment.AdaptivePool, Weight = 10)]
public partial class CnnToSmallCnn
{
    [CustomLoss(Weight = 0.01)]
    private static Tensor LogitNorm(WideCnn.Features teacher, SmallCnn.Features student, Tensor labels) =>
        student.Logits.pow(2).mean();
}

/// <summary>Self-distillation into an identical architecture: every parameter pairs up for anchoring.</summary>
#pragma warning disable DKD0023 // same teacher and student type, on purpose
[Distillation<SmallMlp, SmallMlp>]
[HardLabels]
[ParameterAnchoring(Weight = 0.01)]
public partial class SelfAnchored;
#pragma warning restore DKD0023

/// <summary>The relational terms and logit standardization, and a term declared with Weight = 0 that a tuner may switch on.</summary>
[Distillation<WideCnn, SmallMlp>]
[SoftTargets(Temperature = 2, Weight = 0.5, StandardizeLogits = true)]
[RelationalKD(nameof(WideCnn.Hidden), nameof(SmallMlp.Hidden), DistanceWeight = 1, AngleWeight = 2, Weight = 0.3)]
[ProbabilisticTransfer(nameof(WideCnn.Hidden), nameof(SmallMlp.Hidden), Weight = 0.2)]
[HardLabels(Weight = 0)]
public partial class RelationalCnnToMlp;

