using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Creates the TorchSharp optimizer <see cref="OptimizerSettings"/> describe.</summary>
public static class OptimizerFactory
{
    /// <summary>An optimizer over <paramref name="parameters"/>.</summary>
    public static OptimizerHelper Create(OptimizerSettings settings, IEnumerable<Parameter> parameters) => settings.Kind switch
    {
        OptimizerKind.Sgd => optim.SGD(parameters, settings.LearningRate, momentum: settings.Momentum,
            weight_decay: settings.EffectiveWeightDecay, nesterov: settings.Nesterov),
        OptimizerKind.AdamW => optim.AdamW(parameters, settings.LearningRate, weight_decay: settings.EffectiveWeightDecay),
        _ => optim.Adam(parameters, settings.LearningRate, weight_decay: settings.EffectiveWeightDecay),
    };

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
