using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A whole labelled dataset held as two tensors: inputs [N, ...] (float32 values, or int64 token ids [N, T] for a model
/// that starts with an embedding, see <see cref="FromTokenSequences"/>) and labels [N] (int64). Batches are cut by
/// <c>index_select</c> over a permutation, much faster than assembling them sample by sample.
/// </summary>
public sealed partial class LabeledDataset : IDisposable
{
    /// <summary>Wraps <paramref name="inputs"/> and <paramref name="labels"/>, checking they agree.</summary>
    /// <param name="inputs">[N, ...] float tensor, or [N, T] int64 token ids.</param>
    /// <param name="labels">[N] integer class indices.</param>
    /// <param name="classes">When given, every label must be in [0, classes).</param>
    public LabeledDataset(Tensor inputs, Tensor labels, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.dim() < 2)
            throw new ArgumentException($"Inputs must be [samples, ...] with at least one feature dimension, but have shape [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        if (labels.dim() != 1)
            throw new ArgumentException($"Labels must be a vector [samples], but have shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (inputs.shape[0] != labels.shape[0])
            throw new ArgumentException($"There are {inputs.shape[0]} inputs but {labels.shape[0]} labels.", nameof(labels));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"Labels must be int64 class indices, not {labels.dtype}.", nameof(labels));
        if (classes is { } k && labels.shape[0] > 0)
        {
            var min = labels.min().item<long>();
            var max = labels.max().item<long>();
            if (min < 0 || max >= k)
                throw new ArgumentException($"Labels must be in [0, {k}) but range from {min} to {max}.", nameof(labels));
        }

        Inputs = inputs;
        Labels = labels;
        Classes = classes;
    }

    /// <summary>All inputs, [N, ...].</summary>
    public Tensor Inputs { get; }

    /// <summary>All labels, [N].</summary>
    public Tensor Labels { get; }

    /// <summary>The number of classes, when known.</summary>
    public int? Classes { get; }

    /// <summary>Number of samples.</summary>
    public long Count => Labels.shape[0];

    /// <summary>The number of batches of <paramref name="batchSize"/> (the last one may be smaller).</summary>
    public long BatchCount(long batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>
    /// The batches in the order <paramref name="order"/> gives (a permutation of [0, N)), or in storage order when null.
    /// Each batch is created in the caller's current dispose scope.
    /// </summary>
    public IEnumerable<(Tensor Inputs, Tensor Labels, Tensor Indices)> Batches(long batchSize, Tensor? order = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        for (var index = 0L; index < BatchCount(batchSize); index++) yield return Batch(index, batchSize, order);
    }

    /// <summary>
    /// Batch number <paramref name="index"/> (0-based) of size <paramref name="batchSize"/> in the order <paramref name="order"/>,
    /// created in the caller's current dispose scope: open the step's scope first, then take the batch.
    /// </summary>
    public (Tensor Inputs, Tensor Labels, Tensor Indices) Batch(long index, long batchSize, Tensor? order = null)
    {
        var start = index * batchSize;
        if (index < 0 || start >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {BatchCount(batchSize)} batches.");
        var length = Math.Min(batchSize, Count - start);
        var indices = order is null ? arange(start, start + length, dtype: ScalarType.Int64) : order.narrow(0, start, length);
        return (Inputs.index_select(0, indices), Labels.index_select(0, indices), indices);
    }

    /// <summary>A SHA-256 of the inputs and labels (shapes and bytes), as hex: equal for equal data.</summary>
    public string ContentHash()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        TensorHash.Append(hash, Inputs);
        TensorHash.Append(hash, Labels);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>A dataset of the samples at <paramref name="indices"/> (copies).</summary>
    public LabeledDataset Subset(Tensor indices) => new(Inputs.index_select(0, indices), Labels.index_select(0, indices), Classes);

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
