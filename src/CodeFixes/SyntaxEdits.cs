using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace DslKd.CodeFixes;

/// <summary>Small trivia-preserving edits the fixes share.</summary>
internal static class SyntaxEdits
{
    /// <summary>
    /// Adds <c>partial</c> as the last modifier (C# wants it right before <c>class</c> or a member's type). With no
    /// modifiers, <c>partial</c> takes over the leading trivia (indentation, comments) of the token it now precedes.
    /// </summary>
    public static ClassDeclarationSyntax AddPartial(ClassDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Count > 0)
            return declaration.WithModifiers(declaration.Modifiers.Add(PartialKeyword()));
        var keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia())
            .WithModifiers(TokenList(PartialKeyword().WithLeadingTrivia(keyword.LeadingTrivia)));
    }

    public static SyntaxToken PartialKeyword() => Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(Space);
}
