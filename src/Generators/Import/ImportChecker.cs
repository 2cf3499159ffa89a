using System;
using System.Collections.Generic;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Import;

/// <summary>
/// The compile-time import checks of one model: each [PyTorchName] rule is well formed (DKD0040) and names layers with
/// tensors (DKD0041); the [PretrainedWeights] file is part of the build (DKD0042, a warning) and readable (DKD0047); and
/// every tensor fits, under the mapped names (DKD0043 missing, DKD0044 unexpected, DKD0045 shape, DKD0048 two onto one),
/// with the same lines <c>PyTorchWeights.Load</c> reports at run time (both use <see cref="WeightsComparison"/>).
/// </summary>
internal static class ImportChecker
{
    public static EquatableArray<DiagnosticInfo> Check(ImportSpec spec, EquatableArray<WeightsHeader> headers)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var rules = new List<TensorNameRule>();
        foreach (var rule in spec.Rules)
        {
            if (TensorNameRule.Problem(rule.PyTorch, rule.DslKd) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidTensorNameRule, rule.Location, rule.PyTorch, rule.DslKd, spec.ModelName, problem));
                continue;
            }
            var parsed = new TensorNameRule(rule.PyTorch, rule.DslKd);
            rules.Add(parsed);
            if (spec.Resolved && !spec.Tensors.Any(t => parsed.DslKdMatches(t.Name)) && !spec.UnknownLayers.Any(parsed.DslKdMatches))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.TensorNameRuleMatchesNothing, rule.Location, rule.PyTorch, rule.DslKd,
                    spec.ModelName, LayersWithTensors(spec)));
        }
        // A broken rule would mis-map names: the file check waits until every rule is sound, and the model resolved.
        if (spec.WeightsPath is not { } path || diagnostics.Count > 0 || !spec.Resolved) return diagnostics.ToEquatableArray();

        var header = headers.FirstOrDefault(h => WeightsHeaderReader.Matches(h, path));
        if (header is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.WeightsFileNotInBuild, spec.WeightsLocation, spec.ModelName, path));
            return diagnostics.ToEquatableArray();
        }
        if (header.Error is { } error)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.WeightsHeaderUnreadable, spec.WeightsLocation, spec.ModelName, path, error));
            return diagnostics.ToEquatableArray();
        }

        var map = new TensorNameMap(rules);
        var unknown = spec.UnknownLayers;
        var problems = WeightsComparison.Compare(spec.Tensors.Select(t => t.ToEntry()), header.Tensors.Select(t => t.ToEntry()), map,
            unknown.Count == 0 ? null : name => unknown.Any(layer => name.StartsWith(layer + ".", StringComparison.Ordinal)));
        foreach (var problem in problems)
        {
            var descriptor = problem.Kind switch
            {
                WeightsProblemKind.Missing => Descriptors.WeightsTensorMissing,
                WeightsProblemKind.Unexpected => Descriptors.WeightsTensorUnexpected,
                WeightsProblemKind.ShapeDiffers => Descriptors.WeightsTensorShapeDiffers,
                _ => Descriptors.WeightsTensorsCollide,
            };
            diagnostics.Add(DiagnosticInfo.Create(descriptor, spec.WeightsLocation, path, spec.ModelName, problem.Text));
        }
        return diagnostics.ToEquatableArray();
    }

    public static EquatableArray<DiagnosticInfo> CheckRecipe(RecipeInputs recipe)
    {
        if (recipe.TeacherShape.Count == 0 || recipe.StudentShape.Count == 0 || recipe.TeacherShape.Equals(recipe.StudentShape))
            return EquatableArray<DiagnosticInfo>.Empty;
        return EquatableArray.Of(DiagnosticInfo.Create(Descriptors.TeacherAndStudentInputsDiffer, recipe.Location,
            recipe.Recipe, recipe.Teacher, Text(recipe.TeacherShape), recipe.Student, Text(recipe.StudentShape)));
    }

    private static string Text(EquatableArray<long> shape) => "[" + string.Join(", ", shape) + "]";

    private static string LayersWithTensors(ImportSpec spec)
    {
        var layers = spec.Tensors.Select(t => t.Name.Substring(0, t.Name.LastIndexOf('.'))).Concat(spec.UnknownLayers).Distinct().ToList();
        const int shown = 12;
        return string.Join(", ", layers.Take(shown)) + (layers.Count > shown ? $" and {layers.Count - shown} more" : "");
    }
}
