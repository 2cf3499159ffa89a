using System;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Seeds TorchSharp's global generator for what runs inside the scope (a model's layer initialisation, a whole training
/// run), then restores the generator, so seeded work neither depends on nor disturbs the random state of the rest of the
/// program.
/// </summary>
public readonly struct SeedScope : IDisposable
{
    private readonly Tensor? _savedState;

    private SeedScope(Tensor savedState) => _savedState = savedState;

    /// <summary>Seeds the generator with <paramref name="seed"/>; a null seed leaves it alone.</summary>
    public static SeedScope Enter(long? seed)
    {
        if (seed is not { } value) return default;
        var saved = random.get_rng_state();
        random.manual_seed(value);
        return new SeedScope(saved);
    }

    /// <summary>Restores the generator state saved by <see cref="Enter"/>.</summary>
    public void Dispose()
    {
        if (_savedState is null) return;
        random.set_rng_state(_savedState);
        _savedState.Dispose();
    }
}
