using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>Inference of teacher vs student: latency per sample at batch 1, throughput at batch 256.</summary>
public static class InferenceBenchmark
{
    public static void Run(BenchReport report, int repetitions)
    {
        const string section = "6. Inference, eval mode, no autograd (median)";
        using var noGrad = no_grad();
        foreach (var (name, teacher, student, input) in new (string, nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, long[])[]
                 {
                     ("MLP pair", new BigMlp(seed: 1), new SmallMlp(seed: 2), [784]),
                     ("CNN pair", new WideCnn(seed: 1), new ImageMlp(seed: 2), [1, 28, 28]),
                 })
        {
            teacher.eval();
            student.eval();
            using var one = randn([1, .. input]);
            using var batch = randn([256, .. input]);
            var (teacherOne, studentOne) = Timing.Interleaved(repetitions * 10, () => teacher.call(one).Dispose(), () => student.call(one).Dispose());
            var (teacherBatch, studentBatch) = Timing.Interleaved(repetitions, () => teacher.call(batch).Dispose(), () => student.call(batch).Dispose());
            report.Add(section, $"{name}: teacher latency, batch 1", teacherOne * 1e6, "us");
            report.Add(section, $"{name}: student latency, batch 1", studentOne * 1e6, "us");
            report.Add(section, $"{name}: teacher throughput, batch 256", 256 / teacherBatch, "samples/s");
            report.Add(section, $"{name}: student throughput, batch 256", 256 / studentBatch, "samples/s");
            report.Add(section, $"{name}: student speed-up at batch 256", teacherBatch / studentBatch, "x");
        }
    }
}
