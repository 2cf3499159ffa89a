using System.Collections.Generic;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Recipe;

/// <summary>
/// Checks the training-option attributes and turns them into the object-initializer lines of the generated
/// <c>DefaultOptions</c>, each with the attribute it came from.
/// </summary>
internal static class TrainingOptionsValidator
{
    private static readonly string[] OptimizerKinds = ["Sgd", "Adam", "AdamW"];
    private static readonly string[] ScheduleKinds = ["Constant", "Step", "Cosine", "OneCycle", "LinearWarmup"];

    public static EquatableArray<string> Validate(EquatableArray<TermSpec> options, List<DiagnosticInfo> diagnostics)
    {
        var lines = new List<string>();
        foreach (var option in options)
        {
            var a = option.Arguments;
            var comment = $" // [{option.SourceText}]";
            string? Fail(string argument, string problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidTrainingOption, a.LocationOf(argument) ?? option.Location, option.Kind, problem));
                return null;
            }

            switch (option.Kind)
            {
                case "Epochs":
                    var epochs = a.Int("Epochs", 0);
                    if (epochs <= 0) { Fail("Epochs", $"the number of epochs must be at least 1 but is {epochs}"); break; }
                    lines.Add($"Epochs = {Literal.Of(epochs)},{comment}");
                    break;
                case "BatchSize":
                    var batch = a.Int("BatchSize", 0);
                    if (batch <= 0) { Fail("BatchSize", $"the batch size must be at least 1 but is {batch}"); break; }
                    lines.Add($"BatchSize = {Literal.Of(batch)},{comment}");
                    break;
                case "Seed":
                    lines.Add($"Seed = {Literal.Of(a.Int("Seed", 0))}L,{comment}");
                    break;
                case "GradientClipping":
                    var norm = a.Real("MaxNorm", 0);
                    if (!(norm > 0 && Literal.IsFinite(norm))) { Fail("MaxNorm", $"the maximum gradient norm must be positive but is {Literal.Of(norm)}"); break; }
                    lines.Add($"GradientClipNorm = {Literal.Of(norm)},{comment}");
                    break;
                case "Optimizer":
                    if (Optimizer(option, Fail) is { } optimizer) lines.Add($"Optimizer = {optimizer},{comment}");
                    break;
                case "LearningRateSchedule":
                    if (Schedule(option, Fail) is { } schedule) lines.Add($"Schedule = {schedule},{comment}");
                    break;
            }
        }
        return lines.ToEquatableArray();
    }

    private static string? Optimizer(TermSpec option, System.Func<string, string, string?> fail)
    {
        var a = option.Arguments;
        var kindIndex = a.Int("Kind", 1);
        if (kindIndex < 0 || kindIndex >= OptimizerKinds.Length) return fail("Kind", $"unknown optimizer kind {kindIndex}");
        var kind = OptimizerKinds[kindIndex];
        var learningRate = a.Real("LearningRate", 1e-3);
        var momentum = a.Real("Momentum", 0);
        var nesterov = a.Bool("Nesterov", false);
        if (!(learningRate > 0 && Literal.IsFinite(learningRate))) return fail("LearningRate", $"the learning rate must be positive but is {Literal.Of(learningRate)}");
        if (!(momentum >= 0 && momentum < 1)) return fail("Momentum", $"the momentum must be in [0, 1) but is {Literal.Of(momentum)}");
        if (momentum > 0 && kind != "Sgd") return fail("Momentum", $"Momentum applies to OptimizerKind.Sgd only; {kind} has its own moment estimates");
        if (nesterov && !(kind == "Sgd" && momentum > 0)) return fail("Nesterov", "Nesterov momentum needs OptimizerKind.Sgd with Momentum > 0");
        var properties = new List<string>();
        if (momentum > 0) properties.Add($"Momentum = {Literal.Of(momentum)}");
        if (nesterov) properties.Add("Nesterov = true");
        if (a.Has("WeightDecay"))
        {
            var decay = a.Real("WeightDecay", 0);
            if (!(decay >= 0 && Literal.IsFinite(decay))) return fail("WeightDecay", $"the weight decay must not be negative but is {Literal.Of(decay)}");
            properties.Add($"WeightDecay = {Literal.Of(decay)}");
        }
        var initializer = properties.Count == 0 ? "" : " { " + string.Join(", ", properties) + " }";
        return $"new global::DslKd.OptimizerSettings(global::DslKd.OptimizerKind.{kind}, {Literal.Of(learningRate)}){initializer}";
    }

    private static string? Schedule(TermSpec option, System.Func<string, string, string?> fail)
    {
        var a = option.Arguments;
        var kindIndex = a.Int("Kind", 0);
        if (kindIndex < 0 || kindIndex >= ScheduleKinds.Length) return fail("Kind", $"unknown schedule kind {kindIndex}");
        var properties = new List<string>();
        if (a.Has("StepEpochs"))
        {
            var stepEpochs = a.Int("StepEpochs", 1);
            if (stepEpochs <= 0) return fail("StepEpochs", $"StepEpochs must be at least 1 but is {stepEpochs}");
            properties.Add($"StepEpochs = {Literal.Of(stepEpochs)}");
        }
        foreach (var (name, rule, ok) in new (string, string, System.Func<double, bool>)[]
                 {
                     ("Gamma", "must be in (0, 1]", g => g > 0 && g <= 1),
                     ("MinLearningRate", "must not be negative", v => v >= 0 && Literal.IsFinite(v)),
                     ("MaxLearningRate", "must not be negative", v => v >= 0 && Literal.IsFinite(v)),
                     ("WarmupEpochs", "must be positive", v => v > 0 && Literal.IsFinite(v)),
                 })
        {
            if (!a.Has(name)) continue;
            var value = a.Real(name, 0);
            if (!ok(value)) return fail(name, $"{name} {rule} but is {Literal.Of(value)}");
            properties.Add($"{name} = {Literal.Of(value)}");
        }
        var initializer = properties.Count == 0 ? "" : " { " + string.Join(", ", properties) + " }";
        return $"new global::DslKd.ScheduleSettings(global::DslKd.ScheduleKind.{ScheduleKinds[kindIndex]}){initializer}";
    }
}
