using System;
using System.Collections.Generic;
using TorchSharp;

namespace DslKd.Optimizers;

/// <summary>
/// TorchSharp scalars that stay reachable until the step that made them is over.
/// </summary>
/// <remarks>
/// TorchSharp turns a number passed to a tensor operation (<c>t.mul_(0.9)</c>) into a temporary <see cref="Scalar"/>,
/// hands its native handle to libtorch and leaves the object to the garbage collector. The object is unreachable from
/// the moment its handle is read, so a collection started by another thread during the native call can run its
/// finalizer, which frees the native scalar while libtorch is about to read it: the operation then fails with "Unknown
/// scalar type" or, worse, reads whatever the freed memory holds. An optimizer step makes several such scalars per
/// parameter, which makes it the likeliest place to meet the race: the example's student-alone stage failed once with
/// "Unknown scalar type" inside TorchSharp's Adam step, and with other threads collecting without pause 1.5-3% of
/// TorchSharp's SGD, Adam and AdamW steps fail so (the harness of OptimizerTests, run by hand for 5,000 steps). Scalars made here are held by this list until
/// <see cref="Dispose"/>, which frees them at once instead of at some later collection. TorchSharp's overloads that
/// supply a default themselves (<c>add_(Scalar)</c> passes an alpha of 1) make a temporary too, so the steps call the
/// overloads that take every scalar.
/// </remarks>
internal sealed class KeptScalars : IDisposable
{
    private readonly List<Scalar> _scalars = [];

    /// <summary>A scalar of <paramref name="value"/> (a double, as TorchSharp's implicit conversion makes it), kept until disposal.</summary>
    public Scalar Of(double value)
    {
        var scalar = value.ToScalar();
        _scalars.Add(scalar);
        return scalar;
    }

    /// <summary>A scalar of the integer <paramref name="value"/>, as TorchSharp makes for an integer argument, kept until disposal.</summary>
    public Scalar Of(int value)
    {
        var scalar = value.ToScalar();
        _scalars.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in _scalars) scalar.Dispose();
        _scalars.Clear();
    }
}
