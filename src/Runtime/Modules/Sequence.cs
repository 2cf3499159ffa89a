using System.Collections.Generic;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Runs layers in order, releasing each intermediate once the next layer has consumed it.</summary>
internal static class Sequence
{
    /// <summary>
    /// The output of <paramref name="layers"/> applied to <paramref name="input"/>. Intermediates are released as soon as the
    /// next layer has consumed them, as nn.Sequential does: autograd keeps its own reference to what backward needs, and the
    /// allocator gets the memory back for the next layer (measured: holding them to the end of the step cost a CNN training
    /// step 5-10%, docs/benchmarks.md). <paramref name="input"/> itself is released only when it is not the caller's
    /// (<paramref name="keepInput"/> false and <paramref name="disposeIntermediates"/> true). Never returns the input
    /// object itself: callers may dispose what a block returns.
    /// </summary>
    public static Tensor Run(IReadOnlyList<nn.Module<Tensor, Tensor>> layers, Tensor input, bool disposeIntermediates = true, bool keepInput = true)
    {
        var x = input;
        foreach (var layer in layers)
        {
            var next = layer.call(x);
            if (disposeIntermediates && !ReferenceEquals(next, x) && (!ReferenceEquals(x, input) || !keepInput))
                x.Dispose();
            x = next;
        }
        return ReferenceEquals(x, input) ? input.alias() : x;
    }
}
