using System.Diagnostics;
using System.Globalization;
using DslKd;
using DslKd.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;

// Generated code vs the same work written by hand in TorchSharp, measured side by side in one run (interleaved rounds,
// medians), plus the offline teacher cache. `--quick` is a smoke run for CI: tiny sizes, numbers meaningless.
var quick = args.Contains("--quick");
var samples = quick ? 1024 : 40960;
var rounds = quick ? 2 : 7;
set_num_threads(Environment.ProcessorCount);
manual_seed(0);
var data = new LabeledDataset(randn(samples, 784), randint(0, 10, samples), classes: 10);
var report = new List<(string Name, double Value, string Unit)>();

// 1. One distillation step (batch 256): generated recipe vs hand-written, alternating step by step so both see the
//    same machine conditions; the ratio of the median step times.
var (x, y, batchIndices) = data.Batch(0, 256);
{
    var recipe = new MlpKd(new BigMlp(seed: 1), new SmallMlp(seed: 2));
    using var generatedOptimizer = OptimizerFactory.Create(new OptimizerSettings(), recipe.parameters());
    var teacher = HandWritten.Teacher();
    teacher.eval();
    var student = HandWritten.Student();
    using var handOptimizer = optim.Adam(student.parameters(), 1e-3);
    var (generated, hand) = Interleaved(quick ? 5 : 300,
        () =>
        {
            using var scope = NewDisposeScope();
            generatedOptimizer.zero_grad();
            var losses = recipe.ComputeLoss(x, y);
            _ = losses.Total.item<float>();
            losses.Total.backward();
            generatedOptimizer.step();
        },
        () => HandWritten.DistillationStep(teacher, student, handOptimizer, x, y));
    report.Add(("distillation step, generated (ms)", generated * 1e3, "ms"));
    report.Add(("distillation step, hand-written (ms)", hand * 1e3, "ms"));
    report.Add(("distillation step ratio generated / hand-written", generated / hand, "x"));
}

// 1b. With the teacher cache: a cached distillation step vs a supervised step of the student alone.
{
    var recipe = new MlpKd(new BigMlp(seed: 1), new SmallMlp(seed: 2));
    ICachedTeacherTask cachedTask = recipe;
    using var cache = TeacherCache.LoadOrBuild(Path.Combine(Path.GetTempPath(), $"dslkd-bench-{Guid.NewGuid():N}.cache"), cachedTask, data, 256, CPU).Cache;
    using var distillOptimizer = OptimizerFactory.Create(new OptimizerSettings(), recipe.parameters());
    ITrainingTask supervised = new TrainSmallMlp(new SmallMlp(seed: 2));
    using var supervisedOptimizer = OptimizerFactory.Create(new OptimizerSettings(), supervised.Trainable.parameters());
    void Step(Func<StepLoss> loss, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var value = loss();
        _ = value.Total.item<float>();
        value.Total.backward();
        optimizer.step();
    }
    var (cachedStep, supervisedStep) = Interleaved(quick ? 5 : 300,
        () => Step(() => cachedTask.ComputeTrainingLoss(cache.Select(batchIndices), x, y), distillOptimizer),
        () => Step(() => supervised.ComputeTrainingLoss(x, y), supervisedOptimizer));
    report.Add(("cached-teacher distillation step / supervised student step", cachedStep / supervisedStep, "x"));
}

// 2. A supervised epoch through the generated Train (the whole loop) vs a hand-written epoch loop.
{
    var epochSeconds = new List<double>();
    var handSeconds = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        var trained = new TrainSmallMlp(new SmallMlp(seed: 3)).Train(data, null, TrainSmallMlp.DefaultOptions with { ReportEverySteps = 1_000_000 });
        epochSeconds.Add(trained.Final.Elapsed.TotalSeconds);

        var model = HandWritten.Student();
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        var clock = Stopwatch.StartNew();
        using (var order = randperm(samples))
        {
            for (var batch = 0L; batch < data.BatchCount(256); batch++)
            {
                using var scope = NewDisposeScope();
                var (bx, by, _) = data.Batch(batch, 256, order);
                HandWritten.SupervisedStep(model, optimizer, bx, by);
            }
        }
        handSeconds.Add(clock.Elapsed.TotalSeconds);
    }
    report.Add(("supervised epoch ratio generated loop / hand-written loop", Median(epochSeconds) / Median(handSeconds), "x"));
    report.Add(("supervised student epoch (s)", Median(epochSeconds), "s"));

    // 3. Distillation epochs with the offline teacher cache (after the first, which builds it) vs the supervised epoch.
    var cachePath = Path.Combine(Path.GetTempPath(), $"dslkd-bench-{Guid.NewGuid():N}.cache");
    var teacher = new BigMlp(seed: 1);
    var online = new List<double>();
    var cached = new List<double>();
    try
    {
        for (var round = 0; round < rounds; round++)
        {
            var options = MlpKd.DefaultOptions with { ReportEverySteps = 1_000_000 };
            online.Add(new MlpKd(teacher, new SmallMlp(seed: 2)).Train(data, null, options).Final.Elapsed.TotalSeconds);
            cached.Add(new MlpKd(teacher, new SmallMlp(seed: 2)).Train(data, null, options with { TeacherCachePath = cachePath }).Final.Elapsed.TotalSeconds);
        }
    }
    finally
    {
        File.Delete(cachePath);
    }
    report.Add(("distillation epoch, online teacher / supervised epoch", Median(online) / Median(epochSeconds), "x"));
    report.Add(("distillation epoch, cached teacher / supervised epoch", Median(cached) / Median(epochSeconds), "x"));
}

Console.WriteLine($"DslKd benchmarks ({(quick ? "quick smoke run, numbers meaningless" : $"{samples} samples, batch 256, {rounds} interleaved rounds, medians")}, {get_num_threads()} threads)");
foreach (var (name, value, unit) in report)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-60} {value,8:F3} {unit}"));
return 0;

// Runs a and b alternately, n times each after a warm-up, and returns the median time of each in seconds.
static (double A, double B) Interleaved(int n, Action a, Action b)
{
    a();
    b();
    var timesA = new List<double>();
    var timesB = new List<double>();
    for (var i = 0; i < n; i++)
    {
        var clock = Stopwatch.StartNew();
        a();
        timesA.Add(clock.Elapsed.TotalSeconds);
        clock.Restart();
        b();
        timesB.Add(clock.Elapsed.TotalSeconds);
    }
    return (Median(timesA), Median(timesB));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}
