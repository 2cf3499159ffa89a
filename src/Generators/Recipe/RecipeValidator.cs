using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Layers;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Recipe;

/// <summary>The recipe after validation: <see cref="Recipe"/> is set when it has no errors (warnings may remain).</summary>
internal sealed record ValidatedRecipe(ResolvedRecipe? Recipe, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Checks every loss term against the two models' compile-time shapes, sizes the adapters the feature terms need,
/// and pairs the parameters anchoring compares.
/// </summary>
internal static class RecipeValidator
{
    private static readonly string[] LogitTerms = ["SoftTargets", "SoftTargetCrossEntropy", "LogitMatching"];

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
        var anchored = EquatableArray<ParameterPair>.Empty;
        // Term names become record properties and camel-cased locals: compare them ignoring case.
        var names = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase) { "Total", "Terms", "Teacher", "Student", "Labels", "Losses", "Settings", "Loss" };

        if (spec.Terms.Count == 0 && spec.CustomLosses.Count == 0)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NoLossTerms, spec.Location, spec.ClassName));

        foreach (var term in spec.Terms)
        {
            var context = new TermContext(spec, term);
            if (context.CommonProblem() is { } problem)
            {
                diagnostics.Add(problem);
                continue;
            }
            var resolved = term.Kind switch
            {
                "SoftTargets" or "SoftTargetCrossEntropy" or "DecoupledKD" => LogitTerm(context, temperature: true),
                "LogitMatching" => LogitTerm(context, temperature: false),
                "HardLabels" => HardLabels(context),
                "FeatureHint" or "CosineFeature" => FeatureTerm(context, withAdapter: true, names),
                "AttentionTransfer" => FeatureTerm(context, withAdapter: false, names),
                "ParameterAnchoring" => Anchoring(context, out anchored),
                _ => context.Fail(Descriptors.InvalidTermArgument, term.Location, term.Kind,
                    "this loss term is not known to this version of the DslKd generator; reference one version of the DslKd package"),
            };
            if (resolved.Error is { } error)
            {
                diagnostics.Add(error);
                continue;
            }
            var named = resolved.Term! with { Name = Unique(resolved.Term!.Name, names) };
            terms.Add(named);
            if (resolved.Adapter is { } adapter) adapters.Add(adapter with { Name = named.Name + "Adapter" });
        }

        foreach (var custom in spec.CustomLosses)
        {
            var weight = custom.Arguments.Real("Weight", 1);
            if (custom.SignatureProblem is { } signature)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidCustomLoss, custom.Location, custom.MethodName,
                    spec.Teacher.Spec.ClassName, spec.Student.Spec.ClassName, signature));
            else if (!(weight >= 0 && Literal.IsFinite(weight)))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.NegativeWeight, custom.Arguments.LocationOf("Weight") ?? custom.Location,
                    custom.MethodName, Literal.Of(weight)));
            else
                terms.Add(new ResolvedTerm("Custom", Unique(custom.MethodName, names), weight, "CustomLoss", MethodName: custom.MethodName, MethodIsStatic: custom.IsStatic));
        }

        var training = TrainingOptionsValidator.Validate(spec.TrainingOptions, diagnostics);

        if (diagnostics.Count == 0 && terms.Count > 0 && terms.All(t => t.Weight == 0))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.AllWeightsZero, spec.Location, spec.ClassName));

        // Warnings are reported by RecipeWarningsAnalyzer, where '#pragma warning disable' can reach them.
        var all = diagnostics.ToEquatableArray();
        if (diagnostics.Count > 0) return new ValidatedRecipe(null, all);

        var adapterTerms = terms.Select(t => adapters.FirstOrDefault(a => a.Name == t.Name + "Adapter") is { } a ? t with { Adapter = a.Name } : t);
        return new ValidatedRecipe(new ResolvedRecipe(spec, adapterTerms.ToEquatableArray(), adapters.ToEquatableArray(), anchored, training,
            adapters.Aggregate(0L, (sum, a) => checked(sum + a.ParameterCount))), all);
    }

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

    private static TermResult LogitTerm(TermContext context, bool temperature)
    {
        var teacher = context.Spec.Teacher;
        var student = context.Spec.Student;
        if (teacher.OutputShape.Count != 1 || !teacher.OutputShape.Equals(student.OutputShape))
            return context.Fail(Descriptors.LogitShapesDiffer, context.Term.Location, context.Term.Kind,
                teacher.Spec.ClassName, ShapeText.Format(teacher.OutputShape), student.Spec.ClassName, ShapeText.Format(student.OutputShape));

        var t = context.Term.Arguments.Real("Temperature", 4);
        if (temperature && !(t > 0 && Literal.IsFinite(t)))
            return context.Fail(Descriptors.InvalidTemperature, context.LocationOf("Temperature"), context.Term.Kind, Literal.Of(t));
        if (context.Term.Kind == "DecoupledKD")
        {
            foreach (var part in new[] { "Alpha", "Beta" })
            {
                var value = context.Term.Arguments.Real(part, part == "Alpha" ? 1 : 8);
                if (!(value >= 0 && Literal.IsFinite(value)))
                    return context.Fail(Descriptors.InvalidTermArgument, context.LocationOf(part), context.Term.Kind, $"{part} must be zero or positive but is {Literal.Of(value)}");
            }
        }
        return TermResult.Of(new ResolvedTerm(context.Term.Kind, context.Term.Kind, context.Weight, context.Term.SourceText,
            Temperature: temperature ? t : 0, TeacherFeature: LastBlock(teacher), StudentFeature: LastBlock(student),
            Alpha: context.Term.Arguments.Real("Alpha", 1), Beta: context.Term.Arguments.Real("Beta", 8)));
    }

    private static TermResult HardLabels(TermContext context)
    {
        var student = context.Spec.Student;
        if (student.OutputShape.Count != 1)
            return context.Fail(Descriptors.FeatureRankMismatch, context.Term.Location, "HardLabels",
                $"cross-entropy needs class scores [classes], but student '{student.Spec.ClassName}' outputs {ShapeText.Format(student.OutputShape)}");
        var smoothing = context.Term.Arguments.Real("LabelSmoothing", 0);
        if (!(smoothing >= 0 && smoothing < 1))
            return context.Fail(Descriptors.InvalidTermArgument, context.LocationOf("LabelSmoothing"), "HardLabels",
                $"LabelSmoothing must be in [0, 1) but is {Literal.Of(smoothing)}");
        return TermResult.Of(new ResolvedTerm("HardLabels", "HardLabels", context.Weight, context.Term.SourceText,
            LabelSmoothing: smoothing, StudentFeature: LastBlock(student)));
    }

    private static TermResult FeatureTerm(TermContext context, bool withAdapter, HashSet<string> names)
    {
        var term = context.Term;
        var teacherFeature = term.Arguments.Text("TeacherFeature") ?? "";
        var studentFeature = term.Arguments.Text("StudentFeature") ?? "";
        if (FindBlock(context, context.Spec.Teacher, context.Spec.Student, teacherFeature, "TeacherFeature", "teacher") is not { } teacherBlock)
            return context.LastFailure!;
        if (FindBlock(context, context.Spec.Student, context.Spec.Teacher, studentFeature, "StudentFeature", "student") is not { } studentBlock)
            return context.LastFailure!;

        var t = teacherBlock.OutputShape;
        var s = studentBlock.OutputShape;
        var describe = $"teacher feature '{teacherFeature}' is {ShapeText.Format(t)} and student feature '{studentFeature}' is {ShapeText.Format(s)}";
        if (term.Kind == "AttentionTransfer" && (t.Count != 3 || s.Count != 3))
            return context.Fail(Descriptors.FeatureRankMismatch, term.Location, term.Kind,
                $"attention maps need feature maps [channels, height, width], but {describe}");
        if (t.Count != s.Count)
            return context.Fail(Descriptors.FeatureRankMismatch, term.Location, term.Kind,
                $"{describe}; tap features of the same rank (both vectors or both maps)");
        if (t.Count == 2 && t[1] != s[1])
            return context.Fail(Descriptors.FeatureRankMismatch, term.Location, term.Kind,
                $"{describe}; their lengths differ, tap features of equal length");
        if (t.Count > 3)
            return context.Fail(Descriptors.FeatureRankMismatch, term.Location, term.Kind, $"{describe}; features of rank above 3 are not supported");

        var p = term.Arguments.Real("P", 2);
        if (term.Kind == "AttentionTransfer" && !(p > 0 && Literal.IsFinite(p)))
            return context.Fail(Descriptors.InvalidTermArgument, context.LocationOf("P"), term.Kind, $"P must be a positive number but is {Literal.Of(p)}");

        string? poolSize = null;
        bool poolTeacher = false, poolStudent = false;
        if (t.Count == 3 && (t[1] != s[1] || t[2] != s[2]))
        {
            if (term.Arguments.Int("Alignment", 0) != 1)
                return context.Fail(Descriptors.SpatialSizesDiffer, term.Location, term.Kind,
                    teacherFeature, ShapeText.Format(t), studentFeature, ShapeText.Format(s));
            var height = System.Math.Min(t[1], s[1]);
            var width = System.Math.Min(t[2], s[2]);
            poolSize = $"{Literal.Of(height)}, {Literal.Of(width)}";
            poolTeacher = t[1] != height || t[2] != width;
            poolStudent = s[1] != height || s[2] != width;
        }

        var suffix = term.Kind switch { "FeatureHint" => "Hint", "CosineFeature" => "Cosine", _ => "Attention" };
        var name = names.Contains(teacherFeature + suffix) ? $"{teacherFeature}From{studentFeature}{suffix}" : teacherFeature + suffix;
        AdapterSpec? adapter = null;
        if (withAdapter && t[0] != s[0])
        {
            var layer = t.Count switch { 1 => "Linear", 2 => "Conv1d", _ => "Conv2d" };
            adapter = new AdapterSpec(name + "Adapter", layer, s[0], t[0], checked(s[0] * t[0] + t[0]),
                ShapeText.Format(s), ShapeText.Format(t), term.SourceText);
        }

        var resolved = new ResolvedTerm(term.Kind, name, context.Weight, term.SourceText, P: p,
            TeacherFeature: teacherFeature, StudentFeature: studentFeature,
            PoolSize: poolSize, PoolTeacher: poolTeacher, PoolStudent: poolStudent);
        return new TermResult(resolved, adapter, null);
    }

    private static ResolvedBlock? FindBlock(TermContext context, ResolvedModel model, ResolvedModel other, string feature, string argument, string role)
    {
        var block = model.Blocks.FirstOrDefault(b => b.Name == feature);
        if (block is not null) return block;
        var hint = other.Blocks.Any(b => b.Name == feature) ? $" (it is a block of the {(role == "teacher" ? "student" : "teacher")} '{other.Spec.ClassName}')" : "";
        context.LastFailure = context.Fail(Descriptors.UnknownFeature, context.LocationOf(argument), context.Term.Kind, feature, role,
            model.Spec.ClassName, hint, string.Join(", ", model.Blocks.Select(b => b.Name)));
        return null;
    }

    private static TermResult Anchoring(TermContext context, out EquatableArray<ParameterPair> pairs)
    {
        var teacher = ParameterShapes(context.Spec.Teacher);
        var student = ParameterShapes(context.Spec.Student);
        pairs = student
            .Where(s => teacher.Any(t => t.Name == s.Name && t.Shape == s.Shape))
            .Select(s => new ParameterPair(s.Name, s.Shape))
            .ToEquatableArray();
        if (pairs.Count == 0)
            return context.Fail(Descriptors.NoMatchingParameters, context.Term.Location,
                context.Spec.Student.Spec.ClassName, context.Spec.Teacher.Spec.ClassName,
                string.Join(", ", student.Take(3).Select(p => $"{p.Name} {p.Shape}")),
                string.Join(", ", teacher.Take(3).Select(p => $"{p.Name} {p.Shape}")));
        return TermResult.Of(new ResolvedTerm("ParameterAnchoring", "ParameterAnchoring", context.Weight, context.Term.SourceText));
    }

    /// <summary>Every trainable parameter as TorchSharp names it in the model's state_dict, with its shape.</summary>
    internal static List<(string Name, string Shape)> ParameterShapes(ResolvedModel model)
    {
        var result = new List<(string, string)>();
        foreach (var block in model.Blocks)
        {
            for (var i = 0; i < block.Layers.Count; i++)
            {
                var layer = block.Layers[i];
                foreach (var (name, shape) in LayerCatalog.Find(layer.Layer.Kind)!.ParameterShapes(layer))
                    result.Add(($"{block.Name}.{i.ToString(CultureInfo.InvariantCulture)}.{name}", ShapeText.Format(shape.ToEquatableArray())));
            }
        }
        return result;
    }

    private static string LastBlock(ResolvedModel model) => model.Blocks[model.Blocks.Count - 1].Name;

    private static string Unique(string name, HashSet<string> names)
    {
        var candidate = name;
        for (var i = 2; !names.Add(candidate); i++) candidate = name + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }

    private sealed record TermResult(ResolvedTerm? Term, AdapterSpec? Adapter, DiagnosticInfo? Error)
    {
        public static TermResult Of(ResolvedTerm term) => new(term, null, null);
    }

    private sealed class TermContext(RecipeSpec spec, TermSpec term)
    {
        public RecipeSpec Spec { get; } = spec;
        public TermSpec Term { get; } = term;
        public double Weight => Term.Arguments.Real("Weight", 1);
        public TermResult? LastFailure { get; set; }

        public LocationInfo? LocationOf(string argument) => Term.Arguments.LocationOf(argument) ?? Term.Location;

        public TermResult Fail(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args) =>
            new(null, null, DiagnosticInfo.Create(descriptor, location, args));

        /// <summary>The weight check every term shares.</summary>
        public DiagnosticInfo? CommonProblem() =>
            Weight >= 0 && Literal.IsFinite(Weight)
                ? null
                : DiagnosticInfo.Create(Descriptors.NegativeWeight, LocationOf("Weight"), Term.Kind, Literal.Of(Weight));
    }
}
