using System;
using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd.Optimizers;

/// <summary>
/// TorchSharp's SGD with the step's numbers held as <see cref="KeptScalars"/>: the same operations in the same order
/// (so the same results, bit for bit, and the same state), without the finalizer race. Named as TorchSharp's class,
/// because TorchSharp writes the type's name into saved optimizer state (checkpoints) and checks it on loading.
/// </summary>
internal sealed class SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay, bool nesterov)
    : TorchSharp.Modules.SGD(parameters, learningRate, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        var (momentum, dampening, weightDecay, nesterov, lr) = (options.momentum!.Value, options.dampening!.Value, options.weight_decay!.Value, options.nesterov!.Value, options.LearningRate!.Value);
        if (options.maximize == true) throw new NotSupportedException("DslKd's optimizers do not maximize.");
        using var scalars = new KeptScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, alpha: scalars.Of(weightDecay));
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buffer;
                }
                else
                {
                    buffer.mul_(scalars.Of(momentum)).add_(grad, alpha: scalars.Of(1 - dampening));
                }
                grad = nesterov ? grad.add(buffer, alpha: scalars.Of(momentum)) : buffer;
            }
            param.add_(grad, alpha: scalars.Of(-lr));
        }
    }, closure);
}
