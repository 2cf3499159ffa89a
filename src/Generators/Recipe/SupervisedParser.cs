using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Model;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Recipe;

/// <summary>The result of reading and checking a [Supervised&lt;TModel&gt;] declaration.</summary>
internal sealed record ValidatedSupervised(ResolvedSupervised? Recipe, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Reads and checks a [Supervised&lt;TModel&gt;] class: the model, label smoothing and training options.</summary>
internal static class SupervisedParser
{
    public static SupervisedSpec? Parse(INamedTypeSymbol type, AttributeData attribute, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        if (attribute.AttributeClass is not { TypeArguments.Length: 1 } attributeClass || attributeClass.TypeArguments[0].TypeKind == TypeKind.Error)
            return null;
        var first = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.OriginalDefinition.ToDisplayString() == attributeClass.OriginalDefinition.ToDisplayString());
        if (first is not null && !AttributeArguments.SameApplication(first, attribute)) return null;
        // A class with several declarations is reported once, by the model or the distillation pipeline.
        var kinds = KnownNames.DeclarationKinds(type);
        if (kinds.Contains("model") || kinds.Contains("distillation") || DeclarationChecks.IsIncomplete(type)) return null;
        var classLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        var attributeLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        if (RecipeParser.Unsupported(type, RecipeParser.Supervised, classLocation, cancellationToken) is { } unsupported)
        {
            diagnostics.Add(unsupported);
            return null;
        }
        var model = RecipeParser.ResolveModel(attributeClass.TypeArguments[0], "model", type.Name, attributeLocation, diagnostics, cancellationToken);
        if (model is null || RecipeParser.ModelNameClash(model, "model", RecipeParser.Supervised, type, attributeLocation, diagnostics)) return null;

        var arguments = AttributeArgumentsReader.ReadArguments(attribute, cancellationToken) ?? EquatableArray<AttributeArgument>.Empty;
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return new SupervisedSpec(ns, type.Name, model, arguments, TrainingOptionsReader.Read(type, cancellationToken), classLocation, attributeLocation);
    }

    public static ValidatedSupervised Validate(SupervisedSpec spec, List<DiagnosticInfo> diagnostics)
    {
        const string argument = nameof(SupervisedAttribute<object>.LabelSmoothing);
        var smoothing = spec.Arguments.Real(argument, new SupervisedAttribute<object>().LabelSmoothing);
        if (!ValueRange.Probability.Contains(smoothing))
            diagnostics.Add(DiagnosticInfo.OutOfRange(Descriptors.InvalidTermArgument, spec.Arguments.LocationOf(argument) ?? spec.AttributeLocation,
                argument, ValueRange.Probability, smoothing, Terms.HardLabelsTerm.UsualLabelSmoothing,
                "Supervised", $"{argument} must be {ValueRange.Probability.Describe()} but is {Emit.Literal.Of(smoothing)}"));
        if (spec.Model.OutputShape.Count != 1)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.FeatureRankMismatch, spec.AttributeLocation, "Supervised",
                $"cross-entropy needs class scores [classes], but '{spec.Model.Spec.ClassName}' outputs {ShapeText.Format(spec.Model.OutputShape)}"));
        var training = TrainingOptionsValidator.Validate(spec.TrainingOptions, diagnostics);
        var all = diagnostics.ToEquatableArray();
        return diagnostics.Count > 0
            ? new ValidatedSupervised(null, all)
            : new ValidatedSupervised(new ResolvedSupervised(spec, smoothing, training), all);
    }
}
