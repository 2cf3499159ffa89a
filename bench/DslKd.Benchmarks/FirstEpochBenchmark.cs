using System.Diagnostics;
using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>
/// The example's CNN teacher trained by the real training loop for two epochs (batch 128, Adam, shifted images as the
/// example trains it) with every step timed by a callback: how much longer the first epoch takes than the second, and
/// where in the first epoch the extra time goes; then the same run with <see cref="TrainingOptions.ChannelsLast"/>, its
/// second epoch against the default one's.
/// </summary>
public static class FirstEpochBenchmark
{
    private const string Section = "10. First epoch vs second (and ChannelsLast), CNN teacher in the training loop (batch 128), ms";

    public static void Run(BenchReport report, int samples)
    {
        using var data = new LabeledDataset(rand(samples, 1, 28, 28), randint(0, 10, samples), classes: 10);
        using var validation = new LabeledDataset(rand(samples / 9, 1, 28, 28), randint(0, 10, samples / 9), classes: 10);
        var (timer, whole) = Train(data, validation, channelsLast: false);
        report.Add(Section, "whole run (2 epochs, with evaluation)", whole, "ms");

        var first = timer.Epochs[0];
        var second = timer.Epochs[1];
        report.Add(Section, "epoch 1: sum of steps", first.Sum(), "ms");
        report.Add(Section, "epoch 2: sum of steps", second.Sum(), "ms");
        report.Add(Section, "epoch 1 / epoch 2 (steps only)", first.Sum() / second.Sum(), "x");
        report.Add(Section, "epoch 1 / epoch 2 (whole epochs, with evaluation)", timer.EpochMilliseconds[0] / timer.EpochMilliseconds[1], "x");
        var secondMedian = Median(second);
        foreach (var (from, to) in new[] { (0, 1), (1, 10), (10, 50), (50, 100), (100, first.Count) })
        {
            if (from >= first.Count) break;
            var window = first.GetRange(from, Math.Min(to, first.Count) - from);
            report.Add(Section, $"epoch 1 steps {from + 1}-{from + window.Count}: median / epoch 2's median", Median(window) / secondMedian, "x",
                $"extra {window.Sum() - window.Count * secondMedian:F0} ms");
        }

        // The same run with TrainingOptions.ChannelsLast, after the default one (so both second epochs are warm): what the
        // option gives in the real loop, augmentation, Adam and evaluation included.
        var (channelsLast, channelsLastWhole) = Train(data, validation, channelsLast: true);
        report.Add(Section, "ChannelsLast = true: whole run (2 epochs, with evaluation)", channelsLastWhole, "ms");
        report.Add(Section, "ChannelsLast = true: epoch 2, sum of steps", channelsLast.Epochs[1].Sum(), "ms");
        report.Add(Section, "ChannelsLast / default: epoch 2 steps (sum)", channelsLast.Epochs[1].Sum() / second.Sum(), "x",
            $"median step {Median(channelsLast.Epochs[1]):F1} vs {secondMedian:F1} ms");
        report.Add(Section, "ChannelsLast / default: whole epoch 2 (with evaluation)", channelsLast.EpochMilliseconds[1] / timer.EpochMilliseconds[1], "x");
    }

    /// <summary>Two epochs of the example's CNN teacher by the real loop, every step timed; and the whole run's milliseconds.</summary>
    private static (StepTimer Timer, double Milliseconds) Train(LabeledDataset data, LabeledDataset validation, bool channelsLast)
    {
        var task = new TrainWideCnn(new WideCnn(seed: 1));
        var timer = new StepTimer();
        var options = TrainWideCnn.DefaultOptions with
        {
            Epochs = 2, BatchSize = 128, Seed = 1,
            EnumerableAugmentation = new RandomShift(2),
            ChannelsLast = channelsLast,
        };
        var clock = Stopwatch.StartNew();
        TrainingLoop.Run(task, data, validation, options, [.. TrainingLoop.DefaultCallbacks(options), timer]);
        return (timer, clock.Elapsed.TotalMilliseconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed class StepTimer : TrainingCallback
    {
        private readonly Stopwatch _step = new();
        private readonly Stopwatch _epoch = new();

        public List<List<double>> Epochs { get; } = [];
        public List<double> EpochMilliseconds { get; } = [];

        public override void OnEpochStart(TrainingContext context)
        {
            Epochs.Add([]);
            _epoch.Restart();
            _step.Restart();
        }

        public override void OnStepEnd(TrainingContext context, TrainingStep step)
        {
            Epochs[^1].Add(_step.Elapsed.TotalMilliseconds);
            _step.Restart();
        }

        public override void OnEpochEnd(TrainingContext context, EpochResult result) => EpochMilliseconds.Add(_epoch.Elapsed.TotalMilliseconds);
    }
}
