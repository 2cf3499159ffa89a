using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DslKd;

/// <summary>One number of a recipe's loss, by its tuning name ("SoftTargets.Temperature").</summary>
public readonly record struct LossSetting(string Name, double Value, LossSettingKind Kind);

/// <summary>
/// The numbers in a distillation recipe's term attributes (weights, temperatures, ...), which the generated loss reads at
/// run time. Each generated recipe has its own typed <c>LossSettings</c> record implementing this; the name-based members
/// are what a tuner needs to vary any recipe's numbers.
/// </summary>
public interface ILossSettings
{
    /// <summary>Every setting with its name and value, in declaration order.</summary>
    IReadOnlyList<LossSetting> Values { get; }

    /// <summary>A copy with the setting <paramref name="name"/> set to <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The recipe has no setting of that name (the message lists those it has).</exception>
    ILossSettings With(string name, double value);

    /// <summary>The recipe's term attributes with these values, one per line, to paste into the recipe class.</summary>
    string ToAttributes();
}

/// <summary>A distillation task whose loss reads an <see cref="ILossSettings"/>; generated distillation recipes implement it.</summary>
public interface ITunableTask : ITrainingTask
{
    /// <summary>The settings this instance computes its loss with.</summary>
    ILossSettings Loss { get; }
}

/// <summary>Checks and formats loss settings; the generated recipes call it.</summary>
public static class LossSettingsSupport
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first setting outside its range (the same rules the generator's
    /// DKD0018/DKD0019/DKD0028 apply at compile time), or when every term's weight is 0 (DKD0020: nothing would be learned).
    /// </summary>
    public static void Validate(ILossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var setting in settings.Values)
        {
            var range = setting.Kind.Range();
            if (!range.Contains(setting.Value))
                throw new ArgumentException($"Loss setting {setting.Name} must be {range.Describe()}, but is {Format(setting.Value)}.", nameof(settings));
        }
        var weights = settings.Values.Where(IsTermWeight).ToList();
        if (weights.Count > 0 && weights.All(w => w.Value == 0))
            throw new ArgumentException(
                $"Every term's weight is 0 ({string.Join(", ", weights.Select(w => w.Name))}), so nothing would be learned; give at least one term a positive weight.",
                nameof(settings));
    }

    // "HardLabels.Weight", not "Relations.DistanceWeight": the weight of a term in the total.
    private static bool IsTermWeight(LossSetting setting) => setting.Name.EndsWith("." + nameof(LossTermAttribute.Weight), StringComparison.Ordinal);

    /// <summary>The error for a setting name the recipe does not have.</summary>
    public static ArgumentException UnknownSetting(string name, IReadOnlyList<LossSetting> known) =>
        new($"This recipe has no loss setting '{name}'; it has {string.Join(", ", known.Select(s => s.Name))}.", nameof(name));

    /// <summary>A number as it is written in an attribute: invariant culture, round-trippable (2, 0.5, 1E-05).</summary>
    public static string Format(double value) => ValueRanges.Format(value);

    /// <summary>
    /// Applies <c>Name=value;Name=value</c> (the form <see cref="Fingerprint"/> writes and a tuner prints) to
    /// <paramref name="settings"/>; names not mentioned keep their values.
    /// </summary>
    /// <exception cref="FormatException">A part is not <c>Name=number</c>.</exception>
    /// <exception cref="ArgumentException">A name is not a setting of the recipe, or a value is out of range.</exception>
    public static TSettings Apply<TSettings>(TSettings settings, string text) where TSettings : ILossSettings
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(text);
        ILossSettings result = settings;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0 || !double.TryParse(part[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new FormatException($"'{part}' is not a loss setting; write Name=number, for example SoftTargets.Temperature=2 (several joined by ';').");
            result = result.With(part[..equals].Trim(), value);
        }
        Validate(result);
        return (TSettings)result;
    }

    /// <summary>The settings as one invariant line, part of a checkpoint's identity.</summary>
    public static string Fingerprint(ILossSettings settings) =>
        string.Join(";", settings.Values.Select(s => s.Name + "=" + Format(s.Value)));
}
