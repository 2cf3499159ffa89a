using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Creates the optimizer <see cref="OptimizerSettings"/> describe.</summary>
public static class OptimizerFactory
{
    /// <summary>
    /// An optimizer over <paramref name="parameters"/>: TorchSharp's SGD, Adam or AdamW, whose steps (the same
    /// operations, results and state) keep their numbers alive through the native calls (<see cref="Optimizers.KeptScalars"/>).
    /// </summary>
    public static OptimizerHelper Create(OptimizerSettings settings, IEnumerable<Parameter> parameters) => settings.Kind switch
    {
        OptimizerKind.Sgd => new Optimizers.SGD(parameters, settings.LearningRate, settings.Momentum, settings.EffectiveWeightDecay, settings.Nesterov),
        OptimizerKind.AdamW => new Optimizers.AdamW(parameters, settings.LearningRate, settings.EffectiveWeightDecay),
        _ => new Optimizers.Adam(parameters, settings.LearningRate, settings.EffectiveWeightDecay),
    };

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
