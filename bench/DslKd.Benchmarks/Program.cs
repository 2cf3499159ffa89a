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

// 1. One distillation step (batch 256): generated recipe vs hand-written.
{
    var recipe = new MlpKd(new BigMlp(seed: 1), new SmallMlp(seed: 2));
    using var generatedOptimizer = OptimizerFactory.Create(new OptimizerSettings(), recipe.parameters());
    var teacher = HandWritten.Teacher();
    teacher.eval();
    var student = HandWritten.Student();
    using var handOptimizer = optim.Adam(student.parameters(), 1e-3);
    var (x, y, _) = data.Batch(0, 256);
    var generated = new List<double>();
    var hand = new List<double>();
    var steps = quick ? 5 : 50;
    for (var round = 0; round < rounds; round++)
    {
        generated.Add(Time(steps, () =>
        {
            using var scope = NewDisposeScope();
            generatedOptimizer.zero_grad();
            var losses = recipe.ComputeLoss(x, y);
            _ = losses.Total.item<float>();
            losses.Total.backward();
            generatedOptimizer.step();
        }));
        hand.Add(Time(steps, () => HandWritten.DistillationStep(teacher, student, handOptimizer, x, y)));
    }
    report.Add(("distillation step, generated (ms)", Median(generated) * 1e3, "ms"));
    report.Add(("distillation step, hand-written (ms)", Median(hand) * 1e3, "ms"));
    report.Add(("distillation step ratio generated / hand-written", Median(generated) / Median(hand), "x"));
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

static double Time(int repetitions, Action action)
{
    action(); // warm-up
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < repetitions; i++) action();
    return clock.Elapsed.TotalSeconds / repetitions;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}
