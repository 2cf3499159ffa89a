using System.Linq;
using System.Threading;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators.Model;

/// <summary>Finds where an attribute argument is written, so a diagnostic can point at the argument itself.</summary>
internal static class AttributeArguments
{
    /// <summary>The location of the named argument <paramref name="name"/> (<c>Kernel = 3</c>), if written.</summary>
    public static LocationInfo? Location(AttributeData attribute, string name, CancellationToken cancellationToken) =>
        Syntax(attribute, cancellationToken)?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name) is { } argument
            ? LocationInfo.From(argument)
            : null;

    /// <summary>The location of the <paramref name="index"/>-th positional argument, if written.</summary>
    public static LocationInfo? Location(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        var positional = Syntax(attribute, cancellationToken)?.ArgumentList?.Arguments
            .Where(a => a.NameEquals is null && a.NameColon is null)
            .ToList();
        return positional is not null && index < positional.Count ? LocationInfo.From(positional[index]) : null;
    }

    /// <summary>Whether two attribute data come from the same place in the source.</summary>
    public static bool SameApplication(AttributeData a, AttributeData b) =>
        a.ApplicationSyntaxReference is { } x && b.ApplicationSyntaxReference is { } y && x.SyntaxTree == y.SyntaxTree && x.Span == y.Span;

    public static AttributeSyntax? Syntax(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
}
