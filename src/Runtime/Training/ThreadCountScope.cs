using System;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Sets TorchSharp's intra-op thread count, which is process-wide, for the scope and restores the previous count
/// afterwards, so a training run's <see cref="TrainingOptions.Threads"/> does not outlive it.
/// </summary>
public readonly struct ThreadCountScope : IDisposable
{
    private readonly int _savedThreads;

    private ThreadCountScope(int savedThreads) => _savedThreads = savedThreads;

    /// <summary>Uses <paramref name="threads"/> threads until disposed; a null count leaves the setting alone.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public static ThreadCountScope Enter(int? threads)
    {
        if (threads is not { } count) return default;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(threads));
        var saved = get_num_threads();
        set_num_threads(count);
        return new ThreadCountScope(saved);
    }

    /// <summary>Restores the thread count saved by <see cref="Enter"/>.</summary>
    public void Dispose()
    {
        if (_savedThreads > 0) set_num_threads(_savedThreads);
    }
}
