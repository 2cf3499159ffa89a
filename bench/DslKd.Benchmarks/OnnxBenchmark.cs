using DslKd.Export;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>The CNN student of the ONNX comparison: two small conv blocks and a linear head (28x28 images).</summary>
[Student(InputShape = [1, 28, 28], Classes = 10)]
public partial class SmallCnn
{
    [Conv2d(16, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)] public partial Block Stem { get; }
    [Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)] public partial Block Body { get; }
    [Flatten, Linear(10)] public partial Block Logits { get; }
}

/// <summary>
/// The students shipped: TorchSharp against ONNX Runtime (float32 and int8) on the MLP and CNN students, latency at batch
/// 1 and throughput at batch 256, each pair interleaved in one run (docs/deploy.md).
/// </summary>
public static class OnnxBenchmark
{
    public static void Run(BenchReport report, int repetitions)
    {
        const string section = "7. Deployment: TorchSharp vs ONNX Runtime (float32, int8), eval mode (median)";
        using var noGrad = no_grad();
        var threads = get_num_threads();
        foreach (var (name, model, input, floatBytes, int8Bytes) in Students())
        {
            model.eval();
            foreach (var batch in new[] { 1L, 256L })
            {
                // Latency at batch 1 on one thread each (no thread pool to wake: what a latency-bound service runs);
                // throughput at batch 256 on every core each.
                var used = batch == 1 ? 1 : threads;
                set_num_threads(used);
                using var floatSession = Session(floatBytes, used);
                using var int8Session = Session(int8Bytes, used);
                using var x = randn([batch, .. input]);
                using var floatRun = new OrtRunner(floatSession, x);
                using var int8Run = new OrtRunner(int8Session, x);
                var n = batch == 1 ? repetitions * 10 : repetitions;
                var (torchSeconds, ortSeconds) = Timing.Interleaved(n, () => model.call(x).Dispose(), floatRun.Run);
                var (ortFloatSeconds, ortInt8Seconds) = Timing.Interleaved(n, floatRun.Run, int8Run.Run);
                if (batch == 1)
                {
                    report.Add(section, $"{name}: TorchSharp latency, batch 1", torchSeconds * 1e6, "us");
                    report.Add(section, $"{name}: ONNX Runtime float32 latency, batch 1", ortSeconds * 1e6, "us");
                    report.Add(section, $"{name}: ONNX Runtime int8 latency, batch 1", ortInt8Seconds * 1e6, "us");
                    report.Add(section, $"{name}: ONNX Runtime / TorchSharp latency, batch 1", ortSeconds / torchSeconds, "x", "target <= 0.5");
                    report.Add(section, $"{name}: int8 / float32 latency in ONNX Runtime, batch 1", ortInt8Seconds / ortFloatSeconds, "x");
                }
                else
                {
                    report.Add(section, $"{name}: TorchSharp throughput, batch 256", batch / torchSeconds, "samples/s");
                    report.Add(section, $"{name}: ONNX Runtime float32 throughput, batch 256", batch / ortSeconds, "samples/s");
                    report.Add(section, $"{name}: ONNX Runtime int8 throughput, batch 256", batch / ortInt8Seconds, "samples/s");
                    report.Add(section, $"{name}: ONNX Runtime / TorchSharp throughput, batch 256", torchSeconds / ortSeconds, "x");
                    report.Add(section, $"{name}: int8 / float32 throughput in ONNX Runtime, batch 256", ortFloatSeconds / ortInt8Seconds, "x");
                }
            }
            set_num_threads(threads);
            report.Add(section, $"{name}: file size float32 / int8", floatBytes.Length / 1024.0, "KiB", $"int8: {int8Bytes.Length / 1024.0:0} KiB");
            model.Dispose();
        }
    }

    private static IEnumerable<(string Name, nn.Module<Tensor, Tensor> Model, long[] Input, byte[] Float, byte[] Int8)> Students()
    {
        // Calibration on inputs like the benchmark's (standard normal); weights as initialised, BatchNorm statistics set by
        // a few training-mode batches.
        var mlp = new SmallMlp(seed: 2);
        var mlpCalibration = Enumerable.Range(0, 4).Select(_ => randn(256, 784)).ToList();
        yield return ("MLP student 784-128-10", mlp, [784], OnnxExport.ToBytes(mlp), OnnxExport.ToInt8Bytes(mlp, mlpCalibration));

        var cnn = new SmallCnn(seed: 2);
        cnn.train();
        for (var i = 0; i < 3; i++) cnn.call(randn(64, 1, 28, 28)).Dispose();
        cnn.eval();
        var cnnCalibration = Enumerable.Range(0, 4).Select(_ => randn(256, 1, 28, 28)).ToList();
        yield return ("CNN student 16-32 conv", cnn, [1, 28, 28], OnnxExport.ToBytes(cnn), OnnxExport.ToInt8Bytes(cnn, cnnCalibration));
    }

    private static InferenceSession Session(byte[] model, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // ONNX Runtime's workers spin after a run by default; interleaved with TorchSharp on the same cores, that spinning
        // would be timed as TorchSharp's. Off here, so each contestant has the cores to itself while it runs.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(model, options);
    }

    /// <summary>One input and one output bound once (an I/O binding), as a latency-minded application runs a session.</summary>
    private sealed class OrtRunner : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtValue _input;
        private readonly OrtValue _output;
        private readonly OrtIoBinding _binding;
        private readonly RunOptions _options = new();

        public OrtRunner(InferenceSession session, Tensor input)
        {
            _session = session;
            var data = input.contiguous().data<float>().ToArray();
            _input = OrtValue.CreateTensorValueFromMemory(data, input.shape);
            _output = OrtValue.CreateTensorValueFromMemory(new float[input.shape[0] * 10], [input.shape[0], 10]);
            _binding = session.CreateIoBinding();
            _binding.BindInput(session.InputNames[0], _input);
            _binding.BindOutput(session.OutputNames[0], _output);
        }

        public void Run() => _session.RunWithBinding(_options, _binding);

        public void Dispose()
        {
            _binding.Dispose();
            _input.Dispose();
            _output.Dispose();
            _options.Dispose();
        }
    }
}
