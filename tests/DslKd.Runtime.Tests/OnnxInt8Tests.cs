using DslKd.Export;
using FashionMnistExample;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Int8 export: QuantizeLinear/DequantizeLinear around every convolution and Linear layer, int8 weights per channel,
/// calibrated uint8 activations. The file is valid, ONNX Runtime opens it without a warning and runs the quantized
/// operators, it is about a quarter of the float file, and its predictions follow the float model's.
/// </summary>
public class OnnxInt8Tests(ITestOutputHelper output)
{
    [Fact]
    public void Int8_export_of_the_FashionMnist_models_is_valid_runs_quantized_operators_and_follows_the_float_model()
    {
        foreach (var (name, model) in new (string, nn.Module<Tensor, Tensor>)[] { ("FashionMlp", new FashionMlp(seed: 1)), ("FashionCnn", new FashionCnn(seed: 1)) })
        {
            using var scope = NewDisposeScope();
            OnnxRuntimeHarness.MakeNonTrivial(model, [1, 28, 28], seed: 6);
            var generator = new Generator(11);
            // Image-like inputs in [0, 1], as the example's data are.
            var calibration = Enumerable.Range(0, 4).Select(_ => rand([64, 1, 28, 28], generator: generator)).ToList();
            var (floatBytes, int8Bytes) = model switch
            {
                FashionMlp m => (OnnxExport.ToBytes(m), OnnxExport.ToInt8Bytes(m, calibration)),
                FashionCnn m => (OnnxExport.ToBytes(m), OnnxExport.ToInt8Bytes(m, calibration)),
                _ => throw new InvalidOperationException(),
            };
            var path = Path.Combine(Path.GetTempPath(), $"dslkd-int8-{name}-{Guid.NewGuid():N}.onnx");
            var optimized = path + ".optimized.onnx";
            try
            {
                File.WriteAllBytes(path, int8Bytes);
                output.WriteLine(OnnxRuntimeHarness.Check(path));
                var (session, warnings) = OnnxRuntimeHarness.Open(int8Bytes, optimizedModelPath: optimized);
                using (session)
                {
                    Assert.Empty(warnings);
                    var ops = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.Select(n => n.OpType).ToList();
                    output.WriteLine($"{name}: float {floatBytes.Length:N0} bytes, int8 {int8Bytes.Length:N0} bytes; ONNX Runtime runs {string.Join(", ", ops)}");
                    Assert.DoesNotContain("Gemm", ops);
                    Assert.DoesNotContain("Conv", ops);
                    Assert.Contains("QGemm", ops);
                    Assert.True(int8Bytes.Length < floatBytes.Length * 0.3, $"{name}: int8 {int8Bytes.Length} bytes against float {floatBytes.Length}");

                    var (floatSession, _) = OnnxRuntimeHarness.Open(floatBytes);
                    using (floatSession)
                    {
                        var input = rand([256, 1, 28, 28], generator: generator);
                        var q = OnnxRuntimeHarness.Run(session, input)["logits"].Values;
                        var f = OnnxRuntimeHarness.Run(floatSession, input)["logits"].Values;
                        var agreement = Enumerable.Range(0, 256).Count(i => ArgMax(q, i) == ArgMax(f, i)) / 256.0;
                        var spread = f.Max() - f.Min();
                        var error = q.Zip(f, (a, b) => Math.Abs(a - b)).Max();
                        output.WriteLine($"{name}: top-1 agreement {agreement:P1}, max |Δlogit| {error:0.###} of a logit range {spread:0.###}");
                        Assert.True(agreement >= 0.9, $"{name}: int8 agrees with float on {agreement:P1} of the samples");
                        Assert.True(error <= 0.1 * spread, $"{name}: int8 logits differ by up to {error} (range {spread})");
                    }
                }
            }
            finally
            {
                File.Delete(path);
                File.Delete(optimized);
            }
        }
    }

    [Fact]
    public void Activation_quantization_covers_the_calibrated_range_and_zero()
    {
        var ranges = new Dictionary<string, (float Min, float Max)> { ["relu"] = (0f, 6f), ["any"] = (-1f, 3f), ["flat"] = (0f, 0f) };

        var (reluScale, reluZero) = OnnxInt8.ActivationParameters("relu", ranges);
        var (anyScale, anyZero) = OnnxInt8.ActivationParameters("any", ranges);

        Assert.Equal(6f / 255, reluScale, 6);
        Assert.Equal(0, reluZero);
        Assert.Equal(4f / 255, anyScale, 6);
        Assert.Equal(64, anyZero);
        Assert.Equal((1f, (byte)0), OnnxInt8.ActivationParameters("flat", ranges));
        Assert.Throws<InvalidOperationException>(() => OnnxInt8.ActivationParameters("missing", ranges));
    }

    private static int ArgMax(float[] logits, int row)
    {
        var best = 0;
        for (var j = 1; j < 10; j++) if (logits[row * 10 + j] > logits[row * 10 + best]) best = j;
        return best;
    }
}
