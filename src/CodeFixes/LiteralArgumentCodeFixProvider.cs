using System;
using System.Collections.Generic;
using System.Globalization;
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
/// An attribute argument a diagnostic points at: the DslKd attribute it belongs to, its name as the generator knows it
/// (the property name; a constructor parameter <c>probability</c> is <c>Probability</c>), and its literal value.
/// </summary>
public sealed class LiteralArgument
{
    internal LiteralArgument(INamedTypeSymbol attributeClass, string name, ExpressionSyntax expression, double value)
    {
        AttributeClass = attributeClass;
        Name = name;
        Expression = expression;
        Value = value;
    }

    /// <summary>The attribute class, e.g. <c>DslKd.SoftTargetsAttribute</c>.</summary>
    public INamedTypeSymbol AttributeClass { get; }

    /// <summary>The attribute name without <c>Attribute</c> and type arguments: <c>SoftTargets</c>, <c>Supervised</c>.</summary>
    public string AttributeName => AttributeClass.Name.EndsWith("Attribute", StringComparison.Ordinal)
        ? AttributeClass.Name.Substring(0, AttributeClass.Name.Length - "Attribute".Length)
        : AttributeClass.Name;

    /// <summary>The argument's name: <c>Temperature</c>, <c>Probability</c>, <c>Epochs</c>.</summary>
    public string Name { get; }

    /// <summary>The literal as written: <c>1.5</c>, <c>-0.5</c>.</summary>
    public ExpressionSyntax Expression { get; }

    /// <summary>Its value.</summary>
    public double Value { get; }
}

/// <summary>
/// Base of the fixes that replace an out-of-range hyper-parameter with a valid one. The generator reports these on the
/// argument (<c>Temperature = 0</c>, or the <c>1.5</c> of <c>Dropout(1.5)</c>), or on the whole attribute when the
/// argument is written in a way it cannot point at (<c>Dropout(probability: 1.5)</c>). A fix is offered only when the
/// argument is a numeric literal, possibly negated: a constant or an expression is left to the user.
/// </summary>
public abstract class LiteralArgumentCodeFixProvider : CodeFixProvider
{
    private const string DslKdNamespace = "DslKd";

    /// <summary>
    /// The replacement for an argument whose diagnostic carries no suggestion: null (no fix) unless a provider knows one.
    /// The generator's range checks put the argument and the value to write in the diagnostic's properties
    /// (<c>Argument</c>, <c>Suggested</c>), so providers do not guess which rule failed.
    /// </summary>
    protected virtual double? Replacement(LiteralArgument argument) => null;

    private double? Replacement(LiteralArgument argument, Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue("Argument", out var name) && name is not null
            ? name == argument.Name && diagnostic.Properties.TryGetValue("Suggested", out var suggested)
              && double.TryParse(suggested, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : null
            : Replacement(argument);

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            foreach (var argument in Candidates(root, model, diagnostic.Location.SourceSpan, context.CancellationToken))
            {
                if (Replacement(argument, diagnostic) is not { } value) continue;
                var literal = LiteralText(value);
                context.RegisterCodeFix(
                    CodeAction.Create($"Set {argument.Name} to {literal}",
                        ct => ReplaceAsync(context.Document, argument.Expression, value, ct),
                        // One key per fix and argument, whatever the value, so Fix All fixes every occurrence.
                        $"DslKd.{diagnostic.Id}.{argument.Name}"),
                    diagnostic);
                break; // one fix per diagnostic
            }
        }
    }

    /// <summary>The arguments the diagnostic's span designates: the argument itself, or every argument of the attribute.</summary>
    private static IEnumerable<LiteralArgument> Candidates(SyntaxNode root, SemanticModel model, Microsoft.CodeAnalysis.Text.TextSpan span,
        CancellationToken cancellationToken)
    {
        if (span.IsEmpty || !root.FullSpan.Contains(span)) yield break;
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        var argumentSyntax = node.FirstAncestorOrSelf<AttributeArgumentSyntax>();
        var attributeSyntax = node.FirstAncestorOrSelf<AttributeSyntax>();
        if (attributeSyntax is null) yield break;

        IEnumerable<AttributeArgumentSyntax> arguments;
        if (argumentSyntax is not null && argumentSyntax.Span == span) arguments = [argumentSyntax];
        else if (attributeSyntax.Span == span) arguments = attributeSyntax.ArgumentList?.Arguments ?? default(SeparatedSyntaxList<AttributeArgumentSyntax>);
        else yield break;

        if (model.GetSymbolInfo(attributeSyntax, cancellationToken).Symbol is not IMethodSymbol constructor) yield break;
        var attributeClass = constructor.ContainingType;
        if (attributeClass.ContainingNamespace?.ToDisplayString() != DslKdNamespace) yield break;

        foreach (var argument in arguments)
        {
            if (Name(argument, attributeSyntax, constructor) is not { } name) continue;
            if (NumericLiteral(argument.Expression) is not { } value) continue;
            yield return new LiteralArgument(attributeClass, name, argument.Expression, value);
        }
    }

    /// <summary>The argument's name as the generator reads it: a property name, or a constructor parameter's in PascalCase.</summary>
    private static string? Name(AttributeArgumentSyntax argument, AttributeSyntax attribute, IMethodSymbol constructor)
    {
        if (argument.NameEquals is { } nameEquals) return nameEquals.Name.Identifier.ValueText;
        string? parameter;
        if (argument.NameColon is { } nameColon)
        {
            parameter = nameColon.Name.Identifier.ValueText;
        }
        else
        {
            var index = attribute.ArgumentList!.Arguments.IndexOf(argument);
            parameter = index >= 0 && index < constructor.Parameters.Length ? constructor.Parameters[index].Name : null;
        }
        return string.IsNullOrEmpty(parameter) ? null : char.ToUpperInvariant(parameter![0]) + parameter.Substring(1);
    }

    /// <summary>The value of <c>1.5</c>, <c>-1</c>, <c>+2e-3</c>; null for anything else (constants, expressions, NaN).</summary>
    private static double? NumericLiteral(ExpressionSyntax expression)
    {
        var sign = 1.0;
        if (expression is PrefixUnaryExpressionSyntax unary && unary.IsKind(SyntaxKind.UnaryMinusExpression)) { sign = -1; expression = unary.Operand; }
        else if (expression is PrefixUnaryExpressionSyntax plus && plus.IsKind(SyntaxKind.UnaryPlusExpression)) expression = plus.Operand;
        if (expression is not LiteralExpressionSyntax literal || !literal.IsKind(SyntaxKind.NumericLiteralExpression)) return null;
        return literal.Token.Value switch
        {
            int i => sign * i,
            long l => sign * l,
            uint u => sign * u,
            ulong ul => sign * ul,
            double d => sign * d,
            float f => sign * f,
            decimal m => sign * (double)m,
            _ => null,
        };
    }

    /// <summary>0, 1, 128 as integers (they convert to double parameters too); 0.5, 0.1 as written.</summary>
    internal static string LiteralText(double value) =>
        Math.Abs(value) < int.MaxValue && value == Math.Floor(value)
            ? ((int)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    private static async Task<Document> ReplaceAsync(Document document, ExpressionSyntax expression, double value, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        var text = LiteralText(value);
        var token = text.Contains(".") ? Literal(text, value) : Literal(text, (int)value);
        var replacement = LiteralExpression(SyntaxKind.NumericLiteralExpression, token).WithTriviaFrom(expression);
        return document.WithSyntaxRoot(root.ReplaceNode(expression, replacement));
    }
}
