using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslKd;

public static partial class DistillationLosses
{
    /// <summary>
    /// FitNets hint (Romero et al. 2015): mean squared error, over all elements, between the adapted student feature and
    /// the teacher feature. The adapter that maps the student feature to the teacher's shape is sized by the generator.
    /// </summary>
    public static Tensor FeatureHint(Tensor adaptedStudentFeature, Tensor teacherFeature) =>
        F.mse_loss(adaptedStudentFeature, teacherFeature);

    /// <summary><c>(1/B) * sum_i (1 - cos(s_i, t_i))</c> over the flattened features of each sample.</summary>
    public static Tensor CosineFeature(Tensor adaptedStudentFeature, Tensor teacherFeature)
    {
        using var scope = NewDisposeScope();
        var batch = BatchSize(adaptedStudentFeature);
        var cosine = F.cosine_similarity(adaptedStudentFeature.reshape(batch, -1), teacherFeature.reshape(batch, -1), dim: 1);
        return cosine.SubtractedFrom(1).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attention transfer (Zagoruyko and Komodakis 2017) on maps [B, C, H, W]: the attention map of a feature is
    /// <c>a = normalize(mean_c |F_c|^p)</c> flattened over H*W and L2-normalised per sample; the loss is the mean over
    /// batch and positions of <c>(a_S - a_T)^2</c>. Channel counts may differ; H and W must match.
    /// </summary>
    public static Tensor AttentionTransfer(Tensor studentFeature, Tensor teacherFeature, double p)
    {
        CheckRange(p, ValueRange.Positive, nameof(p));
        if (studentFeature.dim() != 4 || teacherFeature.dim() != 4)
            throw new ArgumentException("Attention transfer needs feature maps [batch, channels, height, width].");
        using var scope = NewDisposeScope();
        var difference = AttentionMap(studentFeature, p) - AttentionMap(teacherFeature, p);
        return difference.Power(2).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The normalised spatial attention map <c>normalize(mean_c |F_c|^p)</c>, [batch, H*W].</summary>
    public static Tensor AttentionMap(Tensor feature, double p)
    {
        using var scope = NewDisposeScope();
        var map = feature.abs().Power(p).mean([1L]).reshape(BatchSize(feature), -1);
        return F.normalize(map, p: 2, dim: 1).MoveToOuterDisposeScope();
    }
}
