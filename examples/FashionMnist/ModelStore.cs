using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DslKd;
using TorchSharp;

namespace FashionMnistExample;

/// <summary>
/// The training options that decide a model, as plain data: what a saved model's description and the report show, and
/// what reuse compares (the file paths, thread count and callbacks of a run do not change the model and are left out).
/// </summary>
/// <param name="Epochs">Epochs asked for (early stopping may end sooner).</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Optimizer">The optimizer and its numbers (WeightDecay null: the optimizer's default, EffectiveWeightDecay).</param>
/// <param name="Schedule">The learning-rate schedule.</param>
/// <param name="GradientClipNorm">Gradient clipping, or null when off.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Augmentation">The augmentation, in words ("RandomShift(2)", "mixup, at least 0.7 of each sample", "none").</param>
/// <param name="EarlyStoppingPatience">Early stopping's patience on validation accuracy, or null when off.</param>
public sealed record TrainingSettings(int Epochs, int BatchSize, OptimizerSettings Optimizer, ScheduleSettings Schedule, double? GradientClipNorm,
    long Seed, string Augmentation, int? EarlyStoppingPatience)
{
    /// <summary>The settings of <paramref name="options"/>; <paramref name="augmentation"/> names a function augmentation, which the options cannot.</summary>
    public static TrainingSettings Of(TrainingOptions options, string? augmentation = null) => new(
        options.Epochs, options.BatchSize, options.Optimizer, options.Schedule, options.GradientClipNorm, options.Seed,
        options.EnumerableAugmentation?.Identity ?? augmentation ?? (options.Augmentation is null ? "none" : "custom"),
        options.EarlyStoppingPatience);

    /// <summary>One line for tables: "Adam 0.001, cosine, batch 128, RandomShift(2), early stopping after 10".</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Optimizer.Kind} {LossSettingsSupport.Format(Optimizer.LearningRate)}");
        if (Optimizer.Momentum > 0) text.Append(CultureInfo.InvariantCulture, $" momentum {LossSettingsSupport.Format(Optimizer.Momentum)}{(Optimizer.Nesterov ? " Nesterov" : "")}");
        if (Optimizer.EffectiveWeightDecay > 0) text.Append(CultureInfo.InvariantCulture, $" weight decay {LossSettingsSupport.Format(Optimizer.EffectiveWeightDecay)}");
        text.Append(", ").Append(Schedule.Kind.ToString().ToLowerInvariant()).Append(CultureInfo.InvariantCulture, $", batch {BatchSize}");
        if (GradientClipNorm is { } clip) text.Append(CultureInfo.InvariantCulture, $", clip {LossSettingsSupport.Format(clip)}");
        text.Append(", ").Append(Augmentation == "none" ? "no augmentation" : Augmentation);
        if (EarlyStoppingPatience is { } patience) text.Append(CultureInfo.InvariantCulture, $", early stopping after {patience}");
        return text.ToString();
    }
}

/// <summary>The teacher a student was distilled from: part of the student's identity, so a retrained teacher retrains it.</summary>
public sealed record TeacherInfo(string Recipe, TrainingSettings Options, string Architecture);

/// <summary>What a saved model was trained on and how, so a later run reuses it only when that still holds.</summary>
/// <param name="Data">The training data's description.</param>
/// <param name="Epochs">Epochs asked for.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Recipe">The recipe class (TrainTeacher, Distil, ...).</param>
/// <param name="Architecture">The model's architecture (<see cref="ModelStore.ArchitectureOf(ModelDescription)"/>).</param>
/// <param name="History">The epochs it trained.</param>
public sealed record TrainedModelInfo(string Data, int Epochs, long Seed, string Recipe, string Architecture, List<EpochResult> History)
{
    /// <summary>The training options, as data.</summary>
    public TrainingSettings? Options { get; init; }

    /// <summary>A distillation recipe's loss settings by name ("SoftTargets.Temperature": 2), in declaration order; null for a supervised recipe.</summary>
    public Dictionary<string, double>? Loss { get; init; }

    /// <summary>A supervised recipe's label smoothing; null when it has none. Part of <see cref="Identity"/>: a recipe whose smoothing changed trains again.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? LabelSmoothing { get; init; }

    /// <summary>The teacher of a distilled student; null otherwise.</summary>
    public TeacherInfo? Teacher { get; init; }

    /// <summary>The epoch whose weights the model has (the best on validation with early stopping, else the last).</summary>
    public int? KeptEpoch { get; init; }

    /// <summary>SHA-256 of the model file (lower-case hex), written by <see cref="ModelStore.Save"/> and checked before the model is loaded.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>The loss settings of <paramref name="settings"/> by name, for <see cref="Loss"/>.</summary>
    public static Dictionary<string, double> LossOf(ILossSettings settings) => settings.Values.ToDictionary(v => v.Name, v => v.Value);

    /// <summary>Everything that decides reuse, as one text; also the identity of an interrupted stage's checkpoint.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Identity => string.Join('\n', Data, Epochs.ToString(CultureInfo.InvariantCulture), Seed.ToString(CultureInfo.InvariantCulture), Recipe,
        ModelStore.ToJson(Options), ModelStore.ToJson(Loss), ModelStore.ToJson(Teacher), Architecture)
        // Only when set, so the identity of every model trained without smoothing stays what it was.
        + (LabelSmoothing is { } smoothing ? "\nlabel smoothing " + smoothing.ToString("R", CultureInfo.InvariantCulture) : "");

    /// <summary>What differs from <paramref name="other"/> (empty when nothing does), in words.</summary>
    public IReadOnlyList<string> Differences(TrainedModelInfo other)
    {
        var differences = new List<string>();
        if (Architecture != other.Architecture) differences.Add("architecture");
        if (Data != other.Data) differences.Add("data");
        if (Epochs != other.Epochs) differences.Add("epochs");
        if (Seed != other.Seed) differences.Add("seed");
        if (Recipe != other.Recipe) differences.Add("recipe");
        if (ModelStore.ToJson(Options) != ModelStore.ToJson(other.Options)) differences.Add("options");
        if (ModelStore.ToJson(Loss) != ModelStore.ToJson(other.Loss)) differences.Add("loss settings");
        if (ModelStore.ToJson(Teacher) != ModelStore.ToJson(other.Teacher)) differences.Add("teacher");
        if (LabelSmoothing != other.LabelSmoothing) differences.Add("label smoothing");
        return differences;
    }
}

/// <summary>Whether a saved model was reused, and if not, why (for the user), or null when nothing was saved.</summary>
/// <param name="Info">The saved model's description when it was loaded, else null.</param>
/// <param name="Note">Why a saved model was not reused, or null when it was reused or there was none.</param>
/// <param name="Warning">True when the note reports damage (files moved aside), not just other settings.</param>
public sealed record LoadOutcome(TrainedModelInfo? Info, string? Note, bool Warning = false);

/// <summary>
/// Saves trained models with a JSON description beside them (<c>name.dkd</c> and <c>name.dkd.json</c>), and reuses them
/// when the description matches. Both files are written atomically, the description last and with the model file's
/// SHA-256, so a kill or a full disk at any point leaves a pair that matches, or a model without a description (trained
/// again), never a model described by another's description. A description that cannot be read, or a model file that
/// does not match its checksum or cannot be loaded, is reported naming the file and moved aside
/// (<c>&lt;file&gt;.damaged-&lt;UTC time&gt;</c>), and the model is trained again.
/// </summary>
public static class ModelStore
{
    /// <summary>How descriptions are written: indented, enums by name, NaN allowed (a diverged loss).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    /// <summary>A value as one line of JSON, for comparisons and identities.</summary>
    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Compact);

    public static string PathOf(string outputDirectory, string name) => Path.Combine(outputDirectory, name + ".dkd");

    public static string DescriptionPathOf(string modelPath) => modelPath + ".json";

    /// <summary>
    /// A model's architecture as the generator described it at compile time: name, role, parameter count and a SHA-256
    /// of its layer-by-layer summary, which names every layer and its arguments, so a changed parameter-free layer
    /// (ReLU to GELU, max to average pooling, another dropout rate or stride) changes it while the weights keep their shapes.
    /// </summary>
    public static string ArchitectureOf(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return string.Create(CultureInfo.InvariantCulture,
            $"{description.Name} ({description.Role}), {description.ParameterCount} parameters, summary SHA-256 {Sha256Hex(Encoding.UTF8.GetBytes(description.Summary))}");
    }

    /// <inheritdoc cref="ArchitectureOf(ModelDescription)"/>
    public static string ArchitectureOf(IGeneratedModel model) => ArchitectureOf(model.Description);

    /// <summary>
    /// What a saved model file carries as its metadata (<see cref="ModelFileInfo.Metadata"/>): the data and how it was
    /// trained, as JSON, without the per-epoch history (that stays in the <c>.dkd.json</c> beside it).
    /// </summary>
    public static string MetadataOf(TrainedModelInfo info) =>
        JsonSerializer.Serialize(new { info.Data, Training = TrainingSummary.Of(info) }, Json);

    public static void Save(torch.nn.Module model, string path, TrainedModelInfo info)
    {
        var descriptionPath = DescriptionPathOf(path);
        // Removed first: until the new description is written, the new model has none and a later run trains it again,
        // rather than pairing the new model with the old description.
        if (File.Exists(descriptionPath)) File.Delete(descriptionPath);
        // A DslKd model file (architecture, tensor names and shapes, checksum), with the description as its metadata, so
        // another program can load it with ModelFile.Load and read how it was trained with ModelFile.Read (docs/use-your-model.md).
        ModelFile.Save(model, path, MetadataOf(info));
        AtomicFile.WriteAllText(descriptionPath, JsonSerializer.Serialize(info with { ModelSha256 = Sha256Of(path) }, Json));
    }

    /// <summary>
    /// Loads the model at <paramref name="path"/> into <paramref name="model"/> if it was trained as <paramref name="expected"/>
    /// says. A damaged pair is moved aside and reported in the outcome's note; <paramref name="model"/> is then as it was.
    /// </summary>
    public static LoadOutcome TryLoad(torch.nn.Module model, string path, TrainedModelInfo expected)
    {
        var descriptionPath = DescriptionPathOf(path);
        var (hasModel, hasDescription) = (File.Exists(path), File.Exists(descriptionPath));
        if (!hasModel && !hasDescription) return new LoadOutcome(null, null);
        if (!hasDescription) return new LoadOutcome(null, $"{path} has no description ({Path.GetFileName(descriptionPath)}; an earlier save was interrupted), so it is not reused");
        if (!hasModel) return new LoadOutcome(null, $"{descriptionPath} describes a model file that is not there ({path})");

        TrainedModelInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<TrainedModelInfo>(File.ReadAllText(descriptionPath), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return Damaged(path, $"{descriptionPath} cannot be read ({e.Message})");
        }
        // "null", or an object missing what makes a description.
        if (info is null || info.Data is null || info.Recipe is null || info.History is null)
            return Damaged(path, $"{descriptionPath} is not a model description");

        var differences = info.Differences(expected);
        if (differences.Count > 0)
            return new LoadOutcome(null, $"{path} was trained with another {string.Join(", ", differences)}");
        if (info.ModelSha256 is null)
            return new LoadOutcome(null, $"{descriptionPath} has no checksum of the model (written by an older version)");
        var actual = Sha256Of(path);
        if (actual != info.ModelSha256)
            return Damaged(path, $"{path} does not match the SHA-256 recorded in {Path.GetFileName(descriptionPath)} (the file is damaged or was replaced)");

        // ModelFile.Load checks the file, its tensors and the architecture before it touches the model, and leaves the
        // model as it was when it throws.
        try
        {
            ModelFile.Load(model, path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return Damaged(path, $"{path} cannot be loaded ({e.Message})");
        }
        return new LoadOutcome(info, null);
    }

    /// <summary>Moves the model and its description aside (never deletes them) and says so.</summary>
    private static LoadOutcome Damaged(string path, string problem)
    {
        var suffix = ".damaged-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var moved = new List<string>();
        foreach (var file in new[] { path, DescriptionPathOf(path) })
        {
            if (!File.Exists(file)) continue;
            var target = file + suffix;
            for (var n = 2; File.Exists(target); n++) target = $"{file}{suffix}-{n}";
            File.Move(file, target);
            moved.Add(target);
        }
        return new LoadOutcome(null, $"{problem}; moved aside to {string.Join(" and ", moved)}", Warning: true);
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
