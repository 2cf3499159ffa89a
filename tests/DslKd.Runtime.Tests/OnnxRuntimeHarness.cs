using System.Collections.Concurrent;
using System.Diagnostics;
using DslKd.Export;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// ONNX Runtime for the export tests: one environment whose log (warnings and worse) is captured, sessions that must open
/// without a warning, and onnx.checker (Debian's python3-onnx) on the exported files.
/// </summary>
internal static class OnnxRuntimeHarness
{
    private static readonly ConcurrentQueue<(string LogId, OrtLoggingLevel Level, string Message)> Log = new();

    // Kept in a field: ONNX Runtime calls it from native code for the life of the process.
    private static readonly DOrtLoggingFunction Logger = (_, level, _, logId, _, message) => Log.Enqueue((logId, level, message));

    static OnnxRuntimeHarness()
    {
        var options = new EnvironmentCreationOptions
        {
            logId = "dslkd-tests",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            loggingFunction = Logger,
        };
        OrtEnv.CreateInstanceWithOptions(ref options);
    }

    /// <summary>
    /// The export tests' common check: <paramref name="bytes"/> (the export of <paramref name="model"/>) passes
    /// onnx.checker, opens in ONNX Runtime without a warning, passes <paramref name="session"/>'s own checks, and gives
    /// TorchSharp's logits within <paramref name="tolerance"/> at batch sizes 1 and 7 on the inputs <paramref name="inputOf"/> makes.
    /// </summary>
    public static void AssertAgreesWithTorchSharp(string name, nn.Module<Tensor, Tensor> model, byte[] bytes, Func<long, Tensor> inputOf,
        double tolerance, Xunit.Abstractions.ITestOutputHelper output, Action<InferenceSession>? session = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dslkd-{name}-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, bytes);
            output.WriteLine(Check(path));
            var (opened, warnings) = Open(bytes);
            using (opened)
            {
                Assert.Empty(warnings);
                session?.Invoke(opened);
                foreach (var batch in new[] { 1L, 7L })
                {
                    var input = inputOf(batch);
                    using var expected = ForwardNoGrad(model, input);
                    var difference = MaxDifference(expected, Run(opened, input)["logits"]);
                    output.WriteLine($"{name}, batch {batch}: max |Δlogit| = {difference:E2} ({bytes.Length:N0} bytes)");
                    Assert.True(difference <= tolerance, $"{name}, batch {batch}: max |Δlogit| = {difference} > {tolerance}");
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The module's output without autograd, kept past the caller's dispose scope.</summary>
    public static Tensor ForwardNoGrad(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var noGrad = no_grad();
        return model.call(input).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Opens a session on <paramref name="model"/> (CPU, all graph optimizations) and returns the warnings it logged.</summary>
    public static (InferenceSession Session, List<string> Warnings) Open(byte[] model, int threads = 1, string? optimizedModelPath = null)
    {
        var id = "session-" + Guid.NewGuid().ToString("N");
        using var options = new SessionOptions
        {
            LogId = id,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            IntraOpNumThreads = threads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (optimizedModelPath is not null) options.OptimizedModelFilePath = optimizedModelPath;
        var session = new InferenceSession(model, options);
        var warnings = Log.Where(m => m.LogId == id && m.Level >= OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING)
            // Asked for: writing the optimized graph warns that it may only run on this machine's kind of CPU.
            .Where(m => optimizedModelPath is null || !m.Message.StartsWith("Serializing optimized model", StringComparison.Ordinal))
            .Select(m => $"{m.Level}: {m.Message}").ToList();
        return (session, warnings);
    }

    /// <summary>
    /// Runs the session on <paramref name="input"/> (int64 token ids stay int64, anything else is read as float); every
    /// output by name, as a float tensor.
    /// </summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> Run(InferenceSession session, Tensor input, string inputName = "input")
    {
        using var contiguous = (input.dtype == ScalarType.Int64 ? input : input.to(ScalarType.Float32)).cpu().contiguous();
        using var value = contiguous.dtype == ScalarType.Int64
            ? OrtValue.CreateTensorValueFromMemory(contiguous.data<long>().ToArray(), contiguous.shape)
            : OrtValue.CreateTensorValueFromMemory(contiguous.data<float>().ToArray(), contiguous.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], session.OutputNames);
        var outputs = new Dictionary<string, (float[], long[])>();
        for (var i = 0; i < results.Count; i++)
            outputs[session.OutputNames[i]] = (results[i].GetTensorDataAsSpan<float>().ToArray(), results[i].GetTensorTypeAndShape().Shape);
        return outputs;
    }

    /// <summary>The largest |a - b| over two tensors of the same shape.</summary>
    public static double MaxDifference(Tensor expected, (float[] Values, long[] Shape) actual)
    {
        Assert.Equal(expected.shape, actual.Shape);
        using var reference = expected.to(ScalarType.Float32).cpu().contiguous();
        var values = reference.data<float>().ToArray();
        return values.Zip(actual.Values, (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max();
    }

    /// <summary>
    /// Moves every parameter off its initial value and runs a few training-mode batches, so BatchNorm's scale, shift and
    /// running statistics are all in play; leaves the model in eval mode.
    /// </summary>
    public static void MakeNonTrivial(nn.Module<Tensor, Tensor> model, long[] inputShape, long seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach (var parameter in model.parameters())
                parameter.add_(randn(parameter.shape, generator: generator) * 0.1);
            model.train();
            for (var i = 0; i < 4; i++)
                model.call(randn([16, .. inputShape], generator: generator) * (1.5 + i) + 0.3 * i);
        }
        model.eval();
    }

    /// <summary>
    /// onnx.checker.check_model(full_check=True) with Debian's python3-onnx: the file is valid ONNX and strict shape
    /// inference agrees with the shapes DslKd wrote. Without python3-onnx it fails in CI (.ci/run installs it) and says so
    /// elsewhere.
    /// </summary>
    public static string Check(string path)
    {
        const string python = "/usr/bin/python3";
        var script = "import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok', onnx.__version__)";
        if (!File.Exists(python) || Execute(python, "-c \"import onnx\"").ExitCode != 0)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "onnx.checker: python3-onnx is not installed; .ci/run installs it (apt-get install python3-onnx).");
            return "onnx.checker skipped: python3-onnx is not installed (apt-get install python3-onnx).";
        }
        var (exitCode, output) = Execute(python, $"-c \"{script}\" \"{path}\"");
        Assert.True(exitCode == 0, $"onnx.checker rejected {Path.GetFileName(path)}:\n{output}");
        return "onnx.checker: " + output.Trim();
    }

    private static (int ExitCode, string Output) Execute(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
