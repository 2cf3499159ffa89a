using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.CodeFixes;

/// <summary>
/// DKD0001 (a model class that is not partial) and DKD0027 when its reason is that the recipe class is not partial:
/// adds <c>partial</c> as the last modifier, where C# requires it (<c>public sealed partial class Mlp</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    private const string EquivalenceKey = "DslKd.MakePartial";

    /// <summary>The part of DKD0027's message that says the recipe is only missing 'partial'; its other reasons are not fixed here.</summary>
    internal const string NotPartialReason = "it is not 'partial'";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.ModelMustBePartial, DiagnosticIds.UnsupportedRecipeDeclaration);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.Id == DiagnosticIds.UnsupportedRecipeDeclaration
                && !diagnostic.GetMessage(CultureInfo.InvariantCulture).Contains(NotPartialReason))
                continue;
            // The generator reports both on the class name.
            var span = diagnostic.Location.SourceSpan;
            var token = root.FindToken(span.Start);
            if (token.Span != span || token.Parent is not ClassDeclarationSyntax declaration || declaration.Identifier != token) continue;
            if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) continue;

            var name = declaration.Identifier.ValueText;
            context.RegisterCodeFix(
                CodeAction.Create($"Make '{name}' partial", ct => AddPartialAsync(context.Document, declaration, ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> AddPartialAsync(Document document, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, SyntaxEdits.AddPartial(declaration)));
    }
}
