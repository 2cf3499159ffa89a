using System;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Tensor arithmetic with numbers, and the sum of two tensors, whose TorchSharp scalars stay alive until the native call
/// returns. TorchSharp's operators (<c>t * 0.5</c>, <c>a + b</c>, <c>t.pow(2)</c>) turn each number, and the alpha of 1
/// of an addition, into a temporary <see cref="Scalar"/> that the garbage collector may finalize, freeing its native
/// value, while libtorch is still reading it (the race <c>KeptScalars</c> closes for the optimizers). Code that runs at
/// every training step (the loss terms, the generated total, the residual sum) uses these instead.
/// </summary>
public static class KeptScalarArithmetic
{
    /// <summary>The alpha of an addition, held for the life of the process.</summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>
    /// <c>w1 * t1 + w2 * t2 + ...</c>, added left to right, skipping the terms that are null (a term switched off); the
    /// generated loss total.
    /// </summary>
    /// <exception cref="ArgumentException">Every term is null.</exception>
    public static Tensor WeightedSum(params (double Weight, Tensor? Term)[] terms)
    {
        Tensor? total = null;
        foreach (var (weight, term) in terms)
        {
            if (term is null) continue;
            var weighted = term.Times(weight);
            total = total is null ? weighted : total.Plus(weighted);
        }
        return total ?? throw new ArgumentException("A weighted sum needs at least one term that is not null.", nameof(terms));
    }

    /// <summary><c>left + right</c>.</summary>
    public static Tensor Plus(this Tensor left, Tensor right) => left.add(right, One);

    /// <summary><c>tensor + value</c>.</summary>
    public static Tensor Plus(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar, One);
    }

    /// <summary><c>tensor * value</c>.</summary>
    public static Tensor Times(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><c>tensor / value</c>.</summary>
    public static Tensor DividedBy(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary><c>value - tensor</c>.</summary>
    public static Tensor SubtractedFrom(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.neg().add(scalar, One);
    }

    /// <summary><c>tensor ^ exponent</c>, elementwise.</summary>
    public static Tensor Power(this Tensor tensor, double exponent)
    {
        using var scalar = exponent.ToScalar();
        return tensor.pow(scalar);
    }

    /// <summary><c>tensor</c> with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor FilledWhere(this Tensor tensor, Tensor mask, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.masked_fill(mask, scalar);
    }

    /// <summary><c>tensor &gt; value</c>, elementwise.</summary>
    public static Tensor GreaterThan(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.gt(scalar);
    }

    /// <summary><c>max(tensor, minimum)</c>, elementwise.</summary>
    public static Tensor AtLeast(this Tensor tensor, double minimum)
    {
        using var scalar = minimum.ToScalar();
        return tensor.clamp_min(scalar);
    }
}
