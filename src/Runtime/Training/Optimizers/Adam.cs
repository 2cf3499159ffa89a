using System;
using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd.Optimizers;

/// <summary>
/// TorchSharp's Adam with the step's numbers held as <see cref="KeptScalars"/>: the same operations in the same order
/// (so the same results, bit for bit, and the same state), without the finalizer race. Named as TorchSharp's class,
/// because TorchSharp writes the type's name into saved optimizer state (checkpoints) and checks it on loading.
/// </summary>
internal sealed class Adam(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
    : TorchSharp.Modules.Adam(parameters, learningRate, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        AdamUpdate.CheckVariant(options.amsgrad, options.maximize);
        var weightDecay = options.weight_decay!.Value;
        using var scalars = new KeptScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            if (weightDecay != 0) grad = grad.add(param, alpha: scalars.Of(weightDecay));
            AdamUpdate.Apply(param, grad, state.exp_avg, state.exp_avg_sq, state.step, options.beta1!.Value, options.beta2!.Value, options.eps!.Value,
                options.LearningRate!.Value, scalars);
        }
    }, closure);
}
