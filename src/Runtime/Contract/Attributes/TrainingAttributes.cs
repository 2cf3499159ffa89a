using System;

namespace DslKd;

/// <summary>
/// Marks a <c>partial</c> class as the supervised training of <typeparamref name="TModel"/> on labels: the teacher stage,
/// or the "student alone" baseline. The generator emits <c>Train(...)</c> and <c>DefaultOptions</c> from the class's
/// training attributes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SupervisedAttribute<TModel> : Attribute
    where TModel : class
{
    /// <summary>Label smoothing of the cross-entropy, in [0, 1) (default 0).</summary>
    public double LabelSmoothing { get; set; }
}

/// <summary>Base of the attributes that set a recipe's training options.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class TrainingOptionAttribute : Attribute
{
    private protected TrainingOptionAttribute() { }
}

/// <summary>The optimizer a recipe trains with (default: Adam, learning rate 1e-3).</summary>
public sealed class OptimizerAttribute(OptimizerKind kind) : TrainingOptionAttribute
{
    /// <summary>The optimizer.</summary>
    public OptimizerKind Kind { get; } = kind;
    /// <summary>Learning rate (default 1e-3).</summary>
    public double LearningRate { get; set; } = 1e-3;
    /// <summary>SGD momentum in [0, 1) (default 0).</summary>
    public double Momentum { get; set; }
    /// <summary>Nesterov momentum (SGD with Momentum &gt; 0 only).</summary>
    public bool Nesterov { get; set; }
    /// <summary>Weight decay; unset means 0.01 for AdamW (PyTorch's default) and 0 otherwise.</summary>
    public double WeightDecay { get; set; }
}

/// <summary>The number of passes over the training data.</summary>
public sealed class EpochsAttribute(int epochs) : TrainingOptionAttribute
{
    /// <summary>Epochs, at least 1.</summary>
    public int Epochs { get; } = epochs;
}

/// <summary>Samples per optimizer step.</summary>
public sealed class BatchSizeAttribute(int batchSize) : TrainingOptionAttribute
{
    /// <summary>Batch size, at least 1.</summary>
    public int BatchSize { get; } = batchSize;
}

/// <summary>How the learning rate changes over the run (default: constant).</summary>
public sealed class LearningRateScheduleAttribute(ScheduleKind kind) : TrainingOptionAttribute
{
    /// <summary>The schedule.</summary>
    public ScheduleKind Kind { get; } = kind;
    /// <summary>Step: epochs between decays (default 1).</summary>
    public int StepEpochs { get; set; } = 1;
    /// <summary>Step: decay factor in (0, 1] (default 0.1).</summary>
    public double Gamma { get; set; } = 0.1;
    /// <summary>Cosine: final learning rate (default 0).</summary>
    public double MinLearningRate { get; set; }
    /// <summary>One-cycle: peak learning rate (default 10x the optimizer's).</summary>
    public double MaxLearningRate { get; set; }
    /// <summary>Linear warm-up: epochs to ramp up over (default 1).</summary>
    public double WarmupEpochs { get; set; } = 1;
}

/// <summary>Clips the gradients to a total L2 norm before each step.</summary>
public sealed class GradientClippingAttribute(double maxNorm) : TrainingOptionAttribute
{
    /// <summary>The largest total gradient norm, positive.</summary>
    public double MaxNorm { get; } = maxNorm;
}

/// <summary>Seeds shuffling and dropout so the same seed on the same machine gives identical metrics.</summary>
public sealed class SeedAttribute(long seed) : TrainingOptionAttribute
{
    /// <summary>The seed.</summary>
    public long Seed { get; } = seed;
}
