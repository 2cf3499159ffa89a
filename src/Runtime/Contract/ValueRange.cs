using System.Globalization;

namespace DslKd;

/// <summary>
/// The valid range of a number in an attribute or a loss setting. Each rule is written once, here: the generator's
/// diagnostics, the runtime's argument checks and the code fixes all ask this type (it is compiled into all three).
/// </summary>
public enum ValueRange
{
    /// <summary>A finite number greater than 0 (a temperature, a learning rate).</summary>
    Positive,
    /// <summary>A finite number, 0 or greater (a weight).</summary>
    NonNegative,
    /// <summary>In [0, 1) (a dropout probability, label smoothing, SGD momentum).</summary>
    Probability,
    /// <summary>In (0, 1] (a decay factor).</summary>
    UnitInterval,
    /// <summary>A whole number, 1 or greater (epochs, a batch size).</summary>
    AtLeastOne,
}

/// <summary>What each <see cref="ValueRange"/> admits, how it reads in a message, and the nearest value inside it.</summary>
public static class ValueRanges
{
    /// <summary>Whether <paramref name="value"/> lies in <paramref name="range"/> (NaN and infinities never do).</summary>
    public static bool Contains(this ValueRange range, double value) => range switch
    {
        ValueRange.Positive => value > 0 && IsFinite(value),
        ValueRange.NonNegative => value >= 0 && IsFinite(value),
        ValueRange.Probability => value >= 0 && value < 1,
        ValueRange.UnitInterval => value > 0 && value <= 1,
        ValueRange.AtLeastOne => value >= 1 && IsFinite(value) && value == System.Math.Floor(value),
        _ => false,
    };

    /// <summary>The rule as it reads after "must be": "a positive number", "in [0, 1)".</summary>
    public static string Describe(this ValueRange range) => range switch
    {
        ValueRange.Positive => "a positive number",
        ValueRange.NonNegative => "zero or a positive number",
        ValueRange.Probability => "in [0, 1)",
        ValueRange.UnitInterval => "in (0, 1]",
        ValueRange.AtLeastOne => "at least 1",
        _ => range.ToString(),
    };

    /// <summary>
    /// The valid value a fix should write for <paramref name="value"/>: the nearest one where the range has a closed
    /// bound on that side (a negative weight becomes 0), otherwise <paramref name="fallback"/> (a temperature of 0 has no
    /// nearest positive number); null when there is neither, and the user must choose.
    /// </summary>
    public static double? Suggest(this ValueRange range, double value, double? fallback) => range switch
    {
        ValueRange.NonNegative when value < 0 => 0,
        ValueRange.Probability when value < 0 => 0,
        ValueRange.UnitInterval when value > 1 => 1,
        _ => fallback,
    };

    /// <summary>A number as an attribute would hold it: invariant culture, round-trippable (2, 0.5, 1E-05).</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // netstandard2.0 (the generator) has no double.IsFinite.
    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);
}
