using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace DslKd;

public static partial class DistillationLosses
{
    /// <summary>
    /// Parameter anchoring: <c>sum_k ||theta_S,k - theta_T,k||^2</c> over the parameter pairs the generator matched
    /// (same state_dict name and shape). Use as <c>L = L_task + lambda * this</c>.
    /// </summary>
    public static Tensor ParameterAnchoring(IReadOnlyList<(Tensor Student, Tensor Teacher)> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("Parameter anchoring needs at least one parameter pair.", nameof(pairs));
        using var scope = NewDisposeScope();
        var total = zeros([], dtype: pairs[0].Student.dtype, device: pairs[0].Student.device);
        foreach (var (student, teacher) in pairs)
            total = total.Plus((student - teacher.detach()).Power(2).sum());
        return total.MoveToOuterDisposeScope();
    }
}
