using System.Globalization;
using System.Linq;

namespace DslKd.Generators.Specs;

internal static class ShapeText
{
    /// <summary>Formats a per-sample shape the way diagnostics, summaries and the runtime <c>Shape</c> do: <c>[1, 28, 28]</c>.</summary>
    public static string Format(EquatableArray<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
