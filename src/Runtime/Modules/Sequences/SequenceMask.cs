using System;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The padding mask of the current forward pass: <c>[batch, T]</c> booleans, true at padded positions. A model whose first
/// layer is an embedding opens a scope (<see cref="Enter"/>) at the start of its forward pass; the
/// <see cref="TokenEmbedding"/> (when it has a padding index) records the mask of its tokens, and the layers after it that
/// look across time (<see cref="RecurrentLayer"/>, <see cref="TransformerEncoderLayers"/>, <see cref="TimePoolingLayer"/>)
/// read it while their input still has that batch size and that length <c>T</c>.
/// </summary>
/// <remarks>
/// The mask is per thread ([ThreadStatic]) and per scope: <see cref="Enter"/> clears it, and disposing the scope disposes the
/// scope's mask and restores the one of the enclosing scope, so a teacher's forward pass inside a student's (or any nested
/// pass) never sees or disturbs the other's. Outside every scope no mask is recorded: a hand-built stack of these layers
/// that wants masking opens a scope itself.
/// </remarks>
public static class SequenceMask
{
    [ThreadStatic] private static Scope? _current;

    /// <summary>Starts a forward pass: the mask is cleared now, and the enclosing scope's mask is back when the returned scope is disposed.</summary>
    public static IDisposable Enter() => _current = new Scope(_current);

    /// <summary>[batch, T] booleans, true at padded positions; null when no layer of the current scope recorded one (or outside a scope).</summary>
    public static Tensor? Current => _current?.Mask;

    /// <summary>True inside a scope opened by <see cref="Enter"/> on this thread.</summary>
    public static bool IsActive => _current is not null;

    /// <summary>
    /// Records <paramref name="mask"/> ([batch, T] booleans, true = padded) as the current scope's mask, replacing (and
    /// disposing) an earlier one. The scope owns the tensor from now on (it leaves every dispose scope). Outside a scope
    /// nothing is recorded and the tensor is disposed.
    /// </summary>
    /// <returns>True when the mask was recorded.</returns>
    public static bool Set(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.dtype != ScalarType.Bool || mask.dim() != 2)
            throw new ArgumentException($"A sequence mask is [batch, T] booleans, not {mask.dtype} [{string.Join(", ", mask.shape)}].", nameof(mask));
        if (_current is not { } scope)
        {
            mask.Dispose();
            return false;
        }
        scope.Replace(mask.DetachFromDisposeScope());
        return true;
    }

    /// <summary>
    /// The current mask when it fits <paramref name="input"/> (<c>[batch, T, ...]</c> with the mask's batch size and T), else
    /// null: a layer that changed the length (windowed pooling) ends the mask's reach.
    /// </summary>
    public static Tensor? For(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var mask = Current;
        if (mask is null || input.dim() < 2) return null;
        return input.shape[0] == mask.shape[0] && input.shape[1] == mask.shape[1] ? mask : null;
    }

    private sealed class Scope(Scope? outer) : IDisposable
    {
        private readonly Scope? _outer = outer;
        private bool _disposed;

        public Tensor? Mask { get; private set; }

        public void Replace(Tensor mask)
        {
            if (!ReferenceEquals(Mask, mask)) Mask?.Dispose();
            Mask = mask;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Mask?.Dispose();
            Mask = null;
            // Scopes end in the reverse order they started; one ended out of order is skipped when its inner scope ends.
            if (!ReferenceEquals(_current, this)) return;
            var next = _outer;
            while (next is { _disposed: true }) next = next._outer;
            _current = next;
        }
    }
}
