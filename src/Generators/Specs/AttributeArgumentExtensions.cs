using System.Linq;

namespace DslKd.Generators.Specs;

/// <summary>Typed access to an attribute's arguments, with the attribute's documented defaults as fallbacks.</summary>
internal static class AttributeArgumentExtensions
{
    public static bool Has(this EquatableArray<AttributeArgument> arguments, string name) =>
        arguments.Any(a => a.Name == name);

    public static long Int(this EquatableArray<AttributeArgument> arguments, string name, long fallback) =>
        Find(arguments, name)?.Value switch
        {
            long l => l,
            double d => (long)d,
            _ => fallback,
        };

    public static double Real(this EquatableArray<AttributeArgument> arguments, string name, double fallback) =>
        Find(arguments, name)?.Value switch
        {
            double d => d,
            long l => l,
            _ => fallback,
        };

    public static bool Bool(this EquatableArray<AttributeArgument> arguments, string name, bool fallback) =>
        Find(arguments, name)?.Value is bool b ? b : fallback;

    public static string? Text(this EquatableArray<AttributeArgument> arguments, string name) =>
        Find(arguments, name)?.Value as string;

    public static LocationInfo? LocationOf(this EquatableArray<AttributeArgument> arguments, string name) =>
        Find(arguments, name)?.Location;

    private static AttributeArgument? Find(EquatableArray<AttributeArgument> arguments, string name) =>
        arguments.LastOrDefault(a => a.Name == name);
}
