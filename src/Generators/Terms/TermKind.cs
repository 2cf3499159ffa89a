using System.Collections.Generic;
using System.Linq;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>What a loss term reads from the two models (and the labels).</summary>
internal enum TermInput
{
    /// <summary>The teacher's and the student's outputs (last blocks), which must have the same shape.</summary>
    Logits,
    /// <summary>The student's output and the labels.</summary>
    StudentLogitsAndLabels,
    /// <summary>A named block of each model.</summary>
    Features,
    /// <summary>The parameters with the same state_dict name and shape in both models.</summary>
    Parameters,
    /// <summary>Whatever the user's [CustomLoss] method reads: every block of both models and the labels.</summary>
    Everything,
}

/// <summary>
/// One tunable number of a term besides its weight: the attribute argument it is written as, its kind (which decides
/// its valid range), its default (read from the attribute class itself), the value a fix writes when it is out of range
/// and no nearest valid value exists, and how the generated LossSettings documents it.
/// </summary>
internal sealed record SettingRule(string Argument, LossSettingKind Kind, double Default, double Fallback, string Meaning);

/// <summary>
/// Everything the generator knows about one kind of loss term: what it consumes, its tunable settings with their
/// defaults and ranges, its shape rule and adapter needs (<see cref="Resolve"/>), and the runtime call it emits
/// (<see cref="Call"/>). Adding a term is one subclass listed in <see cref="TermCatalog"/>, plus its attribute and its
/// runtime function.
/// </summary>
internal abstract class TermKind
{
    protected const string Losses = "global::DslKd.DistillationLosses";

    /// <summary>The weight every term has; its default is the one <c>LossTermAttribute</c> declares.</summary>
    public static readonly SettingRule Weight = new(nameof(LossTermAttribute.Weight), LossSettingKind.Weight,
        new LogitMatchingAttribute().Weight, 0, "The weight in the total of");

    /// <summary>The attribute name without "Attribute": the term's kind in specs and messages.</summary>
    public abstract string Name { get; }

    public abstract TermInput Consumes { get; }

    /// <summary>The tunable numbers besides <see cref="Weight"/>, in the order a user writes them.</summary>
    public virtual IReadOnlyList<SettingRule> Settings => [];

    /// <summary>Checks the term against the models' compile-time shapes and sizes what it needs, or fails with one diagnostic.</summary>
    public abstract TermResult Resolve(TermContext context);

    /// <summary>The C# expression that computes the term (unweighted) inside the generated <c>ComputeLoss</c>.</summary>
    public abstract string Call(ResolvedTerm term);

    /// <summary>How generated code reads a setting of the recipe's current loss settings.</summary>
    public static string Read(ResolvedTerm term, string argument) => "Loss." + Identifiers.Id(term.Name + argument);

    /// <summary>The term's weight as the total uses it: the setting, ramped in over the first epochs when the term says so.</summary>
    public static string EffectiveWeight(ResolvedTerm term, string settings = "Loss") =>
        Warmed(term, settings + "." + Identifiers.Id(term.Name + Weight.Argument));

    /// <summary><paramref name="weight"/>, times the warm-up factor of the current epoch when the term declares a warm-up.</summary>
    private static string Warmed(ResolvedTerm term, string weight) =>
        term.WarmupEpochs == 0 ? weight : $"{weight} * global::DslKd.LossWarmup.Factor({term.WarmupEpochs})";

    /// <summary>"Conv2dAttribute" (from <c>nameof</c>) -> "Conv2d".</summary>
    protected static string KindOf(string attributeClassName) => attributeClassName.Substring(0, attributeClassName.Length - "Attribute".Length);

    // A pre-activation member is nullable (filled only when asked for); the recipe asks for the ones its terms read.
    protected static string Student(ResolvedTerm term) =>
        "student." + Identifiers.Id(term.StudentRead!) + (term.StudentMember is null ? "" : "!");

    protected static string Teacher(ResolvedTerm term) =>
        "teacher." + Identifiers.Id(term.TeacherRead!) + (term.TeacherMember is null ? "" : "!");

    /// <summary><c>, name: value</c> for each fixed argument the term resolved to (only those that differ from the runtime's default).</summary>
    protected static string Extra(ResolvedTerm term) => string.Concat(term.ExtraArguments.Select(a => ", " + a));

    /// <summary><c>, temperature: Loss.XTemperature</c> for each tunable setting, parameter names camel-cased.</summary>
    protected string SettingArguments(ResolvedTerm term) =>
        string.Concat(Settings.Select(s => $", {char.ToLowerInvariant(s.Argument[0])}{s.Argument.Substring(1)}: {Read(term, s.Argument)}"));
}
