using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>
/// Terms that compare a named teacher block with a named student block (<c>nameof</c> in the attribute). The base checks
/// that both blocks exist, applies the kind's rank rule, pools maps to one size when asked, sizes an adapter when the
/// kind needs one, and names the term after the teacher block (<c>HiddenHint</c>).
/// </summary>
internal abstract class FeatureTerm : TermKind
{
    public override TermInput Consumes => TermInput.Features;

    /// <summary>Appended to the teacher block's name to name the term: "Hint" gives <c>HiddenHint</c>.</summary>
    protected abstract string Suffix { get; }

    /// <summary>Whether the student feature passes through an adapter sized to the teacher's (when the sizes differ).</summary>
    protected virtual bool NeedsAdapter => false;

    /// <summary>
    /// The kind's own rule on the two features (shapes, and whether each is a sequence [T, d]), as the text after
    /// "TermKind: " in DKD0017; null when they fit.
    /// </summary>
    protected abstract string? RankProblem(Feature teacher, Feature student, string describe);

    /// <summary>A tapped feature: its per-sample shape, and whether it is a sequence [T, features] (time first).</summary>
    protected readonly record struct Feature(EquatableArray<long> Shape, bool IsSequence)
    {
        public int Rank => Shape.Count;

        public long this[int axis] => Shape[axis];

        public string Text => ShapeText.Format(Shape) + (IsSequence ? " (a sequence [T, features])" : "");
    }

    /// <summary>Fixed arguments of the runtime call (after range checks), or a diagnostic.</summary>
    protected virtual DiagnosticInfo? ReadExtra(TermContext context, out EquatableArray<string> extra)
    {
        extra = EquatableArray<string>.Empty;
        return null;
    }

    public override TermResult Resolve(TermContext context)
    {
        var term = context.Term;
        var teacherFeature = term.Arguments.Text(nameof(FeatureTermAttribute.TeacherFeature)) ?? "";
        var studentFeature = term.Arguments.Text(nameof(FeatureTermAttribute.StudentFeature)) ?? "";
        if (FindBlock(context, context.Spec.Teacher, context.Spec.Student, teacherFeature, nameof(FeatureTermAttribute.TeacherFeature), "teacher", out var missing) is not { } teacherBlock)
            return TermResult.Fail(missing!);
        if (FindBlock(context, context.Spec.Student, context.Spec.Teacher, studentFeature, nameof(FeatureTermAttribute.StudentFeature), "student", out missing) is not { } studentBlock)
            return TermResult.Fail(missing!);

        var t = teacherBlock.OutputShape;
        var s = studentBlock.OutputShape;
        var teacher = new Feature(t, IsSequence(teacherBlock));
        var student = new Feature(s, IsSequence(studentBlock));
        var describe = $"teacher feature '{teacherFeature}' is {teacher.Text} and student feature '{studentFeature}' is {student.Text}";
        if (RankProblem(teacher, student, describe) is { } problem)
            return context.Fail(Descriptors.FeatureRankMismatch, term.Location, term.Kind, problem);
        if (ReadExtra(context, out var extra) is { } badArgument) return TermResult.Fail(badArgument);

        string? poolSize = null;
        bool poolTeacher = false, poolStudent = false;
        if (t.Count == 3 && (t[1] != s[1] || t[2] != s[2]))
        {
            if (term.Arguments.Int(nameof(FeatureTermAttribute.Alignment), (long)FeatureAlignment.None) != (long)FeatureAlignment.AdaptivePool)
                return context.Fail(Descriptors.SpatialSizesDiffer, term.Location, term.Kind,
                    teacherFeature, ShapeText.Format(t), studentFeature, ShapeText.Format(s));
            var height = System.Math.Min(t[1], s[1]);
            var width = System.Math.Min(t[2], s[2]);
            poolSize = $"{Literal.Of(height)}, {Literal.Of(width)}";
            poolTeacher = t[1] != height || t[2] != width;
            poolStudent = s[1] != height || s[2] != width;
        }
        if (context.ReadSettings(this, out var settings) is { } error) return TermResult.Fail(error);

        var name = context.Names.Contains(teacherFeature + Suffix) ? $"{teacherFeature}From{studentFeature}{Suffix}" : teacherFeature + Suffix;
        AdapterSpec? adapter = null;
        // The adapter maps the student's features onto the teacher's: channels of maps (a 1x1 convolution), vectors, or
        // each step of a sequence (Linear on its last axis, the features).
        var featureAxis = teacher.IsSequence ? 1 : 0;
        if (NeedsAdapter && t[featureAxis] != s[featureAxis])
        {
            var layer = teacher.IsSequence ? "Linear" : t.Count switch { 1 => "Linear", 2 => "Conv1d", _ => "Conv2d" };
            var (inFeatures, outFeatures) = (s[featureAxis], t[featureAxis]);
            adapter = new AdapterSpec(name + "Adapter", layer, inFeatures, outFeatures, checked(inFeatures * outFeatures + outFeatures),
                ShapeText.Format(s), ShapeText.Format(t), term.SourceText);
        }
        var preActivation = term.Arguments.Int(nameof(FeatureTermAttribute.Tap), (long)FeatureTap.Output) == (long)FeatureTap.PreActivation;
        var resolved = new ResolvedTerm(term.Kind, name, term.SourceText, settings, extra,
            TeacherFeature: teacherFeature, StudentFeature: studentFeature,
            PoolSize: poolSize, PoolTeacher: poolTeacher, PoolStudent: poolStudent,
            TeacherMember: preActivation && teacherBlock.HasPreActivation ? Emit.ModelEmitter.PreActivationMember(teacherFeature) : null,
            StudentMember: preActivation && studentBlock.HasPreActivation ? Emit.ModelEmitter.PreActivationMember(studentFeature) : null);
        return TermResult.Of(resolved, adapter);
    }

    public override string Call(ResolvedTerm term) => $"{Losses}.{Name}({StudentExpression(term)}, {TeacherExpression(term)}{SettingArguments(term)}{Extra(term)})";

    /// <summary>The student feature as the term reads it: through the adapter, then pooled, when the term has them.</summary>
    protected static string StudentExpression(ResolvedTerm term)
    {
        var feature = Student(term);
        if (term.Adapter is { } adapter) feature = $"{Identifiers.Field(adapter)}.call({feature})";
        return term.PoolStudent ? Pool(feature, term.PoolSize!) : feature;
    }

    protected static string TeacherExpression(ResolvedTerm term) => term.PoolTeacher ? Pool(Teacher(term), term.PoolSize!) : Teacher(term);

    private static string Pool(string feature, string size) =>
        $"global::TorchSharp.torch.nn.functional.adaptive_avg_pool2d({feature}, new long[] {{ {size} }})";

    /// <summary>
    /// Same rank, vectors of any length, maps of the same length, or sequences [T, d] of the same T (their feature sizes
    /// may differ: the adapter maps each step); ranks above 3 unsupported.
    /// </summary>
    protected static string? SameRankProblem(Feature t, Feature s, string describe)
    {
        if (t.Rank != s.Rank) return $"{describe}; tap features of the same rank (both vectors, both sequences or both maps)";
        if (t.IsSequence != s.IsSequence)
            return $"{describe}; a sequence [T, features] has time first and a map [channels, length] channels first, so tap two sequences or two maps";
        if (t.IsSequence && t[0] != s[0])
            return $"{describe}; their sequence lengths differ ({t[0]} and {s[0]} steps), so the steps cannot be paired: tap sequences of equal length (the same InputShape, the same windows of PoolOverTime)";
        if (t.Rank == 2 && !t.IsSequence && t[1] != s[1]) return $"{describe}; their lengths differ, tap features of equal length";
        if (t.Rank > 3) return $"{describe}; features of rank above 3 are not supported";
        return null;
    }

    private static bool IsSequence(ResolvedBlock block) => block.OutputShape.Count == 2 && block.Layout == TensorLayout.Sequence;

    private static ResolvedBlock? FindBlock(TermContext context, ResolvedModel model, ResolvedModel other, string feature, string argument, string role,
        out DiagnosticInfo? missing)
    {
        missing = null;
        var block = model.Blocks.FirstOrDefault(b => b.Name == feature);
        if (block is not null) return block;
        var hint = other.Blocks.Any(b => b.Name == feature) ? $" (it is a block of the {(role == "teacher" ? "student" : "teacher")} '{other.Spec.ClassName}')" : "";
        missing = DiagnosticInfo.Create(Descriptors.UnknownFeature, context.LocationOf(argument), context.Term.Kind, feature, role,
            model.Spec.ClassName, hint, string.Join(", ", model.Blocks.Select(b => b.Name)));
        return null;
    }
}

/// <summary>[FeatureHint]: FitNets, MSE between the teacher feature and the adapted student feature.</summary>
internal sealed class FeatureHintTerm : FeatureTerm
{
    public override string Name => KindOf(nameof(FeatureHintAttribute));
    protected override string Suffix => "Hint";
    protected override bool NeedsAdapter => true;
    protected override string? RankProblem(Feature t, Feature s, string describe) => SameRankProblem(t, s, describe);
}

/// <summary>[CosineFeature]: 1 - cosine similarity between the teacher feature and the adapted student feature.</summary>
internal sealed class CosineFeatureTerm : FeatureTerm
{
    public override string Name => KindOf(nameof(CosineFeatureAttribute));
    protected override string Suffix => "Cosine";
    protected override bool NeedsAdapter => true;
    protected override string? RankProblem(Feature t, Feature s, string describe) => SameRankProblem(t, s, describe);
}

/// <summary>[AttentionTransfer]: spatial attention maps of two feature maps [C, H, W]; channel counts may differ.</summary>
internal sealed class AttentionTransferTerm : FeatureTerm
{
    private static readonly double DefaultP = new AttentionTransferAttribute("", "").P;

    public override string Name => KindOf(nameof(AttentionTransferAttribute));
    protected override string Suffix => "Attention";

    protected override string? RankProblem(Feature t, Feature s, string describe) =>
        t.Rank != 3 || s.Rank != 3
            ? $"attention maps need feature maps [channels, height, width], but {describe}" +
              (t.IsSequence || s.IsSequence ? "; compare sequences with [FeatureHint] or [CosineFeature]" : "")
            : SameRankProblem(t, s, describe);

    protected override DiagnosticInfo? ReadExtra(TermContext context, out EquatableArray<string> extra)
    {
        extra = EquatableArray<string>.Empty;
        if (context.ReadFixed(nameof(AttentionTransferAttribute.P), ValueRange.Positive, DefaultP, DefaultP, out var p) is { } bad) return bad;
        extra = EquatableArray.Of($"p: {Literal.Of(p)}");
        return null;
    }
}

/// <summary>
/// Relational terms compare how samples relate within a batch (distances, angles, similarities), so the two features
/// may have any lengths; they need vectors [features].
/// </summary>
internal abstract class RelationalFeatureTerm : FeatureTerm
{
    protected override string? RankProblem(Feature t, Feature s, string describe) =>
        t.Rank != 1 || s.Rank != 1
            ? $"{Name} compares sample-to-sample relations of vectors [features], but {describe}; " +
              (t.IsSequence || s.IsSequence
                  ? "tap vector features (after a global [PoolOverTime], or a recurrent layer with RecurrentOutput.LastState)"
                  : "tap vector features (after Flatten or pooling)")
            : null;
}

/// <summary>[RelationalKD]: Park et al. 2019, distance- and angle-wise relations between the samples of a batch.</summary>
internal sealed class RelationalKDTerm : RelationalFeatureTerm
{
    private static readonly RelationalKDAttribute Defaults = new("", "");

    public override string Name => KindOf(nameof(RelationalKDAttribute));
    protected override string Suffix => "Relations";
    public override System.Collections.Generic.IReadOnlyList<SettingRule> Settings { get; } =
    [
        new(nameof(RelationalKDAttribute.DistanceWeight), LossSettingKind.Weight, Defaults.DistanceWeight, Defaults.DistanceWeight, "The distance-wise weight of"),
        new(nameof(RelationalKDAttribute.AngleWeight), LossSettingKind.Weight, Defaults.AngleWeight, Defaults.AngleWeight, "The angle-wise weight of"),
    ];
}

/// <summary>[ProbabilisticTransfer]: Passalis and Tefas 2018, KL between the batches' cosine-similarity distributions.</summary>
internal sealed class ProbabilisticTransferTerm : RelationalFeatureTerm
{
    public override string Name => KindOf(nameof(ProbabilisticTransferAttribute));
    protected override string Suffix => "Similarities";
}
