using System;
using System.Collections.Generic;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Recipe;

/// <summary>
/// Checks the training-option attributes and turns them into the object-initializer lines of the generated
/// <c>DefaultOptions</c>, each with the attribute it came from. Attribute, argument and enum-member names come from the
/// runtime's own attribute and enum sources (compiled into the generator), so a rename or an inserted member cannot drift.
/// </summary>
internal static class TrainingOptionsValidator
{
    public static EquatableArray<string> Validate(EquatableArray<TermSpec> options, List<DiagnosticInfo> diagnostics)
    {
        var lines = new List<string>();
        foreach (var option in options)
        {
            var rules = new OptionRules(option, diagnostics);
            var comment = $" // [{option.SourceText}]";
            // Matched by the attribute classes' own names, so a rename in the runtime is a compile error here.
            switch (option.Kind + "Attribute")
            {
                case nameof(EpochsAttribute):
                    if (rules.Whole(nameof(EpochsAttribute.Epochs), ValueRange.AtLeastOne, fallback: 1) is { } epochs)
                        lines.Add($"Epochs = {Literal.Of(epochs)},{comment}");
                    break;
                case nameof(BatchSizeAttribute):
                    if (rules.Whole(nameof(BatchSizeAttribute.BatchSize), ValueRange.AtLeastOne, fallback: TrainingDefaults.BatchSize) /* not the nearest, 1: a batch of 1 is valid but rarely meant */ is { } batch)
                        lines.Add($"BatchSize = {Literal.Of(batch)},{comment}");
                    break;
                case nameof(SeedAttribute):
                    lines.Add($"Seed = {Literal.Of(option.Arguments.Int(nameof(SeedAttribute.Seed), 0))}L,{comment}");
                    break;
                case nameof(GradientClippingAttribute):
                    if (rules.Real(nameof(GradientClippingAttribute.MaxNorm), ValueRange.Positive, fallback: null) is { } norm)
                        lines.Add($"GradientClipNorm = {Literal.Of(norm)},{comment}");
                    break;
                case nameof(OptimizerAttribute):
                    if (Optimizer(option, rules) is { } optimizer) lines.Add($"Optimizer = {optimizer},{comment}");
                    break;
                case nameof(LearningRateScheduleAttribute):
                    if (Schedule(option, rules) is { } schedule) lines.Add($"Schedule = {schedule},{comment}");
                    break;
            }
        }
        return lines.ToEquatableArray();
    }

    private static string? Optimizer(TermSpec option, OptionRules rules)
    {
        var defaults = new OptimizerAttribute(OptimizerKind.Adam);
        if (rules.Member<OptimizerKind>(nameof(OptimizerAttribute.Kind), OptimizerKind.Adam) is not { } kind) return null;
        if (rules.Real(nameof(OptimizerAttribute.LearningRate), ValueRange.Positive, defaults.LearningRate, fallback: null) is not { } learningRate) return null;
        if (rules.Real(nameof(OptimizerAttribute.Momentum), ValueRange.Probability, defaults.Momentum, fallback: null) is not { } momentum) return null;
        var nesterov = option.Arguments.Bool(nameof(OptimizerAttribute.Nesterov), defaults.Nesterov);
        if (momentum > 0 && kind != OptimizerKind.Sgd)
            return rules.Fail(nameof(OptimizerAttribute.Momentum), $"Momentum applies to OptimizerKind.Sgd only; {kind} has its own moment estimates");
        if (nesterov && !(kind == OptimizerKind.Sgd && momentum > 0))
            return rules.Fail(nameof(OptimizerAttribute.Nesterov), "Nesterov momentum needs OptimizerKind.Sgd with Momentum > 0");
        var properties = new List<string>();
        if (momentum > 0) properties.Add($"Momentum = {Literal.Of(momentum)}");
        if (nesterov) properties.Add("Nesterov = true");
        if (option.Arguments.Has(nameof(OptimizerAttribute.WeightDecay)))
        {
            if (rules.Real(nameof(OptimizerAttribute.WeightDecay), ValueRange.NonNegative, 0, 0) is not { } decay) return null;
            properties.Add($"WeightDecay = {Literal.Of(decay)}");
        }
        var initializer = properties.Count == 0 ? "" : " { " + string.Join(", ", properties) + " }";
        return $"new global::DslKd.OptimizerSettings(global::DslKd.OptimizerKind.{kind}, {Literal.Of(learningRate)}){initializer}";
    }

    private static string? Schedule(TermSpec option, OptionRules rules)
    {
                if (rules.Member<ScheduleKind>(nameof(LearningRateScheduleAttribute.Kind), ScheduleKind.Constant) is not { } kind) return null;
        var properties = new List<string>();
        if (option.Arguments.Has(nameof(LearningRateScheduleAttribute.StepEpochs)))
        {
            if (rules.Whole(nameof(LearningRateScheduleAttribute.StepEpochs), ValueRange.AtLeastOne, fallback: null) is not { } stepEpochs) return null;
            properties.Add($"StepEpochs = {Literal.Of(stepEpochs)}");
        }
        // Only the nearest valid value is suggested (a decay above 1 becomes 1): the right schedule depends on the run.
        foreach (var (name, range) in new (string, ValueRange)[]
                 {
                     (nameof(LearningRateScheduleAttribute.Gamma), ValueRange.UnitInterval),
                     (nameof(LearningRateScheduleAttribute.MinLearningRate), ValueRange.NonNegative),
                     (nameof(LearningRateScheduleAttribute.MaxLearningRate), ValueRange.NonNegative),
                     (nameof(LearningRateScheduleAttribute.WarmupEpochs), ValueRange.Positive),
                 })
        {
            if (!option.Arguments.Has(name)) continue;
            if (rules.Real(name, range, 0, fallback: null) is not { } value) return null;
            properties.Add($"{name} = {Literal.Of(value)}");
        }
        var initializer = properties.Count == 0 ? "" : " { " + string.Join(", ", properties) + " }";
        return $"new global::DslKd.ScheduleSettings(global::DslKd.ScheduleKind.{kind}){initializer}";
    }

    /// <summary>Reads one option attribute's arguments, reporting DKD0029 (with the argument, range and suggestion) for the first bad one.</summary>
    private sealed class OptionRules(TermSpec option, List<DiagnosticInfo> diagnostics)
    {
        public string? Fail(string argument, string problem)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidTrainingOption, Location(argument), option.Kind, problem));
            return null;
        }

        public long? Whole(string argument, ValueRange range, long? fallback)
        {
            var value = option.Arguments.Int(argument, 0);
            if (range.Contains(value)) return value;
            OutOfRange(argument, range, value, fallback);
            return null;
        }

        public double? Real(string argument, ValueRange range, double @default, double? fallback)
        {
            var value = option.Arguments.Real(argument, @default);
            if (range.Contains(value)) return value;
            OutOfRange(argument, range, value, fallback);
            return null;
        }

        public double? Real(string argument, ValueRange range, double? fallback) => Real(argument, range, 0, fallback);

        /// <summary>An enum argument by member name: a value no member has (a cast) is DKD0029.</summary>
        public TEnum? Member<TEnum>(string argument, TEnum @default) where TEnum : struct, Enum
        {
            var raw = option.Arguments.Int(argument, Convert.ToInt64(@default));
            if (Enum.IsDefined(typeof(TEnum), (int)raw)) return (TEnum)Enum.ToObject(typeof(TEnum), raw);
            Fail(argument, $"unknown {typeof(TEnum).Name} {raw}");
            return null;
        }

        private void OutOfRange(string argument, ValueRange range, double value, double? fallback) =>
            diagnostics.Add(DiagnosticInfo.OutOfRange(Descriptors.InvalidTrainingOption, Location(argument), argument, range, value, fallback,
                option.Kind, Message(argument, range, value)));

        private LocationInfo? Location(string argument) => option.Arguments.LocationOf(argument) ?? option.Location;

        private static string Message(string argument, ValueRange range, double value) => argument switch
        {
            nameof(EpochsAttribute.Epochs) => $"the number of epochs must be {range.Describe()} but is {Literal.Of((long)value)}",
            nameof(BatchSizeAttribute.BatchSize) => $"the batch size must be {range.Describe()} but is {Literal.Of((long)value)}",
            _ => $"{argument} must be {range.Describe()} but is {Literal.Of(value)}",
        };
    }
}
