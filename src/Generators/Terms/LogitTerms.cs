using System.Collections.Generic;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>Terms that compare the teacher's and the student's outputs, which must have the same shape [classes].</summary>
internal abstract class LogitTerm : TermKind
{
    public override TermInput Consumes => TermInput.Logits;

    /// <summary>Whether the term takes <c>StandardizeLogits</c> (logit standardization before the softmax).</summary>
    protected virtual bool Standardizable => false;

    public override TermResult Resolve(TermContext context)
    {
        var teacher = context.Spec.Teacher;
        var student = context.Spec.Student;
        if (teacher.OutputShape.Count != 1 || !teacher.OutputShape.Equals(student.OutputShape))
            return context.Fail(Descriptors.LogitShapesDiffer, context.Term.Location, context.Term.Kind,
                teacher.Spec.ClassName, ShapeText.Format(teacher.OutputShape), student.Spec.ClassName, ShapeText.Format(student.OutputShape));
        if (context.ReadSettings(this, out var settings) is { } error) return TermResult.Fail(error);
        var extra = Standardizable && context.Bool(nameof(SoftTargetsAttribute.StandardizeLogits), false)
            ? EquatableArray.Of("standardize: true")
            : EquatableArray<string>.Empty;
        return TermResult.Of(new ResolvedTerm(context.Term.Kind, context.Term.Kind, context.Term.SourceText, settings, extra,
            TeacherFeature: Blocks.Last(teacher), StudentFeature: Blocks.Last(student)));
    }

    public override string Call(ResolvedTerm term) =>
        $"{Losses}.{Method}({Student(term)}, {Teacher(term)}{(ReadsLabels ? ", labels" : "")}{SettingArguments(term)}{Extra(term)})";

    protected virtual string Method => Name;

    protected virtual bool ReadsLabels => false;

    protected static SettingRule Temperature(double @default) =>
        new(nameof(SoftTargetsAttribute.Temperature), LossSettingKind.Temperature, @default, 1, "The temperature of");
}

/// <summary>[SoftTargets]: Hinton's T^2-scaled KL divergence.</summary>
internal sealed class SoftTargetsTerm : LogitTerm
{
    public override string Name => KindOf(nameof(SoftTargetsAttribute));
    public override IReadOnlyList<SettingRule> Settings { get; } = [Temperature(new SoftTargetsAttribute().Temperature)];
    protected override bool Standardizable => true;
}

/// <summary>[SoftTargetCrossEntropy]: cross-entropy with the teacher's softened distribution.</summary>
internal sealed class SoftTargetCrossEntropyTerm : LogitTerm
{
    public override string Name => KindOf(nameof(SoftTargetCrossEntropyAttribute));
    public override IReadOnlyList<SettingRule> Settings { get; } = [Temperature(new SoftTargetCrossEntropyAttribute().Temperature)];
    protected override bool Standardizable => true;
}

/// <summary>[DecoupledKD]: target-class and non-target-class parts of the KL weighted separately (needs the labels).</summary>
internal sealed class DecoupledKDTerm : LogitTerm
{
    private static readonly DecoupledKDAttribute Defaults = new();

    public override string Name => KindOf(nameof(DecoupledKDAttribute));
    public override IReadOnlyList<SettingRule> Settings { get; } =
    [
        Temperature(Defaults.Temperature),
        new(nameof(DecoupledKDAttribute.Alpha), LossSettingKind.Alpha, Defaults.Alpha, Defaults.Alpha, "The target-class weight (TCKD) of"),
        new(nameof(DecoupledKDAttribute.Beta), LossSettingKind.Beta, Defaults.Beta, Defaults.Beta, "The non-target-class weight (NCKD) of"),
    ];
    protected override bool Standardizable => true;
    protected override string Method => "DecoupledKnowledgeDistillation";
    protected override bool ReadsLabels => true;
}

/// <summary>[LogitMatching]: mean squared error between the logits.</summary>
internal sealed class LogitMatchingTerm : LogitTerm
{
    public override string Name => KindOf(nameof(LogitMatchingAttribute));
}

/// <summary>[HardLabels]: the student's cross-entropy with the true labels.</summary>
internal sealed class HardLabelsTerm : TermKind
{
    // Label smoothing of 1 or more has no nearest valid value; 0.1 is the usual one.
    public const double UsualLabelSmoothing = 0.1;

    public override string Name => KindOf(nameof(HardLabelsAttribute));
    public override TermInput Consumes => TermInput.StudentLogitsAndLabels;

    public override TermResult Resolve(TermContext context)
    {
        var student = context.Spec.Student;
        if (student.OutputShape.Count != 1)
            return context.Fail(Descriptors.FeatureRankMismatch, context.Term.Location, Name,
                $"cross-entropy needs class scores [classes], but student '{student.Spec.ClassName}' outputs {ShapeText.Format(student.OutputShape)}");
        var argument = nameof(HardLabelsAttribute.LabelSmoothing);
        if (context.ReadFixed(argument, ValueRange.Probability, new HardLabelsAttribute().LabelSmoothing, UsualLabelSmoothing, out var smoothing) is { } bad)
            return TermResult.Fail(bad);
        if (context.ReadSettings(this, out var settings) is { } error) return TermResult.Fail(error);
        var extra = smoothing != 0 ? EquatableArray.Of($"labelSmoothing: {Emit.Literal.Of(smoothing)}") : EquatableArray<string>.Empty;
        return TermResult.Of(new ResolvedTerm(Name, Name, context.Term.SourceText, settings, extra, StudentFeature: Blocks.Last(student)));
    }

    public override string Call(ResolvedTerm term) => $"{Losses}.HardLabels({Student(term)}, labels{Extra(term)})";
}
