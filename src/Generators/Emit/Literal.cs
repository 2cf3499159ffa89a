using System.Globalization;
using System.Linq;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Emit;

/// <summary>Formats numbers as C# source and summary text, always with the invariant culture.</summary>
internal static class Literal
{
    public static string Of(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A round-trippable double literal that C# parses back as a double: 0.3, 1E-05, 2.0.</summary>
    public static string Of(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) >= 0 || text.Contains("NaN") || text.Contains("Infinity") ? text : text + ".0";
    }

    public static string Of(bool value) => value ? "true" : "false";

    public static string Thousands(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string CSharpString(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"";

    public static string Join(params string?[] parts) => string.Join(", ", parts.Where(p => !string.IsNullOrEmpty(p)));

    public static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

    public static long Product(EquatableArray<long> shape) => shape.Aggregate(1L, (p, d) => p * d);
}
