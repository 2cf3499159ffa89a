using System.Collections.Generic;
using DslKd.Generators.Emit;
using DslKd.Generators.Model;
using DslKd.Generators.Recipe;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators;

/// <summary>
/// Turns [Distillation&lt;TTeacher, TStudent&gt;] classes into recipe modules: parse (resolving both models from their
/// symbols), validate (every term against the models' compile-time shapes), emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RecipeGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, asserted by the caching tests.</summary>
    public static class Steps
    {
        public const string ParsedRecipes = nameof(ParsedRecipes);
        public const string ValidatedRecipes = nameof(ValidatedRecipes);
        public const string RecipeDiagnostics = nameof(RecipeDiagnostics);
        public const string ValidatedSupervised = nameof(ValidatedSupervised);
        public const string SupervisedDiagnostics = nameof(SupervisedDiagnostics);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var validated = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.DistillationAttribute,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) =>
                    RecipeParser.Parse((INamedTypeSymbol)syntaxContext.TargetSymbol, syntaxContext.Attributes[0], cancellationToken))
            .Where(static parsed => parsed is not null)
            .WithTrackingName(Steps.ParsedRecipes)
            .Select(static (parsed, _) => RecipeValidator.Validate(parsed!))
            .WithTrackingName(Steps.ValidatedRecipes);

        context.RegisterSourceOutput(
            validated.Select(static (recipe, _) => recipe.Diagnostics).WithTrackingName(Steps.RecipeDiagnostics),
            static (production, diagnostics) =>
            {
                foreach (var diagnostic in diagnostics) production.ReportDiagnostic(diagnostic.ToDiagnostic());
            });

        context.RegisterSourceOutput(validated, static (production, recipe) =>
        {
            if (recipe.Recipe is { } resolved)
                production.AddSource(RecipeEmitter.HintName(resolved.Spec), RecipeEmitter.Emit(resolved));
        });

        var supervised = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.SupervisedAttribute,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) =>
                {
                    var diagnostics = new List<DiagnosticInfo>();
                    var spec = SupervisedParser.Parse((INamedTypeSymbol)syntaxContext.TargetSymbol, syntaxContext.Attributes[0], diagnostics, cancellationToken);
                    return spec is null
                        ? new ValidatedSupervised(null, diagnostics.ToEquatableArray())
                        : SupervisedParser.Validate(spec, diagnostics);
                })
            .WithTrackingName(Steps.ValidatedSupervised);

        context.RegisterSourceOutput(
            supervised.Select(static (recipe, _) => recipe.Diagnostics).WithTrackingName(Steps.SupervisedDiagnostics),
            static (production, diagnostics) =>
            {
                foreach (var diagnostic in diagnostics) production.ReportDiagnostic(diagnostic.ToDiagnostic());
            });

        context.RegisterSourceOutput(supervised, static (production, recipe) =>
        {
            if (recipe.Recipe is { } resolved)
                production.AddSource(SupervisedEmitter.HintName(resolved.Spec), SupervisedEmitter.Emit(resolved));
        });
    }
}
