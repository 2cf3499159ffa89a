using Microsoft.CodeAnalysis.CSharp;

namespace DslKd.Generators.Emit;

/// <summary>Makes a declared name usable as a C# identifier in generated code: keywords get an '@' (class -> @class).</summary>
internal static class Identifiers
{
    public static string Id(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A hint name for AddSource: only the characters it allows ('@' of escaped namespaces removed).</summary>
    public static string HintName(string fullName, string suffix) => fullName.Replace("@", "") + suffix + ".g.cs";
}
