using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Specs;

/// <summary>
/// A diagnostic as plain data, carried beside the spec and reported in its own output. <see cref="Properties"/> are
/// <c>key=value</c> pairs that reach <see cref="Diagnostic.Properties"/>, so a code fix reads what failed instead of
/// parsing the message.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs, EquatableArray<string> Properties)
{
    /// <summary>The attribute argument whose value is out of range (<c>Temperature</c>).</summary>
    public const string ArgumentProperty = "Argument";

    /// <summary>The <see cref="DslKd.ValueRange"/> the value must lie in.</summary>
    public const string RangeProperty = "Range";

    /// <summary>The valid value a fix writes, invariant culture.</summary>
    public const string SuggestedProperty = "Suggested";

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] messageArgs) =>
        new(descriptor, location, Text(messageArgs), EquatableArray<string>.Empty);

    /// <summary>
    /// An argument outside its range: the message arguments as usual, plus the argument's name, its range and the value a
    /// fix should write (<see cref="ValueRanges.Suggest"/> with <paramref name="fallback"/>), if there is one.
    /// </summary>
    public static DiagnosticInfo OutOfRange(DiagnosticDescriptor descriptor, LocationInfo? location, string argument, ValueRange range,
        double value, double? fallback, params object[] messageArgs)
    {
        var properties = new System.Collections.Generic.List<string> { ArgumentProperty + "=" + argument, RangeProperty + "=" + range };
        if (range.Suggest(value, fallback) is { } suggested) properties.Add(SuggestedProperty + "=" + ValueRanges.Format(suggested));
        return new(descriptor, location, Text(messageArgs), properties.ToEquatableArray());
    }

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), PropertyMap(), MessageArgs.Cast<object>().ToArray());

    private ImmutableDictionary<string, string?>? PropertyMap() =>
        Properties.Count == 0
            ? null
            : Properties.ToImmutableDictionary(p => p.Substring(0, p.IndexOf('=')), p => (string?)p.Substring(p.IndexOf('=') + 1));

    private static EquatableArray<string> Text(object[] messageArgs) => messageArgs.Select(a => a?.ToString() ?? "").ToEquatableArray();
}
