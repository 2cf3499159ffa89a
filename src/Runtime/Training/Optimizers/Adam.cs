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
        var (beta1, beta2, weightDecay, eps, lr) = (options.beta1!.Value, options.beta2!.Value, options.weight_decay!.Value, options.eps!.Value, options.LearningRate!.Value);
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("DslKd's optimizers do not use AMSGrad or maximize.");
        using var scalars = new KeptScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) grad = grad.add(param, alpha: scalars.Of(weightDecay));
            state.exp_avg.mul_(scalars.Of(beta1)).add_(grad, alpha: scalars.Of(1 - beta1));
            state.exp_avg_sq.mul_(scalars.Of(beta2)).addcmul_(grad, grad.conj(), value: scalars.Of(1 - beta2));
            var denom = state.exp_avg_sq.sqrt().div_(scalars.Of(Math.Sqrt(biasCorrection2))).add_(scalars.Of(eps));
            param.addcdiv_(state.exp_avg, denom, value: scalars.Of(-(lr / biasCorrection1)));
        }
    }, closure);
}
