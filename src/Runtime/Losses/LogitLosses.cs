using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslKd;

public static partial class DistillationLosses
{
    // The epsilon Standardize adds to the standard deviation: torchdistill's LogitStdKDLoss default.
    private const double StandardizeEpsilon = 1e-7;

    /// <summary>
    /// Hinton et al. 2015: <c>T^2 * (1/B) * sum_i KL(p_T(x_i) || p_S(x_i))</c> with <c>p = softmax(z / T)</c>. The T^2 keeps
    /// the gradient scale independent of the temperature. Zero when the student's logits equal the teacher's.
    /// With <paramref name="standardize"/> (logit standardization, Sun et al. 2024) both sides use
    /// <c>p = softmax(Standardize(z) / T)</c>: the temperature divides the standardized logits and the T^2 stays outside,
    /// as in the authors' code (sunshangquan/logit-standardization-KD, kd_loss) and in torchdistill's LogitStdKDLoss when
    /// it is given a hard-label weight alpha (it returns <c>alpha * CE + beta * T^2 * KL</c>; with alpha unset it returns
    /// the bare KL, without T^2).
    /// </summary>
    public static Tensor SoftTargets(Tensor studentLogits, Tensor teacherLogits, double temperature, bool standardize = false)
    {
        CheckTemperature(temperature);
        // No dispose scope of its own: this runs once per training step, inside the step's scope, and a nested scope
        // costs measurably at small batch sizes (see docs/benchmarks.md).
        var logStudent = F.log_softmax(Scaled(studentLogits, temperature, standardize), 1);
        var logTeacher = F.log_softmax(Scaled(teacherLogits, temperature, standardize), 1);
        // TorchSharp's kl_div has no "batchmean" and defaults to log_target = true: sum, then divide by the batch size.
        var klSum = F.kl_div(logStudent, logTeacher, log_target: true, reduction: nn.Reduction.Sum);
        return klSum.Times(temperature * temperature / BatchSize(studentLogits));
    }

    /// <summary>
    /// Soft-target cross-entropy: <c>-(1/B) * sum_i sum_c p_T,c(x_i) log p_S,c(x_i)</c> at temperature T (no T^2 factor).
    /// Equals <see cref="SoftTargets"/> / T^2 plus the teacher's entropy, so its minimum is that entropy, not 0.
    /// With <paramref name="standardize"/>, <c>p = softmax(Standardize(z) / T)</c> on both sides.
    /// </summary>
    public static Tensor SoftTargetCrossEntropy(Tensor studentLogits, Tensor teacherLogits, double temperature, bool standardize = false)
    {
        CheckTemperature(temperature);
        using var scope = NewDisposeScope();
        var logStudent = F.log_softmax(Scaled(studentLogits, temperature, standardize), 1);
        var teacherProbabilities = F.softmax(Scaled(teacherLogits, temperature, standardize), 1);
        var total = -(teacherProbabilities * logStudent).sum();
        return total.DividedBy(BatchSize(studentLogits)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decoupled knowledge distillation (Zhao et al. 2022, DKD) splits Hinton's KL into a target-class part and a
    /// non-target part and weights them separately: <c>T^2 * (alpha * TCKD + beta * NCKD)</c>, batch-mean, where
    /// TCKD = KL(b_T || b_S) over the binary distribution [p_target, 1 - p_target] and NCKD = KL(q_T || q_S) over the
    /// distribution among the non-target classes only. Computed in log space (logsumexp), so it is stable for any logits,
    /// and the target class is masked out before the non-target KL is formed, so the gradient is finite for the student
    /// and for the teacher (online or mutual distillation trains the teacher with this term too).
    /// With alpha = beta = 1 it is not Hinton's KD: plain KD weights NCKD by (1 - p_target of the teacher).
    /// The authors' defaults (T = 4, alpha = 1, beta = 8) live on <see cref="DecoupledKDAttribute"/>; callers pass all three.
    /// With <paramref name="standardize"/> the logits go through <see cref="Standardize"/> before the division by T, as
    /// the logit-standardization authors apply it to DKD (Sun et al. 2024; their dkd_loss with logit_stand).
    /// </summary>
    public static Tensor DecoupledKnowledgeDistillation(Tensor studentLogits, Tensor teacherLogits, Tensor labels,
        double temperature, double alpha, double beta, bool standardize = false)
    {
        CheckTemperature(temperature);
        CheckRange(alpha, LossSettingKind.Alpha.Range(), nameof(alpha));
        CheckRange(beta, LossSettingKind.Beta.Range(), nameof(beta));
        var batch = BatchSize(studentLogits);
        if (studentLogits.dim() != 2 || studentLogits.shape[1] < 2)
            throw new ArgumentException("Decoupled KD needs logits [batch, classes] with at least two classes.", nameof(studentLogits));
        var target = F.one_hot(labels, studentLogits.shape[1]).to(ScalarType.Bool);
        var (studentTarget, studentRest, studentOthers) = Split(Scaled(studentLogits, temperature, standardize), target);
        var (teacherTarget, teacherRest, teacherOthers) = Split(Scaled(teacherLogits, temperature, standardize), target);
        // TCKD: KL between the binary distributions [p_t, 1 - p_t], from their log-probabilities.
        var tckd = (teacherTarget.exp() * (teacherTarget - studentTarget)).Plus(teacherRest.exp() * (teacherRest - studentRest)).sum();
        // NCKD: KL between the distributions over the non-target classes. Split leaves 0 (not -inf) at the target in
        // both, so that entry is exp(0) * (0 - 0) = 0 and no inf - inf or 0 * inf reaches the forward or the backward.
        var nckd = (teacherOthers.exp() * (teacherOthers - studentOthers)).sum();
        return tckd.Times(alpha).Plus(nckd.Times(beta)).Times(temperature * temperature / batch);
    }

    // Log-probability of the target class, of "any other class", and the log-softmax over the non-target classes only,
    // with 0 at the target position (masked after the subtraction, whose -inf - finite would otherwise stay -inf there).
    private static (Tensor Target, Tensor NotTarget, Tensor Others) Split(Tensor scaledLogits, Tensor targetMask)
    {
        var all = scaledLogits.logsumexp(1, keepdim: true);
        var others = scaledLogits.FilledWhere(targetMask, double.NegativeInfinity);
        var othersTotal = others.logsumexp(1, keepdim: true);
        var target = scaledLogits.masked_select(targetMask).reshape(-1, 1) - all;
        return (target, othersTotal - all, (others - othersTotal).FilledWhere(targetMask, 0));
    }

    /// <summary>
    /// Logit standardization (Sun et al., CVPR 2024, "Logit Standardization in Knowledge Distillation"): each sample's
    /// logits, over the class dimension 1, become <c>z' = (z - mean_c(z)) / (eps + std_c(z))</c> with <c>eps = 1e-7</c>.
    /// This follows torchdistill's <c>LogitStdKDLoss.standardize</c> and the authors' <c>normalize</c> exactly, which
    /// differ from a plain z-score in two details: the standard deviation is torch.std's default, the unbiased one
    /// (divides by C - 1, not C), and eps is added to the standard deviation, not under the square root. So a
    /// standardized row has mean 0 and an unbiased standard deviation just under 1. Constant logits give all zeros.
    /// The loss terms divide the result by the temperature: <c>softmax(z' / T)</c>.
    /// </summary>
    public static Tensor Standardize(Tensor logits)
    {
        using var scope = NewDisposeScope();
        return ZScore(logits).MoveToOuterDisposeScope();
    }

    // Standardize without a dispose scope of its own, for the loss terms (see SoftTargets).
    private static Tensor ZScore(Tensor logits)
    {
        if (logits.dim() != 2 || logits.shape[1] < 2)
            throw new ArgumentException("Logit standardization needs logits [batch, classes] with at least two classes.", nameof(logits));
        var centred = logits - logits.mean([1L], keepdim: true);
        return centred / logits.std(1, unbiased: true, keepdim: true).Plus(StandardizeEpsilon);
    }

    private static Tensor Scaled(Tensor logits, double temperature, bool standardize) =>
        (standardize ? ZScore(logits) : logits).DividedBy(temperature);

    /// <summary>Cross-entropy with the true labels, averaged over the batch, with optional label smoothing in [0, 1).</summary>
    public static Tensor HardLabels(Tensor studentLogits, Tensor labels, double labelSmoothing = 0)
    {
        CheckRange(labelSmoothing, ValueRange.Probability, nameof(labelSmoothing));
        return F.cross_entropy(studentLogits, labels, label_smoothing: labelSmoothing);
    }

    /// <summary>Logit matching (Ba and Caruana 2014): mean squared error between student and teacher logits, over all elements.</summary>
    public static Tensor LogitMatching(Tensor studentLogits, Tensor teacherLogits) =>
        F.mse_loss(studentLogits, teacherLogits);
}
