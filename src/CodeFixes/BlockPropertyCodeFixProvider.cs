using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace DslKd.CodeFixes;

/// <summary>
/// DKD0002: rewrites a block to <c>partial Block Name { get; }</c>, the only shape the generator implements. It adds
/// <c>partial</c>, removes <c>static</c> and every other modifier but the accessibility and <c>new</c> (<c>virtual</c>,
/// <c>required</c>, ...), a setter or init accessor, accessor bodies, an expression body and an initializer (the
/// generator writes the getter), and keeps the accessibility, attributes and comments. A block the user implemented in a
/// second part is not rewritten: the fix there is to delete that part, which the message says.
/// A property typed other than <c>Block</c> gets the type <c>Block</c>: it carries layer attributes (the generator only
/// reports such properties), so it was meant to be a block, and as declared it cannot compile anyway.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockPropertyCodeFixProvider)), Shared]
public sealed class BlockPropertyCodeFixProvider : CodeFixProvider
{
    private const string EquivalenceKey = "DslKd.PartialBlockProperty";
    private const string BlockType = "DslKd.Block";

    /// <summary>The part of DKD0002's message for a block the user implemented in a second part, which this fix leaves alone.</summary>
    internal const string SecondImplementationReason = "remove this implementation";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidBlockMember);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains(SecondImplementationReason)) continue;
            // The generator reports DKD0002 on the property's name.
            var span = diagnostic.Location.SourceSpan;
            var token = root.FindToken(span.Start);
            if (token.Span != span || token.Parent is not PropertyDeclarationSyntax property || property.Identifier != token) continue;

            var name = property.Identifier.ValueText;
            context.RegisterCodeFix(
                CodeAction.Create($"Declare '{name}' as 'partial Block {name} {{ get; }}'",
                    ct => RewriteAsync(context.Document, property, ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> RewriteAsync(Document document, PropertyDeclarationSyntax property, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return document;
        // The generator's test: the declared type, nullable annotation included, displays as DslKd.Block.
        var declared = model.GetDeclaredSymbol(property, cancellationToken)?.Type;
        var blockType = IsBlock(declared) ? null : BlockTypeSyntax(model, property.Type.SpanStart);
        return document.WithSyntaxRoot(root.ReplaceNode(property, Rewrite(property, blockType)));
    }

    /// <summary>The rewritten property; <paramref name="blockType"/> replaces the declared type when set.</summary>
    internal static PropertyDeclarationSyntax Rewrite(PropertyDeclarationSyntax property, TypeSyntax? blockType)
    {
        // The first token after the attributes keeps its leading trivia (indentation, comments), whichever token it becomes.
        var hadModifiers = property.Modifiers.Count > 0;
        var leading = hadModifiers ? property.Modifiers[0].LeadingTrivia : property.Type.GetLeadingTrivia();
        var modifiers = property.Modifiers.Where(m => KeptModifiers.Contains(m.Kind())).ToList();
        if (!modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword))) modifiers.Add(SyntaxEdits.PartialKeyword());
        modifiers[0] = modifiers[0].WithLeadingTrivia(leading);

        var type = hadModifiers ? property.Type : property.Type.WithLeadingTrivia();
        if (blockType is not null) type = blockType.WithLeadingTrivia(type.GetLeadingTrivia()).WithTrailingTrivia(type.GetTrailingTrivia());

        var result = property.WithModifiers(TokenList(modifiers)).WithType(type);
        if (IsGetOnlyWithoutBody(property)) return result;

        // Whatever ended the declaration ('}' of the accessors, or ';' after an expression body or initializer) keeps its trailing trivia.
        var end = property.SemicolonToken.IsKind(SyntaxKind.SemicolonToken) ? property.SemicolonToken : property.AccessorList!.CloseBraceToken;
        var accessors = AccessorList(
                Token(SyntaxKind.OpenBraceToken).WithTrailingTrivia(Space),
                SingletonList(AccessorDeclaration(SyntaxKind.GetAccessorDeclaration)
                    .WithSemicolonToken(Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(Space))),
                Token(SyntaxKind.CloseBraceToken).WithTrailingTrivia(end.TrailingTrivia));
        return result
            .WithIdentifier(property.Identifier.WithTrailingTrivia(Space))
            .WithExpressionBody(null)
            .WithInitializer(null)
            .WithSemicolonToken(default)
            .WithAccessorList(accessors);
    }

    /// <summary>The modifiers a block keeps: the generated implementation repeats them, and can repeat no others.</summary>
    private static readonly SyntaxKind[] KeptModifiers =
    [
        SyntaxKind.PublicKeyword, SyntaxKind.InternalKeyword, SyntaxKind.ProtectedKeyword, SyntaxKind.PrivateKeyword,
        SyntaxKind.NewKeyword, SyntaxKind.PartialKeyword,
    ];

    private static bool IsGetOnlyWithoutBody(PropertyDeclarationSyntax property) =>
        property.ExpressionBody is null
        && property.Initializer is null
        && property.AccessorList is { Accessors.Count: 1 } list
        && list.Accessors[0] is var accessor
        && accessor.IsKind(SyntaxKind.GetAccessorDeclaration)
        && accessor.Body is null
        && accessor.ExpressionBody is null
        && accessor.Modifiers.Count == 0;

    private static bool IsBlock(ITypeSymbol? type) => type?.ToDisplayString() == BlockType;

    /// <summary><c>Block</c> where that name means DslKd.Block (the usual <c>using DslKd;</c>), otherwise fully qualified.</summary>
    private static TypeSyntax BlockTypeSyntax(SemanticModel model, int position)
    {
        var simple = ParseTypeName("Block");
        var bound = model.GetSpeculativeTypeInfo(position, simple, SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
        return IsBlock(bound) ? simple : ParseTypeName("global::DslKd.Block");
    }
}
