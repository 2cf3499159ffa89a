using DslKd;
using DslKd.Benchmarks;
using static TorchSharp.torch;

// DslKd benchmarks: generated code vs hand-written TorchSharp vs PyTorch, the machine's matmul peak, the teacher cache,
// memory, inference and the generator itself, measured side by side in one run. `--quick` is a CI smoke run: tiny
// sizes, the numbers mean nothing. Figures and method: docs/benchmarks.md.
var quick = args.Contains("--quick");
// What every DslKd model gets (Block applies it); applied here first so the hand-written models run under the same settings.
NativeDefaults.EnsureApplied();
set_num_threads(Environment.ProcessorCount);
manual_seed(0);
var report = new BenchReport();
var samples = quick ? 1024 : 20480;
var data = new LabeledDataset(randn(samples, 784), randint(0, 10, samples), classes: 10);

if (args.Contains("--onnx"))
{
    // Section 7 alone: the deployment comparison (docs/deploy.md).
    OnnxBenchmark.Run(report, repetitions: quick ? 3 : 30);
    report.Print($"DslKd deployment benchmark ({(quick ? "quick smoke run, numbers meaningless" : "full run")}, {get_num_threads()} threads, {Environment.ProcessorCount} cores)");
    return 0;
}

// `--only steps|cache|memory|inference|onnx|generator|contention|profile|first-epoch|channels-last` runs one section (e.g. to re-measure what a change touched).
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
bool Runs(string section) => only is null || only == section;

if (Runs("steps")) StepBenchmarks.Run(report, steps: quick ? 3 : 60);
if (Runs("cache")) CacheAndMemoryBenchmarks.Cache(report, data, steps: quick ? 3 : 200);
if (Runs("memory")) CacheAndMemoryBenchmarks.Memory(report, data, epochs: quick ? 2 : 10);
if (Runs("inference")) InferenceBenchmark.Run(report, repetitions: quick ? 3 : 30);
if (Runs("onnx")) OnnxBenchmark.Run(report, repetitions: quick ? 3 : 30);
if (Runs("generator")) GeneratorBenchmark.Run(report, quick ? [1, 10] : [1, 10, 100]);
if (Runs("contention")) ContentionBenchmark.Run(report, steps: quick ? 2 : 20);
if (Runs("profile")) OperatorProfile.Run(report, steps: quick ? 2 : 20);
if (Runs("first-epoch")) FirstEpochBenchmark.Run(report, samples: quick ? 512 : 54000);
if (Runs("channels-last")) ChannelsLastBenchmark.Run(report, steps: quick ? 2 : 40);

report.Print($"DslKd benchmarks ({(quick ? "quick smoke run, numbers meaningless" : "full run")}, {get_num_threads()} threads, {Environment.ProcessorCount} cores)");
return 0;
