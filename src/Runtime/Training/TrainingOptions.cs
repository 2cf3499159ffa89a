using System;
using System.Collections.Generic;
using System.Globalization;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Optimizer settings. Defaults are PyTorch's except AdamW's weight decay, which must be stated (TorchSharp defaults it to 0).</summary>
public sealed record OptimizerSettings(OptimizerKind Kind = OptimizerKind.Adam, double LearningRate = 1e-3)
{
    /// <summary>SGD momentum (default 0).</summary>
    public double Momentum { get; init; }
    /// <summary>Use Nesterov momentum with SGD (needs Momentum &gt; 0).</summary>
    public bool Nesterov { get; init; }
    /// <summary>Weight decay; for AdamW the decoupled decay. When null: 0.01 for AdamW (PyTorch's default; TorchSharp's is 0), else 0.</summary>
    public double? WeightDecay { get; init; }

    /// <summary>The weight decay actually applied.</summary>
    public double EffectiveWeightDecay => WeightDecay ?? (Kind == OptimizerKind.AdamW ? 0.01 : 0);
}

/// <summary>Learning-rate schedule settings.</summary>
public sealed record ScheduleSettings(ScheduleKind Kind = ScheduleKind.Constant)
{
    /// <summary>Step schedule: epochs between decays (default 1).</summary>
    public int StepEpochs { get; init; } = 1;
    /// <summary>Step schedule: the decay factor (default 0.1).</summary>
    public double Gamma { get; init; } = 0.1;
    /// <summary>Cosine: the final learning rate (default 0).</summary>
    public double MinLearningRate { get; init; }
    /// <summary>One-cycle: the peak learning rate; 0 means 10x the optimizer's.</summary>
    public double MaxLearningRate { get; init; }
    /// <summary>Linear warm-up: epochs to ramp up over (default 1).</summary>
    public double WarmupEpochs { get; init; } = 1;
}

/// <summary>
/// Everything a training run needs besides the data. A recipe's attributes give its <c>DefaultOptions</c>; change any
/// value at run time with <c>with</c>: <c>CnnToMlp.DefaultOptions with { Epochs = 3 }</c>.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Samples per optimizer step (default 128).</summary>
    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;
    /// <summary>The optimizer.</summary>
    public OptimizerSettings Optimizer { get; init; } = new();
    /// <summary>The learning-rate schedule.</summary>
    public ScheduleSettings Schedule { get; init; } = new();
    /// <summary>When set, gradients are clipped to this total L2 norm before each step.</summary>
    public double? GradientClipNorm { get; init; }
    /// <summary>
    /// Seeds shuffling, dropout, augmentation and initialisation of anything created during training (default 0). The run
    /// seeds TorchSharp's global generator with it and restores the caller's generator state when it ends.
    /// </summary>
    public long Seed { get; init; }
    /// <summary>Where to train; CPU when null.</summary>
    public Device? Device { get; init; }
    /// <summary>TorchSharp intra-op threads during the run (the previous count is restored after it); unchanged when null.</summary>
    public int? Threads { get; init; }
    /// <summary>When set, a checkpoint is written there after every epoch, and a run finds and resumes it (<see cref="CheckpointCallback"/>).</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>When set, TensorBoard scalars (every loss term, accuracy, learning rate) are written there (<see cref="TensorBoardCallback"/>).</summary>
    public string? TensorBoardDirectory { get; init; }
    /// <summary>
    /// Offline distillation: when set, the teacher's outputs on the training set are computed once and stored in this file,
    /// keyed by the teacher's architecture and weights, the data and the features the recipe reads, and reused by later epochs and runs
    /// (<see cref="TeacherCacheCallback"/>); a stale or damaged file is rebuilt. Distillation only.
    /// Combines with <see cref="EnumerableAugmentation"/> (not with <see cref="Augmentation"/>): the cache then holds the
    /// teacher's outputs for every variant of every sample.
    /// </summary>
    public string? TeacherCachePath { get; init; }

    /// <summary>
    /// Applied to every training batch's inputs (for example <see cref="RandomMixup.Create"/>); teacher and student see the
    /// same result. A function's variants cannot be enumerated, so it does not combine with <see cref="TeacherCachePath"/>;
    /// an augmentation that can, set as <see cref="EnumerableAugmentation"/>, does.
    /// </summary>
    public Func<Tensor, Tensor>? Augmentation { get; init; }

    /// <summary>
    /// An augmentation with a finite set of variants, such as <c>new RandomShift(2)</c> or <c>new RandomFlip()</c>: each
    /// training batch gets a random variant per sample, and teacher and student see the same result. Unlike
    /// <see cref="Augmentation"/> it combines with <see cref="TeacherCachePath"/>. Set one of the two, not both.
    /// </summary>
    public IEnumerableAugmentation? EnumerableAugmentation { get; init; }

    /// <summary>
    /// Early stopping: when set, the run stops once the evaluation accuracy has not improved for this many epochs, and
    /// the trained model is left with the weights of its best epoch. Needs an evaluation set, which must then be a
    /// validation split, never the test set. Off when null. For another metric, use <see cref="EarlyStoppingCallback"/> directly.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Lays out the convolutional part of training channels-last (NHWC, <see cref="DslKd.ChannelsLast"/>). At run start
    /// the 4-D weights of the trained module are converted in place, and those of a distillation recipe's teacher when
    /// it runs online (not with <see cref="TeacherCachePath"/>); this happens before the optimizer is created, so Adam's
    /// moments follow. Each training and evaluation batch that is a 4-D float tensor (images) is converted after
    /// augmentation; token ids, sequences and flat vectors are left as they are. libtorch's CPU convolutions, BatchNorm
    /// and pooling then run their NHWC kernels: on this project's CNN teacher the real loop's step took 0.67-0.68x as
    /// long (docs/benchmarks.md, sections 10 and 11). Off by default.
    /// </summary>
    /// <remarks>
    /// The values and shapes are the same, but the operators add up in another order, so losses and weights are not
    /// bit-identical to a run without it (they agree to float rounding; a test holds them to 1e-4). The modules the run
    /// converted are converted back when it ends, however it ends. Model files, checkpoints, best weights and exported
    /// weights hold the same bytes in either layout and load into either; the teacher cache is computed in the default
    /// format, so it is the same file. A model whose own code calls <c>view</c> on a 4-D activation fails with
    /// channels-last inputs (use <c>reshape</c> or <c>flatten</c>, as generated models do). Like <see cref="Device"/> and
    /// <see cref="Threads"/> it is not part of a checkpoint's identity: a run checkpointed with it may resume without it,
    /// and the other way round.
    /// </remarks>
    public bool ChannelsLast { get; init; }

    /// <summary>A progress event is raised every this many steps (default 10), and at the end of each epoch.</summary>
    public int ReportEverySteps { get; init; } = 10;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(Epochs > 0, nameof(Epochs), Epochs, "must be at least 1");
        Require(BatchSize > 0, nameof(BatchSize), BatchSize, "must be at least 1");
        Require(Optimizer.LearningRate > 0 && double.IsFinite(Optimizer.LearningRate), "Optimizer.LearningRate", Optimizer.LearningRate, "must be a positive number");
        Require(Optimizer.Momentum >= 0 && Optimizer.Momentum < 1, "Optimizer.Momentum", Optimizer.Momentum, "must be in [0, 1)");
        Require(!Optimizer.Nesterov || (Optimizer.Kind == OptimizerKind.Sgd && Optimizer.Momentum > 0), "Optimizer.Nesterov", Optimizer.Nesterov, "needs the SGD optimizer with Momentum > 0");
        Require(Optimizer.EffectiveWeightDecay >= 0, "Optimizer.WeightDecay", Optimizer.WeightDecay, "must not be negative");
        Require(Schedule.StepEpochs > 0, "Schedule.StepEpochs", Schedule.StepEpochs, "must be at least 1");
        Require(Schedule.Gamma > 0 && Schedule.Gamma <= 1, "Schedule.Gamma", Schedule.Gamma, "must be in (0, 1]");
        Require(Schedule.MinLearningRate >= 0, "Schedule.MinLearningRate", Schedule.MinLearningRate, "must not be negative");
        Require(Schedule.MaxLearningRate >= 0, "Schedule.MaxLearningRate", Schedule.MaxLearningRate, "must not be negative");
        Require(Schedule.WarmupEpochs > 0, "Schedule.WarmupEpochs", Schedule.WarmupEpochs, "must be positive");
        Require(GradientClipNorm is null || GradientClipNorm > 0, nameof(GradientClipNorm), GradientClipNorm, "must be positive when set");
        Require(Threads is null || Threads > 0, nameof(Threads), Threads, "must be at least 1 when set");
        Require(EarlyStoppingPatience is null || EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "must be at least 1 when set");
        Require(ReportEverySteps > 0, nameof(ReportEverySteps), ReportEverySteps, "must be at least 1");
        if (Augmentation is not null && EnumerableAugmentation is not null)
            throw new ArgumentException("Training options Augmentation and EnumerableAugmentation are both set; set one of them.", nameof(EnumerableAugmentation));
        if (TeacherCachePath is not null && Augmentation is not null) throw AugmentationNotCacheable();
    }

    /// <summary>Why <see cref="TeacherCachePath"/> refuses <see cref="Augmentation"/>, and what to do instead.</summary>
    internal static ArgumentException AugmentationNotCacheable() => new(
        "TeacherCachePath cannot be combined with this Augmentation: its variants cannot be enumerated, so the teacher's outputs " +
        "cannot be computed ahead. Set an IEnumerableAugmentation as EnumerableAugmentation instead (such as new RandomShift(2) or " +
        "new RandomFlip()), drop the cache (the teacher then sees each augmented batch) or drop the augmentation.", nameof(TeacherCachePath));

    /// <summary>The settings that decide the result of a run, so a checkpoint is only resumed by the same run.</summary>
    public string Fingerprint()
    {
        // The optimizer and schedule records print their numbers in the current culture; a fingerprint must read the same
        // on every machine, so a checkpoint written under one culture resumes under another.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return $"epochs={Epochs};batch={BatchSize};optimizer={Optimizer};schedule={Schedule};clip={GradientClipNorm};seed={Seed};augmentation={EnumerableAugmentation?.Identity ?? (Augmentation is null ? "none" : "custom")};patience={EarlyStoppingPatience}";
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static void Require(bool condition, string name, object? value, string rule)
    {
        if (!condition)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Training option {name} {rule}, but is {value}."), name);
    }
}
