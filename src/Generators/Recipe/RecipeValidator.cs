using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;
using DslKd.Generators.Terms;

namespace DslKd.Generators.Recipe;

/// <summary>The recipe after validation: <see cref="Recipe"/> is set when it has no errors (warnings may remain).</summary>
internal sealed record ValidatedRecipe(ResolvedRecipe? Recipe, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Checks every loss term against the two models' compile-time shapes, sizes the adapters the feature terms need,
/// and pairs the parameters anchoring compares.
/// </summary>
internal static class RecipeValidator
{
    public static ValidatedRecipe Validate(ParsedRecipe parsed)
    {
        if (parsed.Spec is not { } spec) return new ValidatedRecipe(null, parsed.Diagnostics);
        try
        {
            return ValidateSpec(parsed, spec);
        }
        catch (System.OverflowException)
        {
            var error = DiagnosticInfo.Create(Descriptors.InvalidTermArgument, spec.AttributeLocation, spec.ClassName,
                "the models' sizes are too large: an adapter's parameter count does not fit in 64 bits");
            return new ValidatedRecipe(null, EquatableArray.Of(error));
        }
    }

    private static ValidatedRecipe ValidateSpec(ParsedRecipe parsed, RecipeSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        var terms = new List<ResolvedTerm>();
        var adapters = new List<AdapterSpec>();
        // Term names become record properties and camel-cased locals: compare them ignoring case.
        // The Losses record's own members (object's and records' among them) are taken too.
        var names = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase) { "Total", "Terms", "Teacher", "Student", "Labels", "Losses", "Settings", "Loss" };
        names.UnionWith(GeneratedMembers.ObjectAndRecordMembers);

        if (InputKindsDiffer(spec) is { } inputs) diagnostics.Add(inputs);

        if (spec.Terms.Count == 0 && spec.CustomLosses.Count == 0)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NoLossTerms, spec.Location, spec.ClassName));

        foreach (var term in spec.Terms)
        {
            var kind = TermCatalog.Find(term.Kind);
            var resolved = kind is null
                ? TermResult.Fail(DiagnosticInfo.Create(Descriptors.InvalidTermArgument, term.Location, term.Kind,
                    "this loss term is not known to this version of the DslKd generator; reference one version of the DslKd package"))
                : kind.Resolve(new TermContext(spec, term, names));
            if (resolved.Error is { } error)
            {
                diagnostics.Add(error);
                continue;
            }
            var warmup = term.Arguments.Int(nameof(LossTermAttribute.WarmupEpochs), 0);
            if (warmup < 0 || warmup > int.MaxValue)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidTermArgument,
                    term.Arguments.LocationOf(nameof(LossTermAttribute.WarmupEpochs)) ?? term.Location, term.Kind,
                    $"{nameof(LossTermAttribute.WarmupEpochs)} must be zero (no warm-up) or a number of epochs but is {warmup}"));
                continue;
            }
            var named = resolved.Term! with { Name = Unique(resolved.Term!.Name, names), WarmupEpochs = (int)warmup };
            terms.Add(named);
            if (resolved.Adapter is { } adapter) adapters.Add(adapter with { Name = named.Name + "Adapter" });
        }

        foreach (var custom in spec.CustomLosses)
        {
            var resolved = CustomLossTerm.ResolveMethod(spec, custom, custom.MethodName);
            if (resolved.Error is { } error) diagnostics.Add(error);
            else terms.Add(resolved.Term! with { Name = Unique(custom.MethodName, names) });
        }

        var training = TrainingOptionsValidator.Validate(spec.TrainingOptions, diagnostics);

        if (diagnostics.Count == 0 && terms.Count > 0 && terms.All(t => t.Weight == 0))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.AllWeightsZero, spec.Location, spec.ClassName));

        // Warnings are reported by RecipeWarningsAnalyzer, where '#pragma warning disable' can reach them.
        var all = diagnostics.ToEquatableArray();
        if (diagnostics.Count > 0) return new ValidatedRecipe(null, all);

        var anchored = terms.Any(t => TermCatalog.Find(t.Kind) is ParameterAnchoringTerm)
            ? ParameterAnchoringTerm.Pairs(spec)
            : EquatableArray<ParameterPair>.Empty;
        var adapterTerms = terms.Select(t => adapters.FirstOrDefault(a => a.Name == t.Name + "Adapter") is { } a ? t with { Adapter = a.Name } : t);
        return new ValidatedRecipe(new ResolvedRecipe(spec, adapterTerms.ToEquatableArray(), adapters.ToEquatableArray(), anchored, training,
            adapters.Aggregate(0L, (sum, a) => checked(sum + a.ParameterCount))), all);
    }

    /// <summary>
    /// DKD0032: teacher and student read the same batches, so they must agree on what a batch holds: token ids of one
    /// vocabulary (both start with an Embedding of the same size), or real values. Different InputShapes (a sequence
    /// length among them) are DKD0046's, reported by the import checks; this speaks only when the shapes agree, so one
    /// mistake gives one diagnostic.
    /// </summary>
    private static DiagnosticInfo? InputKindsDiffer(RecipeSpec spec)
    {
        var (teacher, student) = (spec.Teacher, spec.Student);
        if (!teacher.Spec.InputShape.Equals(student.Spec.InputShape)) return null;
        if (teacher.TakesTokens == student.TakesTokens && teacher.Vocabulary == student.Vocabulary) return null;
        var fix = teacher.TakesTokens != student.TakesTokens
            ? "start both with an [Embedding] (token ids) or neither (values)"
            : "give both embeddings the same vocabulary (the size of the one Vocabulary that encodes the data)";
        return DiagnosticInfo.Create(Descriptors.TeacherAndStudentReadDifferentTokens, spec.AttributeLocation, spec.ClassName,
            teacher.Spec.ClassName, InputText(teacher), student.Spec.ClassName, InputText(student), fix);
    }

    private static string InputText(ResolvedModel model) =>
        model.TakesTokens ? $"token ids of a vocabulary of {Literal.Thousands(model.Vocabulary)}" : "real values";

    /// <summary>Warnings about a recipe that is valid but probably not what was meant.</summary>
    public static IEnumerable<DiagnosticInfo> Warnings(RecipeSpec spec)
    {
        if (spec.Teacher.Spec.FullName == spec.Student.Spec.FullName)
            yield return DiagnosticInfo.Create(Descriptors.SameTeacherAndStudent, spec.AttributeLocation, spec.ClassName, spec.Teacher.Spec.ClassName);
        else if (spec.Student.ParameterCount >= spec.Teacher.ParameterCount)
            yield return DiagnosticInfo.Create(Descriptors.StudentNotSmaller, spec.AttributeLocation, spec.ClassName,
                spec.Student.Spec.ClassName, Literal.Thousands(spec.Student.ParameterCount),
                spec.Teacher.Spec.ClassName, Literal.Thousands(spec.Teacher.ParameterCount));
    }

    private static string Unique(string name, HashSet<string> names)
    {
        var candidate = name;
        for (var i = 2; !names.Add(candidate); i++) candidate = name + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }
}
