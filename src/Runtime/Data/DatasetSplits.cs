using System;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Seeded, class-aware ways to carve a <see cref="LabeledDataset"/> into parts. Both methods draw from their own
/// generator seeded with the given seed, so the result depends only on the data and the seed (not on TorchSharp's
/// global random state), and both keep the chosen samples in their original storage order.
/// </summary>
public static class DatasetSplits
{
    /// <summary>
    /// Splits off a stratified validation set: from each class, a seeded random
    /// round(<paramref name="validationFraction"/> x class size) of its samples go to validation, the rest to training.
    /// Every sample lands in exactly one of the two parts.
    /// </summary>
    /// <param name="data">The data to split (it is not modified; both parts are copies).</param>
    /// <param name="validationFraction">The share of each class held out, in (0, 1).</param>
    /// <param name="seed">Seed of the random choice; the same seed gives the same split.</param>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">One of the two parts would be empty, or a label is negative.</exception>
    public static (LabeledDataset Train, LabeledDataset Validation) SplitValidation(LabeledDataset data, double validationFraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be between 0 and 1 (exclusive).");

        Tensor trainIndices, validationIndices;
        using (NewDisposeScope())
        {
            var (samples, labels, rank, classSizes) = RankWithinClasses(data, seed);
            var heldOutPerClass = classSizes.to_type(ScalarType.Float64).mul(validationFraction).round().to_type(ScalarType.Int64);
            var heldOut = rank.lt(heldOutPerClass.index_select(0, labels));
            validationIndices = samples.masked_select(heldOut).sort().Values.MoveToOuterDisposeScope();
            trainIndices = samples.masked_select(heldOut.logical_not()).sort().Values.MoveToOuterDisposeScope();
        }

        using (trainIndices)
        using (validationIndices)
        {
            if (trainIndices.shape[0] == 0 || validationIndices.shape[0] == 0)
                throw new ArgumentException($"A validation fraction of {validationFraction} of {data.Count} samples leaves " +
                    $"{trainIndices.shape[0]} for training and {validationIndices.shape[0]} for validation; both must be non-empty.", nameof(validationFraction));
            return (data.Subset(trainIndices), data.Subset(validationIndices));
        }
    }

    /// <summary>
    /// A class-balanced random subset of <paramref name="count"/> samples, for small, quick runs: samples are taken
    /// round-robin over the classes in a seeded random order within each class, so class counts differ by at most one
    /// (unless a class runs out of samples, when the others make up the difference).
    /// </summary>
    /// <param name="data">The data to draw from (it is not modified; the subset is a copy).</param>
    /// <param name="count">How many samples to take, between 1 and the size of <paramref name="data"/>.</param>
    /// <param name="seed">Seed of the random choice; the same seed gives the same subset.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not in [1, N].</exception>
    public static LabeledDataset Take(LabeledDataset data, int count, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (count < 1 || count > data.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Asked for {count} samples from a dataset of {data.Count}; the count must be between 1 and {data.Count}.");

        Tensor chosen;
        using (NewDisposeScope())
        {
            var (samples, labels, rank, classSizes) = RankWithinClasses(data, seed);
            var roundRobin = rank.mul(classSizes.shape[0]).add(labels).argsort();
            chosen = samples.index_select(0, roundRobin.narrow(0, 0, count)).sort().Values.MoveToOuterDisposeScope();
        }

        using (chosen) return data.Subset(chosen);
    }

    /// <summary>
    /// Orders the samples by class, each class in a seeded random order. Returns, for position i of that order, the sample
    /// index, its label and its rank within its class, plus the size of every class.
    /// </summary>
    private static (Tensor Samples, Tensor Labels, Tensor Rank, Tensor ClassSizes) RankWithinClasses(LabeledDataset data, long seed)
    {
        var labels = data.Labels;
        if (data.Count > 0 && labels.min().item<long>() < 0)
            throw new ArgumentException("Labels must be non-negative class indices to split by class.", nameof(data));
        var classes = data.Classes ?? (data.Count == 0 ? 0 : (int)labels.max().item<long>() + 1);

        using var generator = new Generator(unchecked((ulong)seed));
        var permutation = randperm(data.Count, generator: generator);
        var (sortedLabels, byClass) = labels.index_select(0, permutation).sort(stable: true);
        var samples = permutation.index_select(0, byClass);

        var classSizes = labels.bincount(null, classes);
        var classStarts = classSizes.cumsum(0).sub(classSizes);
        var rank = arange(data.Count, dtype: ScalarType.Int64).sub(classStarts.index_select(0, sortedLabels));
        return (samples, sortedLabels, rank, classSizes);
    }
}
