using System.Globalization;
using System.Text.Json;
using DslKd;
using DslKd.TrainingProcess;
using TorchSharp;
using static TorchSharp.torch;

// Usage: DslKd.TrainingProcess <checkpoint directory> [step delay in ms]
// Trains a teacher (deterministically, no checkpoint), then distils it with checkpoints in the given directory, resuming
// from one if present. Prints "epoch N" after each completed epoch and the whole history as JSON on the last line.
// Or: DslKd.TrainingProcess --optimizer-under-collections <Sgd|Adam|AdamW> <dslkd|torchsharp> <steps>
// (OptimizerUnderCollections: optimizer steps while other threads collect garbage; prints the failed steps).
// Or: DslKd.TrainingProcess --losses-under-collections <dslkd|operators> <repeats>
// (LossesUnderCollections: the loss terms and their weighted sum while other threads collect garbage).
// Or: DslKd.TrainingProcess --native-heap-probe (NativeHeapProbe: where glibc puts a large buffer before and after a run).
if (args is ["--losses-under-collections", var form, var repeats])
    return LossesUnderCollections.Run(form == "operators", int.Parse(repeats, CultureInfo.InvariantCulture));
if (args is ["--native-heap-probe"])
    return NativeHeapProbe.Run();
if (args is ["--optimizer-under-collections", var kind, var which, var count])
    return OptimizerUnderCollections.Run(Enum.Parse<OptimizerKind>(kind), which == "torchsharp", int.Parse(count, CultureInfo.InvariantCulture));
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: DslKd.TrainingProcess <checkpoint directory> [step delay in ms]");
    return 2;
}
var stepDelay = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
set_num_threads(1);

var train = Synthetic.Create(600, seed: 1);
var test = Synthetic.Create(200, seed: 2);
var teacher = new Teacher(seed: 1);
new TrainTeacher(teacher).Train(train);

var progress = new SynchronousProgress<TrainingEvent>(e =>
{
    switch (e)
    {
        case Resumed r: Console.WriteLine($"resumed {r.CompletedEpochs}"); break;
        case EpochCompleted c: Console.WriteLine($"epoch {c.Result.Epoch}"); break;
        case StepCompleted when stepDelay > 0: Thread.Sleep(stepDelay); break;
    }
});
var options = Distil.DefaultOptions with { CheckpointDirectory = args[0], ReportEverySteps = 1 };
var result = new Distil(teacher, new Student(seed: 2), seed: 3).Train(train, test, options, progress);
Console.WriteLine(JsonSerializer.Serialize(result.Epochs.Select(e => new { e.Epoch, e.TrainLoss, e.Evaluation!.Loss, e.Evaluation.Accuracy })));
return 0;

namespace DslKd.TrainingProcess
{
    [Teacher(InputShape = [16], Classes = 3)]
    public partial class Teacher
    {
        [Linear(32), ReLU] public partial Block Hidden { get; }
        [Linear(3)] public partial Block Logits { get; }
    }

    [Student(InputShape = [16], Classes = 3)]
    public partial class Student
    {
        [Linear(4), ReLU, Dropout(0.2)] public partial Block Hidden { get; }
        [Linear(3)] public partial Block Logits { get; }
    }

    [Supervised<Teacher>, Epochs(3), BatchSize(32), Seed(5)]
    public partial class TrainTeacher;

    [Distillation<Teacher, Student>]
    [SoftTargets(Temperature = 3, Weight = 0.8), HardLabels(Weight = 0.2)]
    [Optimizer(OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9)]
    [LearningRateSchedule(ScheduleKind.Cosine)]
    [Epochs(6), BatchSize(30), Seed(7)]
    public partial class Distil;

    /// <summary>3 Gaussian classes in 16 dimensions.</summary>
    public static class Synthetic
    {
        public static LabeledDataset Create(int count, long seed)
        {
            using var generator = new Generator((ulong)seed);
            var labels = randint(0, 3, [count], generator: generator);
            using var centres = new Generator(99);
            var means = randn([3, 16], generator: centres) * 1.5;
            var inputs = means.index_select(0, labels) + randn([count, 16], generator: generator);
            return new LabeledDataset(inputs, labels, classes: 3);
        }
    }
}
