using System.Text.RegularExpressions;
using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// The generator runs on every keystroke in an IDE, so it sees half-typed and nonsensical declarations. Whatever
/// the input, it must report diagnostics or nothing, never throw (CS8785).
/// </summary>
public class GeneratorRobustnessTests
{
    private static readonly string Declarations =
        Sources.WideCnn + "\n" + Sources.SmallMlp.Replace("namespace Demo;", "") + "\n" + Sources.CnnToMlp.Replace("namespace Demo;", "")
        + "\n" + Sources.EveryLayer.Replace("using DslKd;", "");

    public static IEnumerable<object[]> Mutants()
    {
        var text = Sources.WideCnn;
        // Every prefix, as if typed character by character (sampled every 3 characters to keep the suite fast).
        for (var length = 0; length < text.Length; length += 3) yield return ["prefix " + length, text.Substring(0, length)];

        // Every token removed once.
        var tokens = CSharpSyntaxTree.ParseText(Declarations).GetRoot().DescendantTokens().ToList();
        foreach (var token in tokens)
            yield return ["without token at " + token.SpanStart, Declarations.Remove(token.SpanStart, token.Span.Length)];

        // Every number replaced by awkward values.
        foreach (Match number in Regex.Matches(Declarations, @"\b\d+(\.\d+)?(e-?\d+)?\b"))
        {
            foreach (var replacement in new[] { "0", "-1", "2147483647", "1.5", "\"x\"", "null", "int.MaxValue" })
                yield return [$"number at {number.Index} -> {replacement}", Declarations.Remove(number.Index, number.Length).Insert(number.Index, replacement)];
        }

        // Attribute names and argument names swapped for others.
        foreach (Match name in Regex.Matches(Declarations, @"(?<=[\[,] ?)[A-Z][A-Za-z0-9]*"))
        {
            foreach (var replacement in new[] { "Linear", "Conv2d", "Teacher", "Flatten", "Kernel", "Obsolete", "Unknown" })
                yield return [$"name at {name.Index} -> {replacement}", Declarations.Remove(name.Index, name.Length).Insert(name.Index, replacement)];
        }
    }

    [Fact]
    public void Generator_never_throws_on_mutated_declarations()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var mutant in Mutants())
        {
            count++;
            var (label, source) = ((string)mutant[0], (string)mutant[1]);
            var outcome = GeneratorHarness.Run(source);
            var exception = outcome.Result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);
            if (exception is not null) failures.Add($"{label}: {exception.GetType().Name}: {exception.Message}");
            else if (outcome.GeneratorDiagnostics.FirstOrDefault(d => d.Id is "CS8785" or "AD0001") is { } crash)
                failures.Add($"{label}: {crash.GetMessage()}");
        }

        Assert.True(count > 1000, $"only {count} mutants were generated");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }
}
