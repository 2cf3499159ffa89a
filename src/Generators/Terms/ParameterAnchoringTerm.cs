using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Layers;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>[ParameterAnchoring]: squared distance between the parameters with the same state_dict name and shape.</summary>
internal sealed class ParameterAnchoringTerm : TermKind
{
    public override string Name => KindOf(nameof(ParameterAnchoringAttribute));
    public override TermInput Consumes => TermInput.Parameters;

    public override TermResult Resolve(TermContext context)
    {
        var teacher = ParameterShapes(context.Spec.Teacher);
        var student = ParameterShapes(context.Spec.Student);
        var pairs = Pairs(context.Spec);
        if (pairs.Count == 0)
            return context.Fail(Descriptors.NoMatchingParameters, context.Term.Location,
                context.Spec.Student.Spec.ClassName, context.Spec.Teacher.Spec.ClassName,
                string.Join(", ", student.Take(3).Select(p => $"{p.Name} {p.Shape}")),
                string.Join(", ", teacher.Take(3).Select(p => $"{p.Name} {p.Shape}")));
        if (context.ReadSettings(this, out var settings) is { } error) return TermResult.Fail(error);
        return TermResult.Of(new ResolvedTerm(Name, Name, context.Term.SourceText, settings, EquatableArray<string>.Empty));
    }

    public override string Call(ResolvedTerm term) => $"{Losses}.ParameterAnchoring(_anchoredPairs)";

    /// <summary>The student's parameters that the teacher has too, with the same name and shape.</summary>
    public static EquatableArray<ParameterPair> Pairs(RecipeSpec spec)
    {
        var teacher = ParameterShapes(spec.Teacher);
        return ParameterShapes(spec.Student)
            .Where(s => teacher.Any(t => t.Name == s.Name && t.Shape == s.Shape))
            .Select(s => new ParameterPair(s.Name, s.Shape))
            .ToEquatableArray();
    }

    /// <summary>Every trainable parameter as TorchSharp names it in the model's state_dict, with its shape.</summary>
    internal static List<(string Name, string Shape)> ParameterShapes(ResolvedModel model)
    {
        var result = new List<(string, string)>();
        foreach (var block in model.Blocks)
        {
            foreach (var (path, layer) in block.NamedLayers())
            {
                foreach (var (name, shape) in LayerCatalog.Find(layer.Layer.Kind)!.ParameterShapes(layer))
                    result.Add(($"{path}.{name}", ShapeText.Format(shape.ToEquatableArray())));
            }
        }
        return result;
    }
}
