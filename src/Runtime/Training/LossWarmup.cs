using System;

namespace DslKd;

/// <summary>
/// The factor a term declared with <see cref="LossTermAttribute.WarmupEpochs"/> multiplies its weight by: in epoch
/// <c>e</c> (counted from 1) of a training run, <c>min(e / WarmupEpochs, 1)</c>, as mdistiller ramps DKD's weight in
/// over its first 20 epochs. Outside a training run (a loss computed by hand, an evaluation after training) the factor
/// is 1: the term counts in full. The training loop sets the epoch for the thread it runs on.
/// </summary>
public static class LossWarmup
{
    [ThreadStatic] private static int _epoch;

    /// <summary>The epoch the training loop on this thread is in (from 1), or null outside a training run.</summary>
    public static int? CurrentEpoch => _epoch > 0 ? _epoch : null;

    /// <summary><c>min(epoch / warmupEpochs, 1)</c> in a training run; 1 outside one or when <paramref name="warmupEpochs"/> is 0.</summary>
    public static double Factor(int warmupEpochs)
    {
        if (warmupEpochs < 0) throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "The warm-up must not be negative.");
        return warmupEpochs == 0 || _epoch == 0 ? 1.0 : Math.Min((double)_epoch / warmupEpochs, 1.0);
    }

    /// <summary>Marks this thread as being in <paramref name="epoch"/> until the returned scope ends (the loop's epochs).</summary>
    internal static IDisposable During(int epoch)
    {
        var outer = _epoch;
        _epoch = epoch;
        return new Scope(outer);
    }

    private sealed class Scope(int outer) : IDisposable
    {
        public void Dispose() => _epoch = outer;
    }
}
