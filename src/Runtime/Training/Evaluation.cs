using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Classification metrics on a held-out set.</summary>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="PerClassAccuracy">Recall of each class (NaN for a class with no samples).</param>
/// <param name="ConfusionMatrix">[true class][predicted class] counts.</param>
/// <param name="Samples">Samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, IReadOnlyList<double> PerClassAccuracy, long[][] ConfusionMatrix, long Samples);

/// <summary>The metrics of one epoch: training loss and, when an evaluation set was given, its metrics.</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, IReadOnlyDictionary<string, double> TrainTerms, double LearningRate,
    EvaluationResult? Evaluation, TimeSpan Elapsed);

/// <summary>Everything a finished run produced.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochResult> Epochs)
{
    /// <summary>The last epoch's metrics.</summary>
    public EpochResult Final => Epochs[^1];

    /// <summary>With early stopping: the epoch whose weights the model was left with (the best by its metric, by default the evaluation accuracy).</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Whether a callback (early stopping) stopped the run before its last epoch.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The metrics of the weights the model ends with: the best epoch's with early stopping, else the last.</summary>
    public EpochResult Kept => BestEpoch is { } best ? Epochs[best - 1] : Final;
}

/// <summary>Evaluates a classifier batch by batch, without autograd.</summary>
public static class Evaluator
{
    /// <summary>Runs <paramref name="predict"/> (class scores [B, K]) over <paramref name="data"/> in storage order.</summary>
    public static EvaluationResult Evaluate(Func<Tensor, Tensor> predict, LabeledDataset data, int batchSize, Device? device = null)
    {
        using var noGrad = no_grad();
        double lossSum = 0;
        long[]? confusion = null;
        var classes = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(batchSize, data.Count - start);
            var inputs = data.Inputs.narrow(0, start, length);
            var labels = data.Labels.narrow(0, start, length);
            if (device is not null) (inputs, labels) = (inputs.to(device), labels.to(device));
            var scores = predict(inputs);
            if (confusion is null)
            {
                classes = (int)scores.shape[1];
                confusion = new long[classes * classes];
            }
            lossSum += nn.functional.cross_entropy(scores, labels, reduction: nn.Reduction.Sum).ToDouble();
            var cells = (labels * classes + scores.argmax(1)).bincount(null, classes * classes).cpu();
            var counts = cells.data<long>().ToArray();
            for (var i = 0; i < counts.Length; i++) confusion[i] += counts[i];
        }

        if (confusion is null) throw new ArgumentException("Cannot evaluate on an empty dataset.", nameof(data));
        var matrix = Enumerable.Range(0, classes).Select(t => confusion.AsSpan(t * classes, classes).ToArray()).ToArray();
        var correct = Enumerable.Range(0, classes).Sum(c => matrix[c][c]);
        var perClass = matrix.Select((row, c) => row.Sum() == 0 ? double.NaN : (double)row[c] / row.Sum()).ToArray();
        return new EvaluationResult(lossSum / data.Count, (double)correct / data.Count, perClass, matrix, data.Count);
    }
}
