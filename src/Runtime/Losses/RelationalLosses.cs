using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslKd;

public static partial class DistillationLosses
{
    // torchdistill's (and mdistiller's) constants: the floor of a squared pairwise distance in RKD, and PKT's epsilon.
    private const double RelationalDistanceFloor = 1e-12;
    private const double ProbabilisticTransferEpsilon = 1e-7;

    /// <summary>
    /// Relational knowledge distillation (Park et al., CVPR 2019, RKD-DA): the student copies the geometry of the batch,
    /// not the teacher's features. Features [B, ...] are flattened to [B, D] (D may differ between student and teacher).
    /// <list type="bullet">
    /// <item>Distance: <c>d_ij = sqrt(max(||e_i||^2 + ||e_j||^2 - 2 e_i.e_j, 1e-12))</c> off the diagonal, 0 on it,
    /// divided by the mean of the B(B-1) off-diagonal distances (the entries &gt; 0) of the same side; the loss is the
    /// smooth-L1 (beta = 1) between the student's and the teacher's normalised matrices, mean over all B*B entries.</item>
    /// <item>Angle: for every anchor i, <c>u_ij = normalize(e_j - e_i)</c> (L2, the norm floored at 1e-12, so u_ii = 0)
    /// and <c>a_ijk = u_ij.u_ik</c>; the loss is the smooth-L1 (beta = 1) between the student's and the teacher's
    /// a_ijk, mean over all B^3 triples (the degenerate ones, j = i or k = i, are 0 on both sides).</item>
    /// </list>
    /// Returns <c>distanceWeight * distance + angleWeight * angle</c>; a part whose weight is 0 is not computed. This is
    /// torchdistill's RKDLoss with reduction 'mean' (its sample configuration uses dist_factor 1, angle_factor 2; the
    /// class has no defaults) and mdistiller's rkd_loss (defaults distance 25, angle 50, the paper's choice).
    /// Both peers compute the teacher's side under no_grad; here, as for every term, the teacher's side takes gradients
    /// only if the teacher tensor requires them (a frozen teacher runs under no_grad). Needs a batch of at least 2.
    /// </summary>
    public static Tensor RelationalKD(Tensor studentFeature, Tensor teacherFeature, double distanceWeight, double angleWeight)
    {
        var batch = PairedBatchSize(studentFeature, teacherFeature);
        if (batch < 2)
            throw new ArgumentException("Relational KD compares the samples of a batch with each other: it needs at least two.", nameof(studentFeature));
        CheckRange(distanceWeight, LossSettingKind.Weight.Range(), nameof(distanceWeight));
        CheckRange(angleWeight, LossSettingKind.Weight.Range(), nameof(angleWeight));
        using var scope = NewDisposeScope();
        var student = studentFeature.reshape(batch, -1);
        var teacher = teacherFeature.reshape(batch, -1);
        var loss = zeros([], dtype: student.dtype, device: student.device);
        if (distanceWeight != 0)
            loss = loss.Plus(F.smooth_l1_loss(NormalizedDistances(student), NormalizedDistances(teacher), nn.Reduction.Mean, 1.0).Times(distanceWeight));
        if (angleWeight != 0)
            loss = loss.Plus(F.smooth_l1_loss(Angles(student), Angles(teacher), nn.Reduction.Mean, 1.0).Times(angleWeight));
        return loss.MoveToOuterDisposeScope();
    }

    // Pairwise Euclidean distances [B, B] (0 on the diagonal) divided by the mean of the positive ones.
    private static Tensor NormalizedDistances(Tensor flat)
    {
        var squaredNorms = flat.Power(2).sum(1);
        var squared = (squaredNorms.unsqueeze(1).Plus(squaredNorms.unsqueeze(0)) - flat.matmul(flat.t()).Times(2)).AtLeast(RelationalDistanceFloor);
        var diagonal = eye(flat.shape[0], dtype: ScalarType.Bool, device: flat.device);
        var distances = squared.sqrt().FilledWhere(diagonal, 0);
        return distances / distances.masked_select(distances.GreaterThan(0)).mean();
    }

    // Cosines of the angles e_j - e_i, e_k - e_i at every anchor i, flattened to [B^3].
    private static Tensor Angles(Tensor flat)
    {
        var differences = flat.unsqueeze(0) - flat.unsqueeze(1);
        var unit = F.normalize(differences, p: 2, dim: 2);
        return unit.bmm(unit.transpose(1, 2)).reshape(-1);
    }

    /// <summary>
    /// Probabilistic knowledge transfer (Passalis and Tefas, ECCV 2018): features [B, ...] flattened to [B, D] (D may
    /// differ) are scaled to <c>f_i / (||f_i|| + 1e-7)</c>; the kernel <c>K_ij = (1 + cos_ij) / 2</c> (cosine similarity
    /// moved to [0, 1]) becomes conditional probabilities <c>p_j|i = K_ij / sum_k K_ik</c>, each row summing to 1 and
    /// including j = i, as in the authors' code. The loss is
    /// <c>(1/B^2) * sum_i sum_j p^T_j|i * log((p^T_j|i + 1e-7) / (p^S_j|i + 1e-7))</c>: a mean over all B^2 pairs, i.e.
    /// the batch-mean of each row's KL divided by B. This is torchdistill's PKTLoss and mdistiller's pkt_loss (eps 1e-7),
    /// except that they silently replace a NaN in the normalised features by 0; here a NaN propagates, so a diverged
    /// feature shows in the loss.
    /// </summary>
    public static Tensor ProbabilisticTransfer(Tensor studentFeature, Tensor teacherFeature)
    {
        var batch = PairedBatchSize(studentFeature, teacherFeature);
        using var scope = NewDisposeScope();
        var student = ConditionalProbabilities(studentFeature.reshape(batch, -1));
        var teacher = ConditionalProbabilities(teacherFeature.reshape(batch, -1));
        var divergence = teacher * (teacher.Plus(ProbabilisticTransferEpsilon) / student.Plus(ProbabilisticTransferEpsilon)).log();
        return divergence.mean().MoveToOuterDisposeScope();
    }

    private static Tensor ConditionalProbabilities(Tensor flat)
    {
        var unit = flat / flat.Power(2).sum(1, keepdim: true).sqrt().Plus(ProbabilisticTransferEpsilon);
        var kernel = unit.matmul(unit.t()).Plus(1.0).DividedBy(2.0);
        return kernel / kernel.sum(1, keepdim: true);
    }

    private static long PairedBatchSize(Tensor studentFeature, Tensor teacherFeature)
    {
        var batch = BatchSize(studentFeature);
        if (teacherFeature.dim() == 0 || teacherFeature.shape[0] != batch)
            throw new ArgumentException($"The student and teacher features need the same batch size (student {batch}).", nameof(teacherFeature));
        return batch;
    }
}
