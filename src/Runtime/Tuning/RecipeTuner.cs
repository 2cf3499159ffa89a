using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace DslKd;

/// <summary>
/// Grid search over a distillation recipe's loss settings (temperatures, weights), learning rate and epochs, judged on a
/// validation split carved from the training data; the test set is not a parameter, so it cannot leak into the choice.
/// Every trial trains a fresh recipe from the same seed, so the same seed gives the same table and the same winner.
/// With a results file the run is resumable: finished trials are written to it atomically and read back, not re-run.
/// </summary>
public static class RecipeTuner
{
    /// <summary>Runs every combination of the axes' values, in order (the last axis varies fastest).</summary>
    /// <typeparam name="TSettings">The recipe's generated <c>LossSettings</c> record.</typeparam>
    /// <param name="axes">The grid.</param>
    /// <param name="loss">The settings each trial starts from (the recipe's <c>DefaultLoss</c>); the axes override some.</param>
    /// <param name="options">The training options each trial starts from; the axes may override LearningRate and Epochs.
    /// With <see cref="TrainingOptions.EarlyStoppingPatience"/> a trial is scored by its best epoch; with
    /// <see cref="TrainingOptions.CheckpointDirectory"/> each trial checkpoints in its own sub-folder.</param>
    /// <param name="createRecipe">Builds a fresh recipe (with a freshly initialised student) for a trial's settings.</param>
    /// <param name="train">What every trial trains on.</param>
    /// <param name="validation">What every trial is scored on: a split of the training data, not the test set.</param>
    /// <param name="resultsPath">When set, finished trials are kept there and a later run with the same grid reuses them.</param>
    /// <param name="progress">Receives trial and training events.</param>
    /// <param name="cancellationToken">Stops between steps; finished trials stay in the results file.</param>
    /// <exception cref="ArgumentException">An axis names no setting of the recipe, two axes set the same thing, or a value is out of range.</exception>
    /// <exception cref="InvalidOperationException">The results file belongs to another tuning run.</exception>
    public static TuningResult Run<TSettings>(
        IReadOnlyList<TuningAxis> axes, TSettings loss, TrainingOptions options, Func<TSettings, ITrainingTask> createRecipe,
        LabeledDataset train, LabeledDataset validation, string? resultsPath = null,
        IProgress<TuningEvent>? progress = null, CancellationToken cancellationToken = default)
        where TSettings : ILossSettings
    {
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createRecipe);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        if (axes.Count == 0) throw new ArgumentException("The tuning grid has no axes.", nameof(axes));
        CheckAxes(axes, loss);

        var identity = Identity(axes, loss, options, createRecipe, train, validation);
        // Trials of another tuning (another teacher, split or grid) keep their checkpoints apart from this one's.
        var checkpoints = options.CheckpointDirectory is { } directory ? Path.Combine(directory, ShortHash(identity)) : null;
        var grid = Combinations(axes).ToList();
        // Every trial's settings are built and checked before the first one trains, so a bad value fails at once.
        var trials = grid.Select((values, i) => (Index: i + 1, Values: values, Loss: Apply(loss, axes, values), Options: Apply(options, values, i + 1, checkpoints))).ToList();
        foreach (var trial in trials)
        {
            LossSettingsSupport.Validate(trial.Loss);
            trial.Options.Validate();
        }

        var file = resultsPath is null ? null : new TuningResultsFile(resultsPath, identity);
        var done = file?.Load() ?? [];
        var results = new List<TrialResult>();
        foreach (var trial in trials)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (done.FirstOrDefault(r => r.Trial == trial.Index) is { } previous)
            {
                results.Add(previous);
                progress?.Report(new TrialCompleted(previous, trials.Count, Reused: true));
                continue;
            }

            progress?.Report(new TrialStarted(trial.Index, trials.Count, trial.Values));
            var clock = Stopwatch.StartNew();
            var recipe = createRecipe(trial.Loss) ?? throw new InvalidOperationException("createRecipe returned null.");
            var inner = progress is null ? null : new SynchronousProgress<TrainingEvent>(e => progress.Report(new TrialProgress(trial.Index, trials.Count, e)));
            TrialResult result;
            try
            {
                var training = TrainingLoop.Run(recipe, train, validation, trial.Options, inner, cancellationToken);
                var kept = training.Kept;
                result = new TrialResult(trial.Index, trial.Values, kept.Evaluation!.Accuracy, kept.Epoch, training.Epochs.Count,
                    LossSettingsSupport.Fingerprint(trial.Loss), Attributes(trial.Loss, trial.Options, trial.Values), clock.Elapsed.TotalSeconds);
            }
            catch (NonFiniteLossException diverged)
            {
                // A setting on the grid that makes training diverge (a large learning rate, say) is a result, not the end of the tuning.
                result = new TrialResult(trial.Index, trial.Values, 0, 0, diverged.Epoch, LossSettingsSupport.Fingerprint(trial.Loss),
                    Attributes(trial.Loss, trial.Options, trial.Values), clock.Elapsed.TotalSeconds, diverged.Message);
            }
            finally
            {
                if (recipe is IDisposable disposable) disposable.Dispose();
            }
            results.Add(result);
            file?.Save(results);
            progress?.Report(new TrialCompleted(result, trials.Count, Reused: false));
        }
        return new TuningResult(axes, results);
    }

    /// <summary>The recipe's term attributes with the trial's loss settings, and its optimizer and epochs when the grid set them.</summary>
    private static string Attributes(ILossSettings loss, TrainingOptions options, IReadOnlyDictionary<string, double> values)
    {
        var lines = new List<string> { loss.ToAttributes() };
        if (values.ContainsKey(TuningAxis.LearningRate))
        {
            var optimizer = options.Optimizer;
            var extra = (optimizer.Momentum != 0 ? $", Momentum = {Number(optimizer.Momentum)}" : "") + (optimizer.Nesterov ? ", Nesterov = true" : "") +
                        (optimizer.WeightDecay is { } decay ? $", WeightDecay = {Number(decay)}" : "");
            lines.Add($"[Optimizer(OptimizerKind.{optimizer.Kind}, LearningRate = {Number(optimizer.LearningRate)}{extra})]");
        }
        if (values.ContainsKey(TuningAxis.Epochs)) lines.Add($"[Epochs({options.Epochs})]");
        return string.Join(Environment.NewLine, lines);
    }

    private static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static void CheckAxes(IReadOnlyList<TuningAxis> axes, ILossSettings loss)
    {
        var known = loss.Values.Select(v => v.Name).ToHashSet();
        var set = new HashSet<string>();
        foreach (var axis in axes)
        {
            foreach (var name in new[] { axis.Name, axis.Complement }.OfType<string>())
            {
                if (name is not (TuningAxis.LearningRate or TuningAxis.Epochs) && !known.Contains(name))
                    throw new ArgumentException($"Tuning axis '{name}' is neither LearningRate, Epochs nor a loss setting of this recipe ({string.Join(", ", known)}).", nameof(axes));
                if (axis.Complement is not null && name is TuningAxis.LearningRate or TuningAxis.Epochs)
                    throw new ArgumentException($"Tuning axis '{axis.Name}+{axis.Complement}': only loss settings can be paired.", nameof(axes));
                if (!set.Add(name)) throw new ArgumentException($"Two tuning axes set '{name}'.", nameof(axes));
            }
        }
    }

    private static IEnumerable<IReadOnlyDictionary<string, double>> Combinations(IReadOnlyList<TuningAxis> axes)
    {
        IEnumerable<Dictionary<string, double>> partial = [new Dictionary<string, double>()];
        foreach (var axis in axes)
            partial = partial.SelectMany(p => axis.Values.Select(v => new Dictionary<string, double>(p) { [axis.Name] = v })).ToList();
        return partial;
    }

    private static TSettings Apply<TSettings>(TSettings loss, IReadOnlyList<TuningAxis> axes, IReadOnlyDictionary<string, double> values)
        where TSettings : ILossSettings
    {
        ILossSettings settings = loss;
        foreach (var axis in axes)
        {
            if (axis.Name is TuningAxis.LearningRate or TuningAxis.Epochs) continue;
            settings = settings.With(axis.Name, values[axis.Name]);
            if (axis.Complement is { } complement) settings = settings.With(complement, TuningAxis.ComplementOf(values[axis.Name]));
        }
        return (TSettings)settings;
    }

    private static TrainingOptions Apply(TrainingOptions options, IReadOnlyDictionary<string, double> values, int trial, string? checkpoints)
    {
        var result = options;
        if (values.TryGetValue(TuningAxis.LearningRate, out var learningRate))
            result = result with { Optimizer = result.Optimizer with { LearningRate = learningRate } };
        if (values.TryGetValue(TuningAxis.Epochs, out var epochs))
            result = result with { Epochs = (int)epochs };
        if (checkpoints is not null)
            result = result with { CheckpointDirectory = Path.Combine(checkpoints, $"trial-{trial}") };
        return result;
    }

    /// <summary>
    /// What makes two tuning runs the same, so a results file is only reused by the run that wrote it: the grid, the
    /// starting settings and options, and what the recipe starts from (its type, the student's initial weights, the
    /// teacher's weights, the training and validation data).
    /// </summary>
    private static string Identity<TSettings>(IReadOnlyList<TuningAxis> axes, TSettings loss, TrainingOptions options, Func<TSettings, ITrainingTask> createRecipe,
        LabeledDataset train, LabeledDataset validation) where TSettings : ILossSettings
    {
        var recipe = createRecipe(loss) ?? throw new InvalidOperationException("createRecipe returned null.");
        try
        {
            return $"axes={string.Join(" | ", axes)};loss={LossSettingsSupport.Fingerprint(loss)};options={options.Fingerprint()};" +
                   $"start={RunStart.Hash(recipe, train, validation)}";
        }
        finally
        {
            if (recipe is IDisposable disposable) disposable.Dispose();
        }
    }

    private static string ShortHash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
