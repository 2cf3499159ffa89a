using Microsoft.CodeAnalysis.Text;

namespace DslKd.CodeFixes.Tests.Infrastructure;

/// <summary>Source text with one span marked as <c>[|...|]</c>, as Microsoft.CodeAnalysis.Testing's markup marks a diagnostic.</summary>
internal sealed record MarkedSource(string Text, TextSpan Span)
{
    public static MarkedSource Parse(string marked)
    {
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", start + 2, StringComparison.Ordinal);
        if (start < 0 || end < 0) throw new ArgumentException("The source must mark the expected span with [| and |].");
        var text = marked.Remove(end, 2).Remove(start, 2);
        return new MarkedSource(text, TextSpan.FromBounds(start, end - 2));
    }
}
