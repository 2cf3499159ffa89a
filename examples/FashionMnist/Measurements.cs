using System.Diagnostics;
using DslKd;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>What the results table reports for one model.</summary>
public sealed record ModelMeasurement(
    string Name, long Parameters, long BytesOnDisk, EvaluationResult Test, double LatencyMicroseconds, double SamplesPerSecond)
{
    /// <summary>How the model was trained (recipe, loss settings, epochs, seed, options).</summary>
    public TrainingSummary? Training { get; init; }
}

public static class Measurements
{
    public static ModelMeasurement Measure(string name, nn.Module<Tensor, Tensor> model, long parameters, string savedPath, LabeledDataset test)
    {
        model.eval();
        var evaluation = Evaluator.Evaluate(model.call, test, 512);
        using var noGrad = no_grad();
        var single = test.Inputs.narrow(0, 0, 1);
        var batch = test.Inputs.narrow(0, 0, Math.Min(256, test.Count));
        var latency = MedianSeconds(() => model.call(single).Dispose(), 200);
        var batchSeconds = MedianSeconds(() => model.call(batch).Dispose(), 15);
        return new ModelMeasurement(name, parameters, new FileInfo(savedPath).Length, evaluation, latency * 1e6, batch.shape[0] / batchSeconds);
    }

    private static double MedianSeconds(Action action, int repetitions)
    {
        for (var i = 0; i < 5; i++) action();
        var times = new double[repetitions];
        for (var i = 0; i < repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repetitions / 2];
    }
}
