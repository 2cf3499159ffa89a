using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace DslKd;

/// <summary>One trial of a tuning run: the axis values it tried and how the recipe did on the validation split.</summary>
/// <param name="Trial">1-based position in the grid.</param>
/// <param name="Values">The value of each axis.</param>
/// <param name="ValidationAccuracy">Validation accuracy of the weights the trial ended with (its best epoch with early stopping).</param>
/// <param name="Epoch">The epoch those weights are from.</param>
/// <param name="EpochsRun">Epochs trained (fewer than asked when early stopping ended the trial).</param>
/// <param name="LossSettings">The loss settings as <c>name=value;...</c>.</param>
/// <param name="Attributes">The recipe's term attributes with these settings, ready to paste.</param>
/// <param name="Seconds">Wall-clock time of the trial.</param>
/// <param name="Failure">Why the trial did not finish (its loss diverged), or null; a failed trial never wins.</param>
public sealed record TrialResult(
    int Trial, IReadOnlyDictionary<string, double> Values, double ValidationAccuracy, int Epoch, int EpochsRun,
    string LossSettings, string Attributes, double Seconds, string? Failure = null);

/// <summary>Every trial of a tuning run and the winner.</summary>
public sealed record TuningResult(IReadOnlyList<TuningAxis> Axes, IReadOnlyList<TrialResult> Trials)
{
    /// <summary>The finished trial with the highest validation accuracy; the earliest in grid order on a tie.</summary>
    /// <exception cref="InvalidOperationException">Every trial failed.</exception>
    public TrialResult Best => Trials.Where(t => t.Failure is null).OrderByDescending(t => t.ValidationAccuracy).ThenBy(t => t.Trial).FirstOrDefault()
        ?? throw new InvalidOperationException($"Every trial of the tuning failed ({Trials.FirstOrDefault()?.Failure}); lower the learning rate or narrow the grid.");

    /// <summary>The trials as a markdown table, best marked, in grid order.</summary>
    public string ToMarkdownTable()
    {
        var best = Trials.Any(t => t.Failure is null) ? Best.Trial : 0;
        var builder = new StringBuilder();
        builder.AppendLine("| Trial | " + string.Join(" | ", Axes.Select(a => a.Name)) + " | Validation accuracy | Epoch kept | Time |");
        builder.AppendLine("|---:|" + string.Concat(Axes.Select(_ => "---:|")) + "---:|---:|---:|");
        foreach (var trial in Trials)
        {
            var values = Axes.Select(a => trial.Values[a.Name].ToString("R", CultureInfo.InvariantCulture));
            var accuracy = trial.Failure is null ? string.Create(CultureInfo.InvariantCulture, $"{trial.ValidationAccuracy * 100:F2}%") : "diverged";
            var kept = trial.Failure is null ? $"{trial.Epoch} of {trial.EpochsRun}" : $"none (epoch {trial.EpochsRun})";
            builder.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {trial.Trial}{(trial.Trial == best ? " (best)" : "")} | {string.Join(" | ", values)} | {(trial.Trial == best ? $"**{accuracy}**" : accuracy)} | {kept} | {trial.Seconds:F0} s |"));
        }
        return builder.ToString();
    }
}
