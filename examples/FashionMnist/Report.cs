using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FashionMnistExample;

/// <summary>
/// How a reported model was trained, stated next to its numbers in results.md and results.json: the recipe, its loss
/// settings, the epochs asked for and run, the epoch whose weights were kept, the seed and the options.
/// </summary>
/// <param name="Recipe">The recipe class.</param>
/// <param name="Loss">A distillation recipe's loss settings by name; null for training on the labels alone.</param>
/// <param name="EpochsAsked">The epochs the options asked for.</param>
/// <param name="EpochsRun">The epochs it ran (fewer when early stopping ended it).</param>
/// <param name="KeptEpoch">The epoch whose weights the model has: the best on validation with early stopping, else the last.</param>
/// <param name="Seed">The stage's seed (shuffling, augmentation, dropout), derived from the job's --seed.</param>
/// <param name="Options">The training options.</param>
/// <param name="Teacher">The teacher's recipe, for a distilled student.</param>
public sealed record TrainingSummary(string Recipe, Dictionary<string, double>? Loss, int EpochsAsked, int EpochsRun, int? KeptEpoch, long Seed,
    TrainingSettings? Options, string? Teacher)
{
    public static TrainingSummary Of(TrainedModelInfo info) =>
        new(info.Recipe, info.Loss, info.Epochs, info.History.Count, info.KeptEpoch ?? info.History.LastOrDefault()?.Epoch, info.Seed, info.Options, info.Teacher?.Recipe)
        {
            LabelSmoothing = info.LabelSmoothing,
        };

    /// <summary>A supervised recipe's label smoothing; null when it has none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LabelSmoothing { get; init; }

    /// <summary>"SoftTargets.Temperature = 2, SoftTargets.Weight = 0.5, ...", or what a supervised recipe minimises.</summary>
    public string DescribeLoss() => Loss is null
        ? SupervisedRecipe.Describe(LabelSmoothing ?? 0)
        : string.Join(", ", Loss.Select(kv => $"{kv.Key} = {DslKd.LossSettingsSupport.Format(kv.Value)}"));

    /// <summary>"12 (best on validation)" or "15 (last)".</summary>
    public string DescribeKept() => KeptEpoch is not { } kept
        ? "unknown"
        : string.Create(CultureInfo.InvariantCulture, $"{kept} ({(Options?.EarlyStoppingPatience is null ? "last" : "best on validation")})");
}

/// <summary>The results table, written as markdown and JSON, and printed.</summary>
public sealed record JobReport(string Data, string Command, ModelMeasurement Teacher, ModelMeasurement StudentAlone, ModelMeasurement TextbookDistilled, ModelMeasurement Distilled)
{
    /// <summary>The first line of results.md: the pair's <see cref="ExamplePair.ReportTitle"/>. Not in results.json, whose fields stay those of every pair.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Title { get; init; } = "Fashion-MNIST: teacher, student alone, textbook and tuned distillation";

    /// <summary>The job's --seed; each stage's seed is derived from it (<see cref="TrainingSummary.Seed"/>).</summary>
    public long Seed { get; init; }

    /// <summary>Test accuracy the distilled student (the pair's default recipe; tuned for the MLP pair) gained over the student trained alone, in points.</summary>
    public double DistillationGainPoints => (Distilled.Test.Accuracy - StudentAlone.Test.Accuracy) * 100;

    /// <summary>The same for the textbook recipe (T = 4, 0.9 on soft targets).</summary>
    public double TextbookGainPoints => (TextbookDistilled.Test.Accuracy - StudentAlone.Test.Accuracy) * 100;

    /// <summary>The other processes' CPU use while the models were timed; null where the machine does not say.</summary>
    public MachineLoad? TimingLoad { get; init; }

    /// <summary>The distilled student exported to ONNX (float32 and int8) and run by ONNX Runtime.</summary>
    public IReadOnlyList<OnnxMeasurement> OnnxRuntime { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<ModelMeasurement> Models => [Teacher, StudentAlone, TextbookDistilled, Distilled];

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"# {Title}").AppendLine();
        text.AppendLine($"Data: {Data}  ").AppendLine($"Command: `{Command}`").AppendLine();
        text.AppendLine("| Model | Test accuracy | Parameters | Size on disk | Latency (batch 1), median (middle half) | Throughput (batch 256), median (middle half) | Speed-up vs teacher | Compression vs teacher |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var m in Models)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {m.Test.Accuracy * 100:F2}% | {m.Parameters:N0} | {m.BytesOnDisk / 1024.0:F0} KiB | {m.Latency.Microseconds()} | {m.Batch.Throughput(m.BatchSize)} | {m.SamplesPerSecond / Teacher.SamplesPerSecond:F1}x | {(double)Teacher.Parameters / m.Parameters:F1}x |"));
        }
        text.AppendLine();
        if (TimingLoad is { } load) text.AppendLine($"Timing: {load.Describe()}.").AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Distillation gain over the student alone: {DistillationGainPoints:+0.00;-0.00} points of test accuracy (textbook recipe: {TextbookGainPoints:+0.00;-0.00})."));
        if (OnnxRuntime.Count > 0) text.AppendLine().Append(OnnxDeployment.ToMarkdown(OnnxRuntime));
        text.AppendLine();
        text.AppendLine("## How each model was trained").AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Job seed {Seed} (`--seed`); each stage's seed below is derived from it. Every choice (kept epoch, loss settings) was made on the validation split; the test set was read only for the table above."));
        text.AppendLine();
        text.AppendLine("| Model | Recipe | Loss | Epochs run / asked | Kept epoch | Seed | Options |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var m in Models)
        {
            if (m.Training is not { } t)
            {
                text.AppendLine($"| {m.Name} | unknown | | | | | |");
                continue;
            }
            var recipe = t.Teacher is null ? t.Recipe : $"{t.Recipe} (teacher: {t.Teacher})";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {recipe} | {t.DescribeLoss()} | {t.EpochsRun} / {t.EpochsAsked} | {t.DescribeKept()} | {t.Seed} | {t.Options?.Describe() ?? "unknown"} |"));
        }
        return text.ToString();
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        DslKd.AtomicFile.WriteAllText(Path.Combine(directory, "results.md"), ToMarkdown());
        DslKd.AtomicFile.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(this, ModelStore.Json));
    }
}
