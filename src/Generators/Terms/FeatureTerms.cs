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

    /// <summary>The kind's own rule on the two shapes, as the text after "TermKind: " in DKD0017; null when they fit.</summary>
    protected abstract string? RankProblem(EquatableArray<long> teacher, EquatableArray<long> student, string describe);

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
        var describe = $"teacher feature '{teacherFeature}' is {ShapeText.Format(t)} and student feature '{studentFeature}' is {ShapeText.Format(s)}";
        if (RankProblem(t, s, describe) is { } problem)
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
        if (NeedsAdapter && t[0] != s[0])
        {
            var layer = t.Count switch { 1 => "Linear", 2 => "Conv1d", _ => "Conv2d" };
            adapter = new AdapterSpec(name + "Adapter", layer, s[0], t[0], checked(s[0] * t[0] + t[0]),
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

    /// <summary>Same rank, vectors of any length or maps of the same length; ranks above 3 unsupported.</summary>
    protected static string? SameRankProblem(EquatableArray<long> t, EquatableArray<long> s, string describe)
    {
        if (t.Count != s.Count) return $"{describe}; tap features of the same rank (both vectors or both maps)";
        if (t.Count == 2 && t[1] != s[1]) return $"{describe}; their lengths differ, tap features of equal length";
        if (t.Count > 3) return $"{describe}; features of rank above 3 are not supported";
        return null;
    }

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
    protected override string? RankProblem(EquatableArray<long> t, EquatableArray<long> s, string describe) => SameRankProblem(t, s, describe);
}

/// <summary>[CosineFeature]: 1 - cosine similarity between the teacher feature and the adapted student feature.</summary>
internal sealed class CosineFeatureTerm : FeatureTerm
{
    public override string Name => KindOf(nameof(CosineFeatureAttribute));
    protected override string Suffix => "Cosine";
    protected override bool NeedsAdapter => true;
    protected override string? RankProblem(EquatableArray<long> t, EquatableArray<long> s, string describe) => SameRankProblem(t, s, describe);
}

/// <summary>[AttentionTransfer]: spatial attention maps of two feature maps [C, H, W]; channel counts may differ.</summary>
internal sealed class AttentionTransferTerm : FeatureTerm
{
    private static readonly double DefaultP = new AttentionTransferAttribute("", "").P;

    public override string Name => KindOf(nameof(AttentionTransferAttribute));
    protected override string Suffix => "Attention";

    protected override string? RankProblem(EquatableArray<long> t, EquatableArray<long> s, string describe) =>
        t.Count != 3 || s.Count != 3 ? $"attention maps need feature maps [channels, height, width], but {describe}" : SameRankProblem(t, s, describe);

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
    protected override string? RankProblem(EquatableArray<long> t, EquatableArray<long> s, string describe) =>
        t.Count != 1 || s.Count != 1
            ? $"{Name} compares sample-to-sample relations of vectors [features], but {describe}; tap vector features (after Flatten or pooling)"
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
