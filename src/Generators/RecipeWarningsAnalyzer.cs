using System.Collections.Immutable;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Model;
using DslKd.Generators.Recipe;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslKd.Generators;

/// <summary>
/// Reports the recipe warnings (DKD0023, DKD0024). They do not change the generated code, so they live in an analyzer,
/// whose source locations '#pragma warning disable' and [SuppressMessage] can suppress, unlike a generator's.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RecipeWarningsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.SameTeacherAndStudent, Descriptors.StudentNotSmaller);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var attribute = type.GetAttributes().FirstOrDefault(a =>
            a.AttributeClass is { } c && KnownNames.MetadataNameOf(c) == KnownNames.DistillationAttribute);
        if (attribute is null) return;

        var parsed = RecipeParser.Parse(type, attribute, context.CancellationToken);
        if (parsed?.Spec is not { } spec) return;
        var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation();
        foreach (var warning in RecipeValidator.Warnings(spec))
            context.ReportDiagnostic(Diagnostic.Create(warning.Descriptor, location, warning.MessageArgs.Cast<object>().ToArray()));
    }
}
