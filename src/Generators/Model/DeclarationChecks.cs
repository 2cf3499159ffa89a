using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators.Model;

/// <summary>
/// Checks shared by models and recipes: whether the generated part can join the user's class at all (its shape, its
/// name, the members the user wrote beside the generated ones). Each problem is a reason for the declaration's
/// DKD0008 or DKD0027 message, with the location of the line that causes it.
/// </summary>
internal static class DeclarationChecks
{
    /// <summary>A reason the generated part cannot join the class, and where the user wrote what causes it.</summary>
    internal sealed record Problem(string Reason, LocationInfo? Location);

    /// <summary>
    /// Whether the declaration is still being typed so far that its class or namespace has no name: nothing is reported or
    /// generated for it, the compiler's own error is enough.
    /// </summary>
    public static bool IsIncomplete(INamedTypeSymbol type)
    {
        if (type.Name.Length == 0) return true;
        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (ns.Name.Length == 0) return true;
        }
        return false;
    }

    /// <summary>
    /// Problems of the class declaration itself, reported on its name: a file-local class, an accessibility a class in a
    /// namespace cannot have, a name the generated code needs for something else, a primary constructor.
    /// </summary>
    /// <param name="type">The model or recipe class.</param>
    /// <param name="what">"model", "distillation recipe" or "supervised recipe", for the messages.</param>
    /// <param name="generated">The members the generated part declares in every such class.</param>
    /// <param name="cancellationToken">Cancels the syntax lookups.</param>
    public static string? ClassProblem(INamedTypeSymbol type, string what, IReadOnlyList<GeneratedMembers.Member> generated, CancellationToken cancellationToken)
    {
        if (type.IsFileLocal)
            return "it is a file-local class ('file'), which the generated part, in another file, cannot extend; remove 'file'";
        if (type.ContainingType is null && type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.NotApplicable))
            return "a class declared in a namespace is 'public' or 'internal'; change its accessibility";
        if (type.ContainingNamespace is { IsGlobalNamespace: true } && GeneratedMembers.Namespaces.Contains(type.Name))
            return $"in the global namespace, a class named '{type.Name}' hides the namespace the generated code refers to as 'global::{type.Name}'; declare it in a namespace or rename it";
        if (GeneratedMembers.Keywords.Contains(type.Name))
            return $"the generated code uses '{type.Name}' as a keyword, which a class of that name would take over; rename the class";
        if (generated.FirstOrDefault(m => m.Declared && !m.IsConstructor && m.Name == type.Name) is { } member)
            return $"the generated code declares {(member.IsType ? "a nested type" : "a member")} '{type.Name}' in every {what}, and a member cannot have its class's name; rename the class";
        if (type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().Any(t => t.ParameterList is not null))
            return "it has a primary constructor, but the generated part declares the constructor; remove the parameter list after the class name";
        return null;
    }

    /// <summary>
    /// The first member the user wrote that takes a name the generated part declares or relies on (<paramref name="derived"/>:
    /// names derived from the declaration, such as block fields, with what they are for), or a constructor that bypasses
    /// the generated one. Members declared only in generated files are not the user's (the warnings analyzer sees them).
    /// </summary>
    public static Problem? MemberProblem(INamedTypeSymbol type, string what, IReadOnlyList<GeneratedMembers.Member> generated,
        IReadOnlyDictionary<string, string> derived, string constructorDuty, System.Func<ISymbol, bool> isChecked, CancellationToken cancellationToken)
    {
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.IsImplicitlyDeclared || !isChecked(member) || UserLocation(member) is not { } location) continue;
            var name = member is IMethodSymbol { MethodKind: MethodKind.Constructor } ? GeneratedMembers.Constructor : member.Name;

            foreach (var candidate in generated.Where(m => m.Name == name))
            {
                if (candidate.Parameters is { } parameters && member is IMethodSymbol method && !SameParameters(method, parameters))
                    continue; // an overload
                var reason = candidate.IsConstructor
                    ? "it declares a constructor with the parameters of the generated one; remove it"
                    : candidate.UsedBecause is { } because
                        ? $"it declares '{member.Name}', {because}; rename it"
                        : $"it declares '{member.Name}', which the generator adds to every {what}; rename it";
                return new Problem(reason, location);
            }
            if (derived.TryGetValue(member.Name, out var purpose))
                return new Problem($"it declares '{member.Name}', {purpose}; rename it", location);

            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false } constructor && !ChainsToAnother(constructor, cancellationToken))
                return new Problem($"its constructor does not call the generated one, so {constructorDuty}; chain it with ': this(...)' or remove it", location);
        }
        return null;
    }

    /// <summary>Whether a file is one the generators wrote (the warnings analyzer runs on a compilation that has them).</summary>
    public static bool IsGenerated(SyntaxTree? tree) => tree is not null && tree.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal);

    private static LocationInfo? UserLocation(ISymbol symbol) =>
        symbol.DeclaringSyntaxReferences.Any(r => !IsGenerated(r.SyntaxTree))
            ? LocationInfo.From(symbol.Locations.FirstOrDefault(l => l.IsInSource && !IsGenerated(l.SourceTree)))
            : null;

    private static bool SameParameters(IMethodSymbol method, string[] parameters) =>
        method.Parameters.Length == parameters.Length
        && method.Parameters.Select((p, i) => parameters[i] == "*" || parameters[i] == GeneratedMembers.ParameterKey(p.Type)).All(same => same);

    // A primary constructor is reported on the class; an explicit one must begin with this(...), as the generated one initialises.
    private static bool ChainsToAnother(IMethodSymbol constructor, CancellationToken cancellationToken) =>
        constructor.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).All(syntax =>
            syntax is not ConstructorDeclarationSyntax declaration
            || declaration.Initializer is { ThisOrBaseKeyword.RawKind: (int)SyntaxKind.ThisKeyword });
}
