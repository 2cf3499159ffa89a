using System;

namespace DslKd;

/// <summary>
/// Marks a <c>partial</c> class as a distillation recipe from <typeparamref name="TTeacher"/> into
/// <typeparamref name="TStudent"/>, both DslKd models. The loss terms are the recipe's other attributes; the generator
/// emits the composed loss, the adapters the feature terms need, and compile-time constants such as the compression ratio.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DistillationAttribute<TTeacher, TStudent> : Attribute
    where TTeacher : class
    where TStudent : class;

/// <summary>Base of the recipe's loss-term attributes.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class LossTermAttribute : Attribute
{
    private protected LossTermAttribute() { }

    /// <summary>The term's weight in the total loss; must not be negative (default 1).</summary>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// Ramps the weight in over the first epochs of a training run: in epoch <c>e</c> (from 1) the term counts
    /// <c>Weight * min(e / WarmupEpochs, 1)</c>, as mdistiller ramps DKD in over 20 epochs. 0 (the default): full weight
    /// from the first step; must not be negative.
    /// </summary>
    public int WarmupEpochs { get; set; }
}

/// <summary>
/// Hinton et al. 2015 soft targets: <c>T^2 * KL(p_teacher^T || p_student^T)</c>, batch-mean, where
/// <c>p^T = softmax(logits / T)</c>. Needs teacher and student outputs of the same size.
/// </summary>
public sealed class SoftTargetsAttribute : LossTermAttribute
{
    /// <summary>Softmax temperature T &gt; 0 (default 4). Higher values expose more of the teacher's "dark knowledge".</summary>
    public double Temperature { get; set; } = 4;

    /// <summary>
    /// Logit standardization (Sun et al. 2024): z-score each sample's teacher and student logits before the temperature
    /// softmax, so the student matches the teacher's logit relations rather than their magnitude (default false).
    /// </summary>
    public bool StandardizeLogits { get; set; }
}

/// <summary>Soft-target cross-entropy <c>-sum p_teacher^T log p_student^T</c>, batch-mean (no T^2 factor).</summary>
public sealed class SoftTargetCrossEntropyAttribute : LossTermAttribute
{
    /// <summary>Softmax temperature T &gt; 0 (default 4).</summary>
    public double Temperature { get; set; } = 4;

    /// <summary>
    /// Logit standardization (Sun et al. 2024): z-score each sample's teacher and student logits before the temperature
    /// softmax, so the student matches the teacher's logit relations rather than their magnitude (default false).
    /// </summary>
    public bool StandardizeLogits { get; set; }
}

/// <summary>
/// Decoupled knowledge distillation (Zhao et al. 2022): <c>T^2 * (Alpha * TCKD + Beta * NCKD)</c>, batch-mean, the
/// target-class and non-target-class parts of the soft-target KL weighted separately. Needs the labels and teacher and
/// student outputs of the same size.
/// </summary>
public sealed class DecoupledKDAttribute : LossTermAttribute
{
    /// <summary>Softmax temperature T &gt; 0 (default 4).</summary>
    public double Temperature { get; set; } = 4;
    /// <summary>Weight of the target-class part, TCKD (default 1).</summary>
    public double Alpha { get; set; } = 1;
    /// <summary>Weight of the non-target-class part, NCKD (default 8, as in the paper's CIFAR-100 setting).</summary>
    public double Beta { get; set; } = 8;

    /// <summary>
    /// Logit standardization (Sun et al. 2024): z-score each sample's teacher and student logits before the temperature
    /// softmax, so the student matches the teacher's logit relations rather than their magnitude (default false).
    /// </summary>
    public bool StandardizeLogits { get; set; }
}

/// <summary>Cross-entropy of the student with the true labels, batch-mean.</summary>
public sealed class HardLabelsAttribute : LossTermAttribute
{
    /// <summary>Label smoothing in [0, 1) (default 0).</summary>
    public double LabelSmoothing { get; set; }
}

/// <summary>Logit matching (Ba and Caruana 2014): mean squared error between student and teacher logits.</summary>
public sealed class LogitMatchingAttribute : LossTermAttribute;

/// <summary>How two feature maps of different height or width are brought to one size.</summary>
public enum FeatureAlignment
{
    /// <summary>Spatial sizes must match; a mismatch is a compile error.</summary>
    None,
    /// <summary>The larger map is adaptive-average-pooled to the smaller one's size.</summary>
    AdaptivePool,
}

/// <summary>Base of the terms that compare a teacher feature with a student feature (block outputs named with nameof).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class FeatureTermAttribute : LossTermAttribute
{
    private protected FeatureTermAttribute(string teacherFeature, string studentFeature)
    {
        TeacherFeature = teacherFeature;
        StudentFeature = studentFeature;
    }

    /// <summary>A block of the teacher: write <c>nameof(Teacher.Block)</c>.</summary>
    public string TeacherFeature { get; }

    /// <summary>A block of the student: write <c>nameof(Student.Block)</c>.</summary>
    public string StudentFeature { get; }

    /// <summary>What to do when the two maps differ in height or width (default: refuse at compile time).</summary>
    public FeatureAlignment Alignment { get; set; }

    /// <summary>Which output of both blocks the term reads: the output (default) or the pre-activation value.</summary>
    public FeatureTap Tap { get; set; }
}

/// <summary>
/// FitNets hint (Romero et al. 2015): MSE between the teacher feature and the student feature passed through a trainable
/// adapter the generator sizes at compile time (Linear for vectors, 1x1 convolution for maps).
/// </summary>
public sealed class FeatureHintAttribute(string teacherFeature, string studentFeature) : FeatureTermAttribute(teacherFeature, studentFeature);

/// <summary><c>1 - cosine similarity</c> between the teacher feature and the adapted student feature, batch-mean.</summary>
public sealed class CosineFeatureAttribute(string teacherFeature, string studentFeature) : FeatureTermAttribute(teacherFeature, studentFeature);

/// <summary>
/// Attention transfer (Zagoruyko and Komodakis 2017) between two feature maps [C, H, W]: compares their normalised
/// spatial attention maps. Channel counts may differ.
/// </summary>
public sealed class AttentionTransferAttribute(string teacherFeature, string studentFeature) : FeatureTermAttribute(teacherFeature, studentFeature)
{
    /// <summary>The exponent p of the attention map <c>mean_c |F_c|^p</c> (default 2).</summary>
    public double P { get; set; } = 2;
}

/// <summary>
/// Relational knowledge distillation (Park et al. 2019) between two vector features [features] of any lengths: the
/// student's sample-to-sample distances (normalised by their mean) and the angles formed by sample triplets are pulled
/// towards the teacher's, with a smooth-L1 (Huber) loss.
/// </summary>
public sealed class RelationalKDAttribute(string teacherFeature, string studentFeature) : FeatureTermAttribute(teacherFeature, studentFeature)
{
    /// <summary>Weight of the distance-wise part (default 25, as in the paper).</summary>
    public double DistanceWeight { get; set; } = 25;
    /// <summary>Weight of the angle-wise part (default 50, as in the paper).</summary>
    public double AngleWeight { get; set; } = 50;
}

/// <summary>
/// Probabilistic knowledge transfer (Passalis and Tefas 2018) between two vector features [features] of any lengths: the
/// distribution of cosine similarities between the samples of a batch, student against teacher, compared with a KL
/// divergence.
/// </summary>
public sealed class ProbabilisticTransferAttribute(string teacherFeature, string studentFeature) : FeatureTermAttribute(teacherFeature, studentFeature);

/// <summary>
/// Parameter anchoring: <c>sum ||theta_student - theta_teacher||^2</c> over the parameters with the same state_dict name
/// and shape in both models. The generator lists the pairs in the generated code.
/// </summary>
public sealed class ParameterAnchoringAttribute : LossTermAttribute;

/// <summary>
/// Marks a method of the recipe as an extra loss term. Signature:
/// <c>Tensor Name(Teacher.Features teacher, Student.Features student, Tensor labels)</c>, returning a scalar.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CustomLossAttribute : Attribute
{
    /// <summary>The term's weight in the total loss; must not be negative (default 1).</summary>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// Ramps the weight in over the first epochs of a training run: in epoch <c>e</c> (from 1) the term counts
    /// <c>Weight * min(e / WarmupEpochs, 1)</c>, as mdistiller ramps DKD in over 20 epochs. 0 (the default): full weight
    /// from the first step; must not be negative.
    /// </summary>
    public int WarmupEpochs { get; set; }
}
