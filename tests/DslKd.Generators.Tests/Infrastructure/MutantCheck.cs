using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Tests.Infrastructure;

/// <summary>What became of one mutant. <see cref="Failed"/> verdicts are generator bugs; the others are acceptable.</summary>
internal sealed record MutantVerdict(MutantOutcome Outcome, string Detail = "")
{
    public bool Failed => Outcome is MutantOutcome.Crash or MutantOutcome.GeneratedCodeError or MutantOutcome.UserCodeBrokenByGeneratedCode;

    /// <summary>What a campaign groups failures by: the outcome and the first error's id and message, without the user's names.</summary>
    public string Cause { get; init; } = "";
}

internal enum MutantOutcome
{
    /// <summary>No errors at all.</summary>
    Compiles,
    /// <summary>A DKD error: the user is told what is wrong.</summary>
    Reported,
    /// <summary>
    /// Compiler errors, all in the user's file (and, when the user's file is checked, all in declarations that have errors
    /// without the generated code too): the user's own mistakes, which the compiler reports.
    /// </summary>
    UserErrorsOnly,
    /// <summary>A generator or the warnings analyzer threw (CS8785, AD0001).</summary>
    Crash,
    /// <summary>Without a DKD error, the generated code does not compile.</summary>
    GeneratedCodeError,
    /// <summary>Without a DKD error, the user's file gets errors it does not have without the generator.</summary>
    UserCodeBrokenByGeneratedCode,
}

/// <summary>
/// Runs the generators on a mutant and compiles the user's source with what they generated: a declaration must either
/// get a DKD error or compile, apart from the compiler's own errors in the user's file.
/// </summary>
internal static class MutantCheck
{
    /// <param name="source">The mutant.</param>
    /// <param name="checkUserFile">
    /// Also compile the user's file without the generated code, to tell the user's own errors from errors the generated
    /// code causes there (a generated member hiding a name the user's code means), and run the warnings analyzer: two
    /// more passes over the compilation, so off in CI.
    /// </param>
    public static MutantVerdict Check(string source, bool checkUserFile = false)
    {
        var outcome = GeneratorHarness.Run(source);
        if (outcome.Result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null) is { } exception)
            return new MutantVerdict(MutantOutcome.Crash, $"{exception.GetType().Name}: {exception.Message}") { Cause = "crash: " + exception.GetType().Name };
        var analyzerCrashes = checkUserFile ? outcome.AnalyzerDiagnostics.Where(d => d.Id == "AD0001") : [];
        if (outcome.GeneratorDiagnostics.Concat(analyzerCrashes).FirstOrDefault(d => d.Id is "CS8785" or "AD0001") is { } crash)
            return new MutantVerdict(MutantOutcome.Crash, crash.GetMessage()) { Cause = "crash: " + crash.Id };
        if (outcome.Result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("DKD", StringComparison.Ordinal)))
            return new MutantVerdict(MutantOutcome.Reported);

        var generated = outcome.Result.GeneratedTrees.ToHashSet();
        var errors = outcome.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0) return new MutantVerdict(MutantOutcome.Compiles);

        var inGenerated = errors.Where(d => d.Location.SourceTree is not { } tree || generated.Contains(tree)).ToList();
        if (inGenerated.Count > 0)
            return new MutantVerdict(MutantOutcome.GeneratedCodeError, Describe(inGenerated)) { Cause = "generated: " + Shape(inGenerated[0]) };
        if (!checkUserFile) return new MutantVerdict(MutantOutcome.UserErrorsOnly);

        // An error in the user's file is the generated code's doing when the declaration it is in (the member, or the
        // attribute list) has no error without the generated code. Declarations that had one are the user's mistakes,
        // which the generated code only lets the compiler see further into (a method whose parameter types it declares).
        var before = outcome.Output.RemoveSyntaxTrees(generated)
            .GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.IsInSource).ToList();
        var added = errors.Where(d => !before.Any(b => b.Location.SourceTree == d.Location.SourceTree && Scope(d).IntersectsWith(b.Location.SourceSpan))).ToList();
        if (added.Count > 0)
            return new MutantVerdict(MutantOutcome.UserCodeBrokenByGeneratedCode, Describe(added)) { Cause = "user file: " + Shape(added[0]) };
        return new MutantVerdict(MutantOutcome.UserErrorsOnly);
    }

    private static Microsoft.CodeAnalysis.Text.TextSpan Scope(Diagnostic error)
    {
        var node = error.Location.SourceTree!.GetRoot().FindNode(error.Location.SourceSpan);
        var scope = node.AncestorsAndSelf().FirstOrDefault(n =>
            n is Microsoft.CodeAnalysis.CSharp.Syntax.AttributeListSyntax
                or Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax and not Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax
                    and not Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax);
        return (scope ?? node).FullSpan; // full: a skipped token is trivia of the next node
    }

    private static string Describe(IEnumerable<Diagnostic> errors) => string.Join("; ", errors.Take(3).Select(d =>
    {
        var line = d.Location.GetLineSpan();
        var text = d.Location.SourceTree?.GetText().Lines[line.StartLinePosition.Line].ToString().Trim() ?? "";
        return $"{d.Id} at {Path.GetFileName(line.Path)}:{line.StartLinePosition.Line + 1}: {d.GetMessage()} [{text}]";
    }));

    /// <summary>An error's id and message with quoted names replaced, so the same cause groups together whatever was renamed.</summary>
    private static string Shape(Diagnostic d) => d.Id + " " + System.Text.RegularExpressions.Regex.Replace(d.GetMessage(), "'[^']*'", "'…'");
}
