using System;
using System.Collections.Generic;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslKd;

/// <summary>
/// The loss terms recipes compose. Conventions, fixed once (see docs/losses.md): logits are [batch, classes] and the
/// softmax runs over dimension 1; every term is a mean over the batch; probabilities are computed as log-softmax
/// (never softmax then log) for numerical stability; teacher tensors are targets (the teacher runs without autograd).
/// </summary>
public static class DistillationLosses
{
    /// <summary>
    /// Hinton et al. 2015: <c>T^2 * (1/B) * sum_i KL(p_T(x_i) || p_S(x_i))</c> with <c>p = softmax(z / T)</c>. The T^2 keeps
    /// the gradient scale independent of the temperature. Zero when the student's logits equal the teacher's.
    /// </summary>
    public static Tensor SoftTargets(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        CheckTemperature(temperature);
        // No dispose scope of its own: this runs once per training step, inside the step's scope, and a nested scope
        // costs measurably at small batch sizes (see docs/benchmarks.md).
        var logStudent = F.log_softmax(studentLogits / temperature, 1);
        var logTeacher = F.log_softmax(teacherLogits / temperature, 1);
        // TorchSharp's kl_div has no "batchmean" and defaults to log_target = true: sum, then divide by the batch size.
        var klSum = F.kl_div(logStudent, logTeacher, log_target: true, reduction: nn.Reduction.Sum);
        return klSum * (temperature * temperature / BatchSize(studentLogits));
    }

    /// <summary>
    /// Soft-target cross-entropy: <c>-(1/B) * sum_i sum_c p_T,c(x_i) log p_S,c(x_i)</c> at temperature T (no T^2 factor).
    /// Equals <see cref="SoftTargets"/> / T^2 plus the teacher's entropy, so its minimum is that entropy, not 0.
    /// </summary>
    public static Tensor SoftTargetCrossEntropy(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        CheckTemperature(temperature);
        using var scope = NewDisposeScope();
        var logStudent = F.log_softmax(studentLogits / temperature, 1);
        var teacherProbabilities = F.softmax(teacherLogits / temperature, 1);
        var total = -(teacherProbabilities * logStudent).sum();
        return (total / BatchSize(studentLogits)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decoupled knowledge distillation (Zhao et al. 2022, DKD) splits Hinton's KL into a target-class part and a
    /// non-target part and weights them separately: <c>T^2 * (alpha * TCKD + beta * NCKD)</c>, batch-mean, where
    /// TCKD = KL(b_T || b_S) over the binary distribution [p_target, 1 - p_target] and NCKD = KL(q_T || q_S) over the
    /// distribution among the non-target classes only. Computed in log space (logsumexp), so it is stable for any logits.
    /// With alpha = beta = 1 it is not Hinton's KD: plain KD weights NCKD by (1 - p_target of the teacher).
    /// </summary>
    public static Tensor DecoupledKnowledgeDistillation(Tensor studentLogits, Tensor teacherLogits, Tensor labels,
        double temperature, double alpha = 1, double beta = 8)
    {
        CheckTemperature(temperature);
        var batch = BatchSize(studentLogits);
        var target = F.one_hot(labels, studentLogits.shape[1]).to(ScalarType.Bool);
        var (studentTarget, studentRest, studentOthers) = Split(studentLogits / temperature, target);
        var (teacherTarget, teacherRest, teacherOthers) = Split(teacherLogits / temperature, target);
        // TCKD: KL between the binary distributions [p_t, 1 - p_t], from their log-probabilities.
        var tckd = (teacherTarget.exp() * (teacherTarget - studentTarget) + teacherRest.exp() * (teacherRest - studentRest)).sum();
        // NCKD: KL between the distributions over the non-target classes (the target masked out of the softmax).
        var nckd = (teacherOthers.exp() * (teacherOthers - studentOthers)).masked_fill(target, 0).sum();
        return (alpha * tckd + beta * nckd) * (temperature * temperature / batch);
    }

    // Log-probability of the target class, of "any other class", and the log-softmax over the non-target classes only.
    private static (Tensor Target, Tensor NotTarget, Tensor Others) Split(Tensor scaledLogits, Tensor targetMask)
    {
        var all = scaledLogits.logsumexp(1, keepdim: true);
        var others = scaledLogits.masked_fill(targetMask, double.NegativeInfinity);
        var othersTotal = others.logsumexp(1, keepdim: true);
        var target = scaledLogits.masked_select(targetMask).reshape(-1, 1) - all;
        return (target, othersTotal - all, others - othersTotal);
    }

    /// <summary>Cross-entropy with the true labels, averaged over the batch, with optional label smoothing in [0, 1).</summary>
    public static Tensor HardLabels(Tensor studentLogits, Tensor labels, double labelSmoothing = 0)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1).");
        return F.cross_entropy(studentLogits, labels, label_smoothing: labelSmoothing);
    }

    /// <summary>Logit matching (Ba and Caruana 2014): mean squared error between student and teacher logits, over all elements.</summary>
    public static Tensor LogitMatching(Tensor studentLogits, Tensor teacherLogits) =>
        F.mse_loss(studentLogits, teacherLogits);

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
        return (1 - cosine).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attention transfer (Zagoruyko and Komodakis 2017) on maps [B, C, H, W]: the attention map of a feature is
    /// <c>a = normalize(mean_c |F_c|^p)</c> flattened over H*W and L2-normalised per sample; the loss is the mean over
    /// batch and positions of <c>(a_S - a_T)^2</c>. Channel counts may differ; H and W must match.
    /// </summary>
    public static Tensor AttentionTransfer(Tensor studentFeature, Tensor teacherFeature, double p = 2)
    {
        if (studentFeature.dim() != 4 || teacherFeature.dim() != 4)
            throw new ArgumentException("Attention transfer needs feature maps [batch, channels, height, width].");
        using var scope = NewDisposeScope();
        var difference = AttentionMap(studentFeature, p) - AttentionMap(teacherFeature, p);
        return difference.pow(2).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The normalised spatial attention map <c>normalize(mean_c |F_c|^p)</c>, [batch, H*W].</summary>
    public static Tensor AttentionMap(Tensor feature, double p = 2)
    {
        using var scope = NewDisposeScope();
        var map = feature.abs().pow(p).mean([1L]).reshape(BatchSize(feature), -1);
        return F.normalize(map, p: 2, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Parameter anchoring: <c>sum_k ||theta_S,k - theta_T,k||^2</c> over the parameter pairs the generator matched
    /// (same state_dict name and shape). Use as <c>L = L_task + lambda * this</c>.
    /// </summary>
    public static Tensor ParameterAnchoring(IReadOnlyList<(Tensor Student, Tensor Teacher)> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("Parameter anchoring needs at least one parameter pair.", nameof(pairs));
        using var scope = NewDisposeScope();
        var total = zeros([], dtype: pairs[0].Student.dtype, device: pairs[0].Student.device);
        foreach (var (student, teacher) in pairs)
            total = total + (student - teacher.detach()).pow(2).sum();
        return total.MoveToOuterDisposeScope();
    }

    private static long BatchSize(Tensor batch) =>
        batch.dim() > 0 && batch.shape[0] > 0
            ? batch.shape[0]
            : throw new ArgumentException("Loss terms need a non-empty batch as their first dimension.");

    private static void CheckTemperature(double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a positive, finite number.");
    }
}
