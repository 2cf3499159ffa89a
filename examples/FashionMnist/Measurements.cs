using DslKd;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>What the results table reports for one model.</summary>
/// <param name="Latency">One sample at a time (batch 1).</param>
/// <param name="Batch">A batch of <see cref="BatchSize"/> samples.</param>
public sealed record ModelMeasurement(
    string Name, long Parameters, long BytesOnDisk, EvaluationResult Test, TimingSample Latency, TimingSample Batch, long BatchSize)
{
    /// <summary>How the model was trained (recipe, loss settings, epochs, seed, options).</summary>
    public TrainingSummary? Training { get; init; }

    /// <summary>Median time of a batch-1 run.</summary>
    public double LatencyMicroseconds => Latency.MedianSeconds * 1e6;

    /// <summary>Samples per second at the median batch time.</summary>
    public double SamplesPerSecond => BatchSize / Batch.MedianSeconds;
}

public static class Measurements
{
    /// <summary>The largest batch the throughput is measured at.</summary>
    public const int ThroughputBatch = 256;

    public static ModelMeasurement Measure(string name, nn.Module<Tensor, Tensor> model, long parameters, string savedPath, LabeledDataset test)
    {
        model.eval();
        var evaluation = Evaluator.Evaluate(model.call, test, 512);
        using var noGrad = no_grad();
        var single = test.Inputs.narrow(0, 0, 1);
        var batch = test.Inputs.narrow(0, 0, Math.Min(ThroughputBatch, test.Count));
        var latency = Timing.Measure(() => model.call(single).Dispose(), minimumRuns: 200);
        var batchTime = Timing.Measure(() => model.call(batch).Dispose(), minimumRuns: 15);
        return new ModelMeasurement(name, parameters, new FileInfo(savedPath).Length, evaluation, latency, batchTime, batch.shape[0]);
    }
}
