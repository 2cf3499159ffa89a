using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>The offline teacher cache, and memory across epochs.</summary>
public static class CacheAndMemoryBenchmarks
{
    public static void Cache(BenchReport report, LabeledDataset data, int steps)
    {
        const string section = "4. Offline teacher cache (MLP pair), step-interleaved medians";
        var (x, y, indices) = data.Batch(0, 256);
        var recipe = new MlpKd(new BigMlp(seed: 1), new SmallMlp(seed: 2));
        ICachedTeacherTask cached = recipe;
        var cachePath = Path.Combine(Path.GetTempPath(), $"dslkd-bench-{Guid.NewGuid():N}.cache");
        try
        {
            var build = Stopwatch.StartNew();
            using var cache = TeacherCache.LoadOrBuild(cachePath, cached, data, 256, CPU).Cache;
            report.Add(section, $"building the cache ({data.Count} samples)", build.Elapsed.TotalSeconds, "s");
            using var distillOptimizer = OptimizerFactory.Create(new OptimizerSettings(), recipe.parameters());
            ITrainingTask supervised = new TrainSmallMlp(new SmallMlp(seed: 2));
            using var supervisedOptimizer = OptimizerFactory.Create(new OptimizerSettings(), supervised.Trainable.parameters());
            var (online, alone) = Timing.Interleaved(steps,
                () => Step(distillOptimizer, () => cached.ComputeTrainingLoss(x, y).Total),
                () => Step(supervisedOptimizer, () => supervised.ComputeTrainingLoss(x, y).Total));
            var (withCache, alone2) = Timing.Interleaved(steps,
                () => Step(distillOptimizer, () => cached.ComputeTrainingLoss(cache.Select(indices), x, y).Total),
                () => Step(supervisedOptimizer, () => supervised.ComputeTrainingLoss(x, y).Total));
            report.Add(section, "distillation step, online teacher / supervised student step", online / alone, "x");
            report.Add(section, "distillation step, cached teacher / supervised student step", withCache / alone2, "x", "target <= 1.15");
        }
        finally
        {
            File.Delete(cachePath);
        }
    }

    public static void Memory(BenchReport report, LabeledDataset data, int epochs)
    {
        const string section = "5. Memory across epochs (MLP distillation through the generated Train)";
        var live = new List<long>();
        var rss = new List<long>();
        using var process = Process.GetCurrentProcess();
        var progress = new SynchronousProgress<TrainingEvent>(e =>
        {
            if (e is not EpochCompleted) return;
            process.Refresh();
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            rss.Add(process.WorkingSet64);
        });
        new MlpKd(new BigMlp(seed: 1), new SmallMlp(seed: 2)).Train(data, null, MlpKd.DefaultOptions with { Epochs = epochs, ReportEverySteps = 1_000_000 }, progress);
        process.Refresh();
        report.Add(section, "live tensors after epoch 1", live[0], "");
        report.Add(section, $"live tensors after epoch {epochs}", live[^1], "");
        report.Add(section, $"RSS after epoch 1", rss[0] / 1048576.0, "MiB");
        report.Add(section, $"RSS after epoch {epochs}", rss[^1] / 1048576.0, "MiB");
        report.Add(section, $"RSS growth after the first epoch", 100.0 * (rss[^1] - rss[0]) / rss[0], "%", "target < 2%");
        report.Add(section, "peak RSS of the benchmark process so far", process.PeakWorkingSet64 / 1048576.0, "MiB");
    }

    private static void Step(TorchSharp.Modules.OptimizerHelper optimizer, Func<Tensor> loss)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var total = loss();
        _ = total.item<float>();
        total.backward();
        optimizer.step();
    }
}
