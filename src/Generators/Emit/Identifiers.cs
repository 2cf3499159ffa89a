using Microsoft.CodeAnalysis.CSharp;

namespace DslKd.Generators.Emit;

/// <summary>Makes a declared name usable as a C# identifier in generated code: keywords get an '@' (class -> @class).</summary>
internal static class Identifiers
{
    public static string Id(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A hint name for AddSource: only the characters it allows ('@' of escaped namespaces removed).</summary>
    public static string HintName(string fullName, string suffix) => fullName.Replace("@", "") + suffix + ".g.cs";

    /// <summary>The private field holding a generated member: <c>HiddenHintAdapter</c> -> <c>_hiddenHintAdapter</c>.</summary>
    public static string Field(string name) => "_" + char.ToLowerInvariant(name[0]) + name.Substring(1);

    /// <summary>A camel-cased local: <c>HiddenHint</c> -> <c>hiddenHint</c>, escaped when that is a keyword.</summary>
    public static string Local(string name) => Id(char.ToLowerInvariant(name[0]) + name.Substring(1));
}
