using DslKd.Export;
using FashionMnistExample;
using Microsoft.ML.OnnxRuntime;
using ModelZoo;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// ONNX export of every layer kind, every residual form, the zoo and the FashionMnist example's models: the file passes
/// onnx.checker, ONNX Runtime opens it without a warning, and its logits equal TorchSharp's within 1e-4 at batch sizes 1
/// and 7 in eval mode, with BatchNorm's scale, shift and running statistics all away from their initial values.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    private static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>>> Models = new()
    {
        ["WideCnn"] = () => new WideCnn(seed: 1),
        ["SmallMlp"] = () => new SmallMlp(seed: 1),
        ["EveryLayer"] = () => new EveryLayer(seed: 1),
        ["SignalCnn"] = () => new SignalCnn(seed: 1),
        ["OnnxRestOfTheLayers"] = () => new OnnxRestOfTheLayers(seed: 1),
        ["OnnxResidualSignal"] = () => new OnnxResidualSignal(seed: 1),
        ["OnnxPassThroughOnly"] = () => new OnnxPassThroughOnly(seed: 1),
        ["ResNet8x4"] = () => new ResNet8x4(seed: 1),
        ["Wrn16x2"] = () => new Wrn16x2(seed: 1),
        ["Vgg8Bn"] = () => new Vgg8Bn(seed: 1),
        ["MobileNetV2Half"] = () => new MobileNetV2Half(seed: 1),
        ["FashionCnn"] = () => new FashionCnn(seed: 1),
        ["FashionMlp"] = () => new FashionMlp(seed: 1),
    };

    public static TheoryData<string> ModelNames => new(Models.Keys);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Exported_model_passes_the_checker_opens_without_warnings_and_matches_TorchSharp_at_batch_1_and_7(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Models[name]();
        var exportable = (IOnnxExportable)model;
        var inputShape = exportable.Description.InputShape.ToArray();
        OnnxRuntimeHarness.MakeNonTrivial(model, inputShape, seed: 3);

        OnnxRuntimeHarness.AssertAgreesWithTorchSharp(name, model, Export(model, null),
            batch => randn([batch, .. inputShape], generator: new Generator((ulong)batch)), Tolerance, output, session =>
            {
                Assert.Equal(["input"], session.InputNames);
                Assert.Equal(["logits"], session.OutputNames);
                Assert.Equal(-1, session.InputMetadata["input"].Dimensions[0]);
            });
    }

    [Theory]
    [InlineData("ResNet8x4")]
    [InlineData("EveryLayer")]
    [InlineData("OnnxResidualSignal")]
    [InlineData("MobileNetV2Half")]
    public void Folding_BatchNorm_gives_the_same_logits_and_leaves_no_BatchNormalization_after_a_convolution(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Models[name]();
        var inputShape = ((IOnnxExportable)model).Description.InputShape.ToArray();
        OnnxRuntimeHarness.MakeNonTrivial(model, inputShape, seed: 4);
        var bytes = Export(model, new OnnxExportOptions { FoldBatchNorm = true });

        var proto = Onnx.ModelProto.Parser.ParseFrom(bytes);
        var producers = proto.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n.OpType))).ToDictionary(p => p.o, p => p.OpType);
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "BatchNormalization" && producers.GetValueOrDefault(n.Input[0]) is "Conv" or "Gemm");
        var (session, warnings) = OnnxRuntimeHarness.Open(bytes);
        using (session)
        {
            Assert.Empty(warnings);
            var input = randn([7, .. inputShape], generator: new Generator(7));
            using var expected = OnnxRuntimeHarness.ForwardNoGrad(model, input);
            Assert.True(OnnxRuntimeHarness.MaxDifference(expected, OnnxRuntimeHarness.Run(session, input)["logits"]) <= Tolerance);
        }
    }

    [Fact]
    public void Block_features_become_named_outputs_equal_to_ForwardFeatures()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxResidualSignal(seed: 2);
        OnnxRuntimeHarness.MakeNonTrivial(model, [4, 30], seed: 5);
        var bytes = OnnxExport.ToBytes(model, new OnnxExportOptions { Features = [OnnxExportOptions.EveryBlock] });
        var (session, warnings) = OnnxRuntimeHarness.Open(bytes);
        using (session)
        {
            Assert.Empty(warnings);
            Assert.Equal(["logits", "Encoder", "Same", "Head"], session.OutputNames);
            var input = randn(3, 4, 30);
            var outputs = OnnxRuntimeHarness.Run(session, input);
            using (no_grad())
            {
                var features = model.ForwardFeatures(input);
                Assert.True(OnnxRuntimeHarness.MaxDifference(features.Encoder, outputs["Encoder"]) <= Tolerance);
                Assert.True(OnnxRuntimeHarness.MaxDifference(features.Same, outputs["Same"]) <= Tolerance);
                Assert.True(OnnxRuntimeHarness.MaxDifference(features.Head, outputs["Head"]) <= Tolerance);
                Assert.True(OnnxRuntimeHarness.MaxDifference(features.Logits, outputs["logits"]) <= Tolerance);
            }
        }
    }

    [Fact]
    public void Chosen_features_and_names_are_honoured_and_an_unknown_block_is_refused()
    {
        using var model = new WideCnn(seed: 2);
        var bytes = OnnxExport.ToBytes(model, new OnnxExportOptions { Features = ["Body"], InputName = "image", OutputName = "scores" });
        var proto = Onnx.ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(["image"], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal(["scores", "Body"], proto.Graph.Output.Select(o => o.Name));
        Assert.Equal(OnnxExport.Opset, proto.OpsetImport.Single().Version);
        Assert.Equal("batch", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);

        var error = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, new OnnxExportOptions { Features = ["Nope"] }));
        Assert.Contains("'Nope'", error.Message);
    }

    [Fact]
    public void The_graph_keeps_the_declaration_names_BatchNorm_running_statistics_and_the_generated_description()
    {
        using var model = new ResNet8x4(seed: 1);
        var proto = Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
        Assert.Contains("Stem.0.weight", initializers);
        Assert.Contains("Stem.1.running_mean", initializers);
        Assert.Contains("Layer2.0.Shortcut.0.weight", initializers);
        Assert.Contains(proto.Graph.Node, n => n.OpType == "Add" && n.Name == "Layer1.0.add");
        Assert.Equal(ResNet8x4.OnnxGraph, ((IOnnxExportable)model).OnnxGraph);
        Assert.Equal(ResNet8x4.Description.Blocks.Select(b => b.Name), ResNet8x4.OnnxGraph.Blocks.Select(b => b.Name));
        Assert.Equal("ResNet8x4", proto.MetadataProps.Single(p => p.Key == "dslkd.model").Value);
    }

    [Fact]
    public void The_harness_sees_a_warning_ONNX_Runtime_logs()
    {
        // An initializer no node reads: ONNX Runtime warns and removes it. Proves the "no warnings" assertions can fail.
        using var model = new SmallMlp(seed: 1);
        var proto = Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        var unused = new Onnx.TensorProto { Name = "unused", DataType = 1 };
        unused.Dims.Add(1);
        unused.FloatData.Add(0f);
        proto.Graph.Initializer.Add(unused);
        using var stream = new MemoryStream();
        using (var coded = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true)) proto.WriteTo(coded);

        var (session, warnings) = OnnxRuntimeHarness.Open(stream.ToArray());
        session.Dispose();

        Assert.Contains(warnings, w => w.Contains("unused", StringComparison.Ordinal));
    }

    [Fact]
    public void Uneven_adaptive_pooling_bins_are_PyTorchs()
    {
        // 7 -> 3: PyTorch's bins are [0, 3), [2, 5), [4, 7).
        var bins = OnnxLowering.Bins(7, 3);
        Assert.Equal(new[] { 1f / 3, 1f / 3, 1f / 3, 0, 0, 0, 0 }, bins.Take(7));
        Assert.Equal(new[] { 0, 0, 1f / 3, 1f / 3, 1f / 3, 0, 0 }, bins.Skip(7).Take(7));
        Assert.Equal(new[] { 0, 0, 0, 0, 1f / 3, 1f / 3, 1f / 3 }, bins.Skip(14));
    }

    [Fact]
    public void Save_writes_the_file_ONNX_Runtime_loads()
    {
        using var model = new SmallMlp(seed: 3);
        model.eval();
        var path = Path.Combine(Path.GetTempPath(), $"dslkd-save-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExport.Save(model, path);
            var (session, warnings) = OnnxRuntimeHarness.Open(File.ReadAllBytes(path));
            using (session) Assert.Empty(warnings);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static byte[] Export(nn.Module<Tensor, Tensor> model, OnnxExportOptions? options) => model switch
    {
        // The exporter is generic over the model type (the compile-time check); the tests hold them as modules.
        WideCnn m => OnnxExport.ToBytes(m, options),
        SmallMlp m => OnnxExport.ToBytes(m, options),
        EveryLayer m => OnnxExport.ToBytes(m, options),
        SignalCnn m => OnnxExport.ToBytes(m, options),
        OnnxRestOfTheLayers m => OnnxExport.ToBytes(m, options),
        OnnxResidualSignal m => OnnxExport.ToBytes(m, options),
        OnnxPassThroughOnly m => OnnxExport.ToBytes(m, options),
        ResNet8x4 m => OnnxExport.ToBytes(m, options),
        Wrn16x2 m => OnnxExport.ToBytes(m, options),
        Vgg8Bn m => OnnxExport.ToBytes(m, options),
        MobileNetV2Half m => OnnxExport.ToBytes(m, options),
        FashionCnn m => OnnxExport.ToBytes(m, options),
        FashionMlp m => OnnxExport.ToBytes(m, options),
        _ => throw new ArgumentException(model.GetType().Name),
    };
}
