using System.Globalization;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

public class DatasetAndScheduleTests
{
    [Fact]
    public void Options_fingerprint_reads_the_same_under_every_culture()
    {
        var options = new TrainingOptions
        {
            Optimizer = new OptimizerSettings(OptimizerKind.Sgd, 0.05) { Momentum = 0.9 },
            Schedule = new ScheduleSettings(ScheduleKind.Cosine) { MinLearningRate = 1e-4 },
            GradientClipNorm = 1.5,
        };
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            var invariant = options.Fingerprint();
            // A decimal comma, as in de-DE, built by hand so the test needs no ICU culture data.
            var decimalComma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            decimalComma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = decimalComma;
            var withComma = options.Fingerprint();

            Assert.Equal(invariant, withComma);
            Assert.Contains("LearningRate = 0.05", withComma);
            Assert.Contains("clip=1.5", withComma);
            Assert.Same(decimalComma, CultureInfo.CurrentCulture); // the caller's culture is restored
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void Dataset_refuses_mismatched_or_out_of_range_labels_with_clear_messages()
    {
        var images = zeros(4, 1, 2, 2);
        Assert.Contains("4 inputs but 3 labels", Assert.Throws<ArgumentException>(() => new LabeledDataset(images, tensor(new long[] { 0, 1, 2 }))).Message);
        Assert.Contains("[0, 3) but range from 0 to 7", Assert.Throws<ArgumentException>(() => new LabeledDataset(images, tensor(new long[] { 0, 1, 2, 7 }), classes: 3)).Message);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => new LabeledDataset(images, tensor(new[] { 0f, 1, 2, 3 }))).Message);
    }

    [Fact]
    public void Batches_cover_every_sample_once_in_the_given_order()
    {
        var data = new LabeledDataset(arange(10, dtype: ScalarType.Float32).reshape(10, 1), arange(10, dtype: ScalarType.Int64));
        var order = tensor(new long[] { 3, 1, 4, 0, 9, 2, 6, 5, 8, 7 });

        var batches = data.Batches(4, order).ToList();

        Assert.Equal([4L, 4, 2], batches.Select(b => b.Labels.shape[0]));
        Assert.Equal(order.data<long>().ToArray(), batches.SelectMany(b => b.Labels.data<long>().ToArray()));
        Assert.Equal(3, data.BatchCount(4));
    }

    [Fact]
    public void Schedules_follow_their_formulas()
    {
        var cosine = new LearningRateSchedule(new ScheduleSettings(ScheduleKind.Cosine) { MinLearningRate = 0.1 }, 1.0, stepsPerEpoch: 10, epochs: 10);
        Assert.Equal(1.0, cosine.At(0), 12);
        Assert.Equal(0.55, cosine.At(50), 12);
        Assert.Equal(0.1, cosine.At(100), 12);

        var step = new LearningRateSchedule(new ScheduleSettings(ScheduleKind.Step) { StepEpochs = 2, Gamma = 0.5 }, 1.0, 10, 10);
        Assert.Equal([1.0, 1.0, 0.5, 0.25], new[] { 0L, 19, 20, 40 }.Select(step.At));

        var warmup = new LearningRateSchedule(new ScheduleSettings(ScheduleKind.LinearWarmup) { WarmupEpochs = 1 }, 1.0, 10, 3);
        Assert.Equal([0.1, 0.5, 1.0, 1.0], new[] { 0L, 4, 9, 25 }.Select(warmup.At));

        var oneCycle = new LearningRateSchedule(new ScheduleSettings(ScheduleKind.OneCycle), 0.01, 10, 10);
        Assert.Equal(0.004, oneCycle.At(0), 12);   // peak / 25
        Assert.Equal(0.1, oneCycle.At(30), 12);    // the peak, 10x the base rate, at 30% of the run
        Assert.True(oneCycle.At(100) < 1e-6);
    }
}
