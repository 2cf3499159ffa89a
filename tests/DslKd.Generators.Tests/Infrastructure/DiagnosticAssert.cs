using Xunit;

namespace DslKd.Generators.Tests.Infrastructure;

internal static class DiagnosticAssert
{
    /// <summary>
    /// Runs the generator on <paramref name="markedSource"/> and asserts it reports exactly one diagnostic: <paramref name="id"/>,
    /// at the marked span, with a message containing every fragment. Returns the message for further checks.
    /// </summary>
    public static string Single(string markedSource, string id, params string[] messageFragments)
    {
        var source = MarkedSource.Parse(markedSource);
        var outcome = GeneratorHarness.Run(source.Text);

        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(source.Span, diagnostic.Location.SourceSpan);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var fragment in messageFragments) Assert.Contains(fragment, message);
        Assert.DoesNotContain(outcome.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
        return message;
    }
}
