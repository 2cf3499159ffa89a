using System.Collections.Generic;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Terms;

/// <summary>One term attribute being resolved against its recipe: its arguments, range checks and the names already taken.</summary>
internal sealed class TermContext(RecipeSpec spec, TermSpec term, HashSet<string> names)
{
    public RecipeSpec Spec { get; } = spec;
    public TermSpec Term { get; } = term;

    /// <summary>Names of the terms resolved so far (case-insensitive: they become properties and camel-cased locals).</summary>
    public HashSet<string> Names { get; } = names;

    public LocationInfo? LocationOf(string argument) => Term.Arguments.LocationOf(argument) ?? Term.Location;

    public double Real(string argument, double fallback) => Term.Arguments.Real(argument, fallback);

    public bool Bool(string argument, bool fallback) => Term.Arguments.Bool(argument, fallback);

    public TermResult Fail(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args) =>
        TermResult.Fail(DiagnosticInfo.Create(descriptor, location, args));

    /// <summary>
    /// The term's weight and tunable settings, each range-checked by its kind: a bad temperature is DKD0018, a bad weight
    /// DKD0019, anything else DKD0028; each diagnostic carries the argument, its range and the value a fix writes.
    /// </summary>
    public DiagnosticInfo? ReadSettings(TermKind kind, out EquatableArray<TermSetting> settings)
    {
        var read = new List<TermSetting>();
        settings = EquatableArray<TermSetting>.Empty;
        foreach (var rule in kind.Settings.Concat(new[] { TermKind.Weight }))
        {
            var value = Real(rule.Argument, rule.Default);
            var range = rule.Kind.Range();
            if (!range.Contains(value))
            {
                var location = LocationOf(rule.Argument);
                return rule.Kind switch
                {
                    LossSettingKind.Temperature => DiagnosticInfo.OutOfRange(Descriptors.InvalidTemperature, location, rule.Argument, range, value, rule.Fallback, Term.Kind, Literal.Of(value)),
                    LossSettingKind.Weight when rule == TermKind.Weight => DiagnosticInfo.OutOfRange(Descriptors.NegativeWeight, location, rule.Argument, range, value, rule.Fallback, Term.Kind, Literal.Of(value)),
                    _ => DiagnosticInfo.OutOfRange(Descriptors.InvalidTermArgument, location, rule.Argument, range, value, rule.Fallback, Term.Kind, Violation(rule.Argument, range, value)),
                };
            }
            read.Add(new TermSetting(rule.Argument, rule.Kind, value, rule.Meaning));
        }
        settings = read.ToEquatableArray();
        return null;
    }

    /// <summary>A fixed (not tunable) numeric argument, range-checked (DKD0028 with the argument, range and suggestion).</summary>
    public DiagnosticInfo? ReadFixed(string argument, ValueRange range, double @default, double fallback, out double value)
    {
        value = Real(argument, @default);
        return range.Contains(value)
            ? null
            : DiagnosticInfo.OutOfRange(Descriptors.InvalidTermArgument, LocationOf(argument), argument, range, value, fallback,
                Term.Kind, Violation(argument, range, value));
    }

    // Numbers in messages are written as C# would (Literal.Of), like every other DslKd message.
    private static string Violation(string argument, ValueRange range, double value) => $"{argument} must be {range.Describe()} but is {Literal.Of(value)}";
}
