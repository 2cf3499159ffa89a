using System.Collections.Generic;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A distillation task whose teacher outputs can be computed once and stored (offline distillation). Generated
/// distillation recipes implement it; the features listed are exactly those the recipe's terms read.
/// </summary>
public interface ICachedTeacherTask : ITrainingTask
{
    /// <summary>The teacher blocks whose outputs the recipe needs, in the order the methods below use.</summary>
    IReadOnlyList<string> CachedTeacherFeatures { get; }

    /// <summary>The frozen teacher, whose weights are part of the cache key.</summary>
    nn.Module Teacher { get; }

    /// <summary>The teacher's outputs for <paramref name="inputs"/>, one tensor per cached feature.</summary>
    Tensor[] ComputeTeacherFeatures(Tensor inputs);

    /// <summary>The training loss from cached teacher features instead of a teacher forward pass.</summary>
    StepLoss ComputeTrainingLoss(Tensor[] cachedTeacherFeatures, Tensor inputs, Tensor labels);
}
