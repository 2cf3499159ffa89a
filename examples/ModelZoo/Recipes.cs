using DslKd;

namespace ModelZoo;

// Distillation recipes of the literature on the zoo's models (a recipe must live in the project that declares its
// models). Settings as in mdistiller's CIFAR-100 configurations (configs/cifar100/*.yaml).

/// <summary>KD, ResNet-32x4 -> ResNet-8x4: Hinton's soft targets at T = 4, weighted 0.9, and 0.1 cross-entropy.</summary>
[Distillation<ResNet32x4, ResNet8x4>]
[SoftTargets(Temperature = 4, Weight = 0.9)]
[HardLabels(Weight = 0.1)]
public partial class ResNet8x4FromResNet32x4;

/// <summary>DKD, WRN-40-2 -> WRN-16-2: target and non-target KL weighted 1 and 8 at T = 4, plus cross-entropy.</summary>
[Distillation<Wrn40x2, Wrn16x2>]
[DecoupledKD(Temperature = 4, Alpha = 1, Beta = 8)]
[HardLabels]
public partial class Wrn16x2FromWrn40x2;

/// <summary>
/// Attention transfer on the last stage's pre-activation output (the residual sum before its ReLU, mdistiller's
/// preact_feats), ResNet-8x4 -> ResNet-20: the channel counts differ (256 and 64), the attention maps do not.
/// </summary>
[Distillation<ResNet8x4, ResNet20>]
[HardLabels]
[AttentionTransfer(nameof(ResNet8x4.Layer3), nameof(ResNet20.Layer3), Tap = FeatureTap.PreActivation, Weight = 1000)]
public partial class ResNet20FromResNet8x4;
