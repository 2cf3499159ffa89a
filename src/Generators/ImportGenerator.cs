using System.Linq;
using DslKd.Generators.Import;
using DslKd.Generators.Model;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators;

/// <summary>
/// Compile-time checks for PyTorch weights and recipes: a model's [PyTorchName] rules against its declaration, its
/// [PretrainedWeights] file's safetensors header (passed as text by DslKd's build targets) against its tensors, and a
/// distillation recipe's teacher and student input shapes. Reports diagnostics only; emits no code.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ImportGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, asserted by the caching tests.</summary>
    public static class Steps
    {
        public const string ImportSpecs = nameof(ImportSpecs);
        public const string WeightsHeaders = nameof(WeightsHeaders);
        public const string ImportDiagnostics = nameof(ImportDiagnostics);
        public const string RecipeInputs = nameof(RecipeInputs);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var headers = context.AdditionalTextsProvider
            .Where(static text => WeightsHeaderReader.IsCandidate(text))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => WeightsHeaderReader.Read(pair.Left, pair.Right, cancellationToken))
            .Where(static header => header is not null)
            .Select(static (header, _) => header!)
            .WithTrackingName(Steps.WeightsHeaders)
            .Collect()
            .Select(static (all, _) => all.ToEquatableArray());

        foreach (var roleAttribute in KnownNames.RoleAttributes)
        {
            var specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    roleAttribute,
                    predicate: static (node, _) => node is TypeDeclarationSyntax,
                    transform: (syntaxContext, cancellationToken) =>
                        ImportParser.Parse((INamedTypeSymbol)syntaxContext.TargetSymbol, roleAttribute, cancellationToken))
                .Where(static spec => spec is not null)
                .WithTrackingName(Steps.ImportSpecs);

            var diagnostics = specs
                .Combine(headers)
                .Select(static (pair, _) => ImportChecker.Check(pair.Left!, pair.Right))
                .WithTrackingName(Steps.ImportDiagnostics);

            context.RegisterSourceOutput(diagnostics, static (production, found) =>
            {
                foreach (var diagnostic in found) production.ReportDiagnostic(diagnostic.ToDiagnostic());
            });
        }

        var recipes = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.DistillationAttribute,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) =>
                    ImportParser.ParseRecipe((INamedTypeSymbol)syntaxContext.TargetSymbol, syntaxContext.Attributes[0], cancellationToken))
            .Where(static recipe => recipe is not null)
            .Select(static (recipe, _) => ImportChecker.CheckRecipe(recipe!))
            .WithTrackingName(Steps.RecipeInputs);

        context.RegisterSourceOutput(recipes, static (production, found) =>
        {
            foreach (var diagnostic in found) production.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
    }
}
