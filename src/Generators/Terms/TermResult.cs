using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>What resolving a term gives: the term ready to emit (and the adapter it needs, if any), or one diagnostic.</summary>
internal sealed record TermResult(ResolvedTerm? Term, AdapterSpec? Adapter, DiagnosticInfo? Error)
{
    public static TermResult Of(ResolvedTerm term, AdapterSpec? adapter = null) => new(term, adapter, null);

    public static TermResult Fail(DiagnosticInfo error) => new(null, null, error);
}
