using DslKd.Export;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// ONNX export of the sequence layers without a padding mask: LSTM and GRU (one and two directions, stacked, every step
/// and the last state), PoolOverTime and a Linear on each step. The file passes onnx.checker, ONNX Runtime opens it
/// without a warning, and its logits equal TorchSharp's within 1e-5 at batch sizes 1 and 7; int8 export leaves the
/// recurrent layers in float and runs.
/// </summary>
public class OnnxSequenceExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>>> Models = new()
    {
        ["OnnxBiGruSequence"] = () => new OnnxBiGruSequence(seed: 1),
        ["OnnxBiGruLastState"] = () => new OnnxBiGruLastState(seed: 1),
        ["OnnxBiLstmSequence"] = () => new OnnxBiLstmSequence(seed: 1),
        ["OnnxBiLstmLastState"] = () => new OnnxBiLstmLastState(seed: 1),
        ["OnnxRecurrentChain"] = () => new OnnxRecurrentChain(seed: 1),
        ["OnnxRowGru"] = () => new OnnxRowGru(seed: 1),
        ["OnnxRowLstm"] = () => new OnnxRowLstm(seed: 1),
        ["OnnxTokenGru"] = () => new OnnxTokenGru(seed: 1),
    };

    public static TheoryData<string> ModelNames => new(Models.Keys);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Exported_sequence_model_passes_the_checker_opens_without_warnings_and_matches_TorchSharp_at_batch_1_and_7(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Models[name]();
        var inputShape = ((IOnnxExportable)model).Description.InputShape.ToArray();
        var tokens = model is OnnxTokenGru;
        if (tokens) PerturbParameters(model);
        else OnnxRuntimeHarness.MakeNonTrivial(model, inputShape, seed: 3);

        OnnxRuntimeHarness.AssertAgreesWithTorchSharp(name, model, Export(model), batch => tokens
            ? randint(20, [batch, .. inputShape], dtype: ScalarType.Int64, generator: new Generator((ulong)batch))
            : randn([batch, .. inputShape], generator: new Generator((ulong)batch)), Tolerance, output);
    }

    [Fact]
    public void A_recurrent_layer_is_one_ONNX_node_per_stacked_layer_with_PyTorchs_GRU_formulation()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxBiGruSequence(seed: 1);
        var graph = Onnx.ModelProto.Parser.ParseFrom(Export(model)).Graph;
        var grus = graph.Node.Where(n => n.OpType == "GRU").ToList();
        Assert.Equal(2, grus.Count);
        Assert.All(grus, n =>
        {
            Assert.Equal(1, n.Attribute.Single(a => a.Name == "linear_before_reset").I);
            Assert.Equal("bidirectional", n.Attribute.Single(a => a.Name == "direction").S.ToStringUtf8());
        });
        // The Linear on each step is MatMul + Add; the one on the pooled vector is Gemm.
        Assert.Contains(graph.Node, n => n.OpType == "MatMul" && n.Name.StartsWith("Encoder.1", StringComparison.Ordinal));
        Assert.Single(graph.Node, n => n.OpType == "Gemm");
        Assert.Contains(graph.Node, n => n.OpType == "ReduceMean");
    }

    [Fact]
    public void A_token_model_reads_int64_ids_through_Gather_and_its_int8_export_calibrates_on_token_ids()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxTokenGru(seed: 1);
        PerturbParameters(model);
        var graph = Onnx.ModelProto.Parser.ParseFrom(Export(model)).Graph;
        Assert.Equal(7, graph.Input.Single().Type.TensorType.ElemType); // int64
        Assert.Equal("Gather", graph.Node[0].OpType);

        var generator = new Generator(5);
        var calibration = Enumerable.Range(0, 2).Select(_ => randint(20, [16, 11], dtype: ScalarType.Int64, generator: generator)).ToList();
        var bytes = OnnxExport.ToInt8Bytes(model, calibration);
        var (session, warnings) = OnnxRuntimeHarness.Open(bytes);
        using (session)
        {
            Assert.Empty(warnings);
            var input = randint(20, [9, 11], dtype: ScalarType.Int64, generator: generator);
            using var expected = OnnxRuntimeHarness.ForwardNoGrad(model, input);
            var difference = OnnxRuntimeHarness.MaxDifference(expected, OnnxRuntimeHarness.Run(session, input)["logits"]);
            output.WriteLine($"OnnxTokenGru int8: max |Δlogit| = {difference:E2}");
            Assert.True(difference < 0.5, $"int8 OnnxTokenGru is {difference} away from the float model");
        }
    }

    /// <summary>MakeNonTrivial for a token model (its input is ids, not floats): the parameters moved off their initial values.</summary>
    private static void PerturbParameters(nn.Module<Tensor, Tensor> model)
    {
        var generator = new Generator(3);
        using (no_grad())
            foreach (var parameter in model.parameters())
                parameter.add_(randn(parameter.shape, generator: generator) * 0.1);
        model.eval();
    }

    [Fact]
    public void Int8_export_leaves_the_recurrent_layer_in_float_and_quantizes_the_Linear_after_it()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxRowGru(seed: 1);
        OnnxRuntimeHarness.MakeNonTrivial(model, [28, 28], seed: 6);
        var generator = new Generator(11);
        var calibration = Enumerable.Range(0, 2).Select(_ => rand([32, 28, 28], generator: generator)).ToList();
        var bytes = OnnxExport.ToInt8Bytes(model, calibration);
        var ops = Onnx.ModelProto.Parser.ParseFrom(bytes).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Contains("GRU", ops);
        Assert.Contains("QuantizeLinear", ops);
        var (session, warnings) = OnnxRuntimeHarness.Open(bytes);
        using (session)
        {
            Assert.Empty(warnings);
            var input = rand([16, 28, 28], generator: generator);
            using var expected = OnnxRuntimeHarness.ForwardNoGrad(model, input);
            var difference = OnnxRuntimeHarness.MaxDifference(expected, OnnxRuntimeHarness.Run(session, input)["logits"]);
            output.WriteLine($"RowGru int8: max |Δlogit| = {difference:E2}");
            Assert.True(difference < 0.5, $"int8 RowGru is {difference} away from the float model");
        }
    }

    private static byte[] Export(nn.Module<Tensor, Tensor> model) => model switch
    {
        OnnxBiGruSequence m => OnnxExport.ToBytes(m),
        OnnxBiGruLastState m => OnnxExport.ToBytes(m),
        OnnxBiLstmSequence m => OnnxExport.ToBytes(m),
        OnnxBiLstmLastState m => OnnxExport.ToBytes(m),
        OnnxRecurrentChain m => OnnxExport.ToBytes(m),
        OnnxRowGru m => OnnxExport.ToBytes(m),
        OnnxRowLstm m => OnnxExport.ToBytes(m),
        OnnxTokenGru m => OnnxExport.ToBytes(m),
        _ => throw new ArgumentException(model.GetType().Name),
    };
}
