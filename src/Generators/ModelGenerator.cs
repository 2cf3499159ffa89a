using System.Linq;
using DslKd.Generators.Emit;
using DslKd.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators;

/// <summary>
/// Turns classes marked [Teacher], [Student] or [Model] into TorchSharp modules: parse (symbols to an equatable spec),
/// validate (shape inference), emit. Diagnostics travel beside the spec and are reported in their own output.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, asserted by the caching tests.</summary>
    public static class Steps
    {
        public const string ParsedModels = nameof(ParsedModels);
        public const string ValidatedModels = nameof(ValidatedModels);
        public const string ModelDiagnostics = nameof(ModelDiagnostics);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        foreach (var roleAttribute in KnownNames.RoleAttributes)
        {
            var validated = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    roleAttribute,
                    predicate: static (node, _) => node is TypeDeclarationSyntax,
                    transform: (syntaxContext, cancellationToken) =>
                        ModelParser.Parse((INamedTypeSymbol)syntaxContext.TargetSymbol, roleAttribute, cancellationToken, syntaxContext.Attributes[0]))
                .Where(static parsed => parsed is not null)
                .WithTrackingName(Steps.ParsedModels)
                .Select(static (parsed, _) => ModelValidator.Validate(parsed!))
                .WithTrackingName(Steps.ValidatedModels);

            context.RegisterSourceOutput(
                validated.Select(static (model, _) => model.Diagnostics).WithTrackingName(Steps.ModelDiagnostics),
                static (production, diagnostics) =>
                {
                    foreach (var diagnostic in diagnostics) production.ReportDiagnostic(diagnostic.ToDiagnostic());
                });

            context.RegisterSourceOutput(validated, static (production, model) =>
            {
                if (model.Model is { } resolved)
                    production.AddSource(ModelEmitter.HintName(resolved.Spec), ModelEmitter.Emit(resolved));
                else if (model.Spec is { } spec && spec.Blocks.Any())
                    production.AddSource(ModelEmitter.HintName(spec), ModelEmitter.EmitPlaceholder(spec));
            });
        }
    }
}
