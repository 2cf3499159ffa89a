namespace DslKd;

/// <summary>The optimizers a recipe can train with.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent, optionally with (Nesterov) momentum.</summary>
    Sgd,
    /// <summary>Adam (Kingma and Ba 2015).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter 2019).</summary>
    AdamW,
}

/// <summary>How the learning rate changes over training.</summary>
public enum ScheduleKind
{
    /// <summary>The learning rate stays constant.</summary>
    Constant,
    /// <summary>Multiplied by <c>Gamma</c> every <c>StepEpochs</c> epochs.</summary>
    Step,
    /// <summary>Cosine annealing from the learning rate to <c>MinLearningRate</c> over the whole run.</summary>
    Cosine,
    /// <summary>One-cycle (Smith 2018): warm up to <c>MaxLearningRate</c> for the first 30% of steps, then cosine down.</summary>
    OneCycle,
    /// <summary>Linear warm-up from 0 over <c>WarmupEpochs</c>, then constant.</summary>
    LinearWarmup,
}
