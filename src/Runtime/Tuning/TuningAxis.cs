using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DslKd;

/// <summary>
/// One dimension of a tuning grid: the values to try for <see cref="Name"/>, which is <see cref="LearningRate"/>,
/// <see cref="Epochs"/> or one of the recipe's loss settings ("SoftTargets.Temperature", see <c>LossSettings.Values</c>).
/// With <see cref="Complement"/>, that second loss setting is set to 1 - value, which keeps Hinton's convex mix
/// (alpha on soft targets, 1 - alpha on the labels) on one axis.
/// </summary>
public sealed record TuningAxis
{
    /// <summary>The axis name for the optimizer's learning rate.</summary>
    public const string LearningRate = "LearningRate";

    /// <summary>The axis name for the number of epochs.</summary>
    public const string Epochs = "Epochs";

    /// <summary>Creates an axis; the values are tried in the order given.</summary>
    /// <exception cref="ArgumentException">No values, a repeated or non-finite value, or an empty name.</exception>
    public TuningAxis(string name, IReadOnlyList<double> values, string? complement = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException($"Tuning axis {name} has no values to try.", nameof(values));
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException($"Tuning axis {name} has a value that is not a finite number.", nameof(values));
        if (values.Distinct().Count() != values.Count) throw new ArgumentException($"Tuning axis {name} lists a value twice.", nameof(values));
        if (name == Epochs && values.Any(v => v < 1 || v != Math.Floor(v)))
            throw new ArgumentException("Tuning axis Epochs takes whole numbers of at least 1.", nameof(values));
        if (complement is not null && values.Any(v => v < 0 || v > 1))
            throw new ArgumentException($"Tuning axis {name} sets {complement} to 1 - value, so its values must be in [0, 1].", nameof(values));
        (Name, Values, Complement) = (name, values.ToArray(), complement);
    }

    /// <summary>What the axis sets.</summary>
    public string Name { get; }

    /// <summary>The values to try.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>
    /// 1 - <paramref name="value"/> in decimal, as the user reads it: 0.3 for 0.7, where binary floating point gives
    /// 0.30000000000000004 (which the tuner would print in the attribute lines to paste).
    /// </summary>
    public static double ComplementOf(double value) => (double)(1m - (decimal)value);

    /// <summary>A loss setting set to 1 - value alongside <see cref="Name"/>, or null.</summary>
    public string? Complement { get; }

    /// <summary>The axis as text: <c>SoftTargets.Temperature = 1, 2, 4</c>.</summary>
    public override string ToString() =>
        $"{Name}{(Complement is null ? "" : $" (1 - it on {Complement})")} = {string.Join(", ", Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}";

    /// <summary>
    /// Parses <c>Name=v1,v2,...</c> or <c>Name+Complement=v1,v2,...</c> (the command-line form), for example
    /// <c>SoftTargets.Weight+HardLabels.Weight=0.5,0.7,0.9</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static TuningAxis Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=');
        if (equals <= 0)
            throw new FormatException($"'{text}' is not a tuning axis; write Name=v1,v2,... (for example SoftTargets.Temperature=1,2,4).");
        var names = text[..equals].Split('+', StringSplitOptions.TrimEntries);
        if (names.Length > 2 || names.Any(n => n.Length == 0))
            throw new FormatException($"'{text[..equals]}' is not an axis name; write Name or Name+Complement.");
        var values = new List<double>();
        foreach (var part in text[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new FormatException($"'{part}' in tuning axis {names[0]} is not a number.");
            values.Add(value);
        }
        try
        {
            return new TuningAxis(names[0], values, names.Length == 2 ? names[1] : null);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}
