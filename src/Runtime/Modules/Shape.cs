using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace DslKd;

/// <summary>The shape of one sample (no batch dimension), as inferred by the generator at compile time.</summary>
public sealed class Shape : IReadOnlyList<long>, IEquatable<Shape>
{
    private readonly long[] _dimensions;

    /// <summary>Creates a shape from its dimensions, outermost first.</summary>
    public Shape(params long[] dimensions) => _dimensions = (long[])dimensions.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>Number of elements in one sample.</summary>
    public long ElementCount => _dimensions.Aggregate(1L, (product, d) => product * d);

    /// <inheritdoc />
    public long this[int index] => _dimensions[index];

    /// <inheritdoc />
    public int Count => _dimensions.Length;

    /// <summary>The shape of a batch of <paramref name="batchSize"/> samples: <c>[batchSize, ...this]</c>.</summary>
    public long[] WithBatch(long batchSize) => [batchSize, .. _dimensions];

    /// <inheritdoc />
    public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)_dimensions).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && _dimensions.AsSpan().SequenceEqual(other._dimensions);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var d in _dimensions) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <summary>Formats as <c>[1, 28, 28]</c>, the notation the diagnostics and summaries use.</summary>
    public override string ToString() => "[" + string.Join(", ", _dimensions) + "]";
}
