using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>Training steps: generated vs hand-written TorchSharp vs PyTorch, and the MLP step's GFLOP/s vs the matmul peak.</summary>
public static class StepBenchmarks
{
    private const string Section = "1-3. Training step, batch 256 (median ms; ratios of step-interleaved medians)";

    public static void Run(BenchReport report, int steps)
    {
        var flat = randn(256, 784);
        var images = randn(256, 1, 28, 28);
        var labels = randint(0, 10, 256);
        var ours = new Dictionary<string, double>();

        ours["mlp_teacher_supervised"] = Compare(report, "MLP teacher supervised", steps,
            SupervisedGenerated(new TrainBigMlp(new BigMlp(seed: 1)), flat, labels), SupervisedHand(HandWritten.BigMlp(), flat, labels));
        ours["mlp_distillation"] = Compare(report, "MLP distillation", steps,
            DistillGenerated(new MlpKd(new BigMlp(seed: 1), new SmallMlp(seed: 2)), flat, labels), DistillHand(HandWritten.BigMlp(), HandWritten.SmallMlp(), flat, labels));
        var cnnSteps = steps; // as many as the MLP: the CNN step is 5x longer, and its ratio the noisiest
        ours["cnn_teacher_supervised"] = Compare(report, "CNN teacher supervised", cnnSteps,
            SupervisedGenerated(new TrainWideCnn(new WideCnn(seed: 1)), images, labels), SupervisedHand(HandWritten.WideCnn(), images, labels));
        ours["cnn_distillation"] = Compare(report, "CNN distillation", cnnSteps,
            DistillGenerated(new CnnKd(new WideCnn(seed: 1), new ImageMlp(seed: 2)), images, labels), DistillHand(HandWritten.WideCnn(), HandWritten.ImageMlp(), images, labels));

        var cifar = randn(64, 3, 32, 32);
        var cifarLabels = randint(0, 10, 64);
        Compare(report, "ResNet-20 supervised (batch 64, 3x32x32)", steps,
            SupervisedGenerated(new TrainResNet20(new ResNet20(seed: 1)), cifar, cifarLabels), SupervisedHand(new HandWrittenResNet20(), cifar, cifarLabels));

        GflopsVsPeak(report, ours["mlp_teacher_supervised"]);
        PyTorch(report, ours, steps);
    }

    private static double Compare(BenchReport report, string name, int steps, Action generated, Action hand)
    {
        var (g, h) = Timing.Interleaved(steps, generated, hand);
        report.Add(Section, $"{name}: generated", g * 1e3, "ms");
        report.Add(Section, $"{name}: hand-written TorchSharp", h * 1e3, "ms");
        report.Add(Section, $"{name}: generated / hand-written", g / h, "x", "target <= 1.03");
        return g * 1e3;
    }

    private static Action SupervisedGenerated(ITrainingTask task, Tensor x, Tensor y)
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(), task.Trainable.parameters());
        task.Trainable.train();
        return () => Step(optimizer, () => task.ComputeTrainingLoss(x, y).Total);
    }

    private static Action DistillGenerated(ITrainingTask task, Tensor x, Tensor y) => SupervisedGenerated(task, x, y);

    private static Action SupervisedHand(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        var optimizer = optim.Adam(model.parameters(), 1e-3);
        model.train();
        return () => HandWritten.SupervisedStep(model, optimizer, x, y);
    }

    private static Action DistillHand(nn.Module<Tensor, Tensor> teacher, nn.Module<Tensor, Tensor> student, Tensor x, Tensor y)
    {
        teacher.eval();
        foreach (var p in teacher.parameters()) p.requires_grad = false;
        var optimizer = optim.Adam(student.parameters(), 1e-3);
        return () => HandWritten.DistillationStep(teacher, student, optimizer, x, y);
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

    /// <summary>
    /// FLOPs of one training step of 784-1200-1200-10 at batch 256: per Linear 2*B*in*out forward, the same for the weight
    /// gradient, and again for the input gradient except at the first layer (its input needs none).
    /// </summary>
    private static void GflopsVsPeak(BenchReport report, double stepMilliseconds)
    {
        const string section = "3. MLP training step vs this machine's float matmul peak";
        long[][] layers = [[784, 1200], [1200, 1200], [1200, 10]];
        var flops = layers.Select((l, i) => 2.0 * 256 * l[0] * l[1] * (i == 0 ? 2 : 3)).Sum();
        var achieved = flops / (stepMilliseconds / 1e3) / 1e9;

        var peak = Timing.MatmulPeakGflops();
        report.Add(section, "float32 1024^3 matmul", peak, "GFLOP/s");
        report.Add(section, "MLP teacher supervised step (generated)", achieved, "GFLOP/s");
        report.Add(section, "achieved / peak", achieved / peak, "x", "target >= 0.6");
    }

    private static readonly string[] OpenBlasOverrides = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

    private static void PyTorch(BenchReport report, Dictionary<string, double> ours, int steps)
    {
        const string section = "2. The same steps in PyTorch (Debian python3-torch, same threads), median ms";
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_steps.py");
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
        {
            report.Note(section, "skipped", "no /usr/bin/python3");
            return;
        }
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Set on some machines for old OpenBLAS builds, these pin OpenBLAS to older kernels: the peer runs without them
        // (in this child alone) and reports the kernel it then picks.
        foreach (var handicap in OpenBlasOverrides) start.Environment.Remove(handicap);
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            report.Note(section, "skipped", "PyTorch not available (apt-get install python3-torch libopenblas0-pthread)");
            return;
        }
        using var json = JsonDocument.Parse(output);
        var removed = OpenBlasOverrides.Where(v => Environment.GetEnvironmentVariable(v) is not null).ToArray();
        report.Note(section, "PyTorch's BLAS", json.RootElement.GetProperty("blas").GetString()
            + (removed.Length == 0 ? "" : $" ({string.Join(", ", removed)} removed from the child's environment)"));
        foreach (var (key, value) in ours)
        {
            var theirs = json.RootElement.GetProperty(key).GetDouble();
            report.Add(section, $"{key}: PyTorch {json.RootElement.GetProperty("torch").GetString()}", theirs, "ms");
            report.Add(section, $"{key}: DslKd / PyTorch", value / theirs, "x", "target <= 1");
        }
    }
}
