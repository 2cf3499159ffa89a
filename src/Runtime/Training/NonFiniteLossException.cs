using System;

namespace DslKd;

/// <summary>
/// Training stopped because a loss became NaN or infinite. Nothing was written for the failing epoch, so the last
/// checkpoint is the last good state.
/// </summary>
public sealed class NonFiniteLossException(string run, string term, double value, int epoch, long step)
    : Exception($"{run}: the loss term '{term}' became {value} at epoch {epoch}, step {step}. Training stopped; the last checkpoint " +
                "(if any) holds the last good state. Lower the learning rate, enable gradient clipping, or check the inputs for NaN.")
{
    /// <summary>The first term that was not finite ("Total" when all terms were finite but their sum was not).</summary>
    public string Term { get; } = term;
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; } = epoch;
    /// <summary>1-based step within the epoch.</summary>
    public long Step { get; } = step;
}
