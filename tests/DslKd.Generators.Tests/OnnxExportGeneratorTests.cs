using DslKd.Generators.Emit;
using DslKd.Generators.Layers;
using DslKd.Generators.Model;
using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>The generator's half of ONNX export: a mapping for every layer kind, the OnnxGraph it writes, none when a kind has no mapping.</summary>
public class OnnxExportGeneratorTests
{
    private const string Model = """
        using DslKd;
        [Student(InputShape = [1, 8, 8], Classes = 2)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3, Padding = 1), BatchNorm2d, GELU, AddInput] public partial Block Body { get; }
            [Flatten, Linear(2)] public partial Block Logits { get; }
        }
        """;

    [Fact]
    public void Every_layer_kind_in_the_catalogue_has_an_onnx_mapping()
    {
        // The generator compiles the DSL's attributes from the runtime's sources: its own copy lists every layer attribute.
        var layerAttribute = typeof(ModelGenerator).Assembly.GetType("DslKd.LayerAttribute")!;
        var layerKinds = typeof(ModelGenerator).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(layerAttribute) && !t.IsAbstract)
            .Select(t => t.Name.Substring(0, t.Name.Length - "Attribute".Length))
            .Where(name => LayerCatalog.Find(name) is not null)
            .ToList();

        Assert.Contains("Conv2d", layerKinds);
        // An opaque TorchScript teacher has no declared layers to map: exporting one is DKD0050, by design (teachers are not shipped).
        // These sequence layers have no lowering yet (issue 19): exporting a model with one is DKD0050 until they get one.
        // An Embedding with a PaddingIndex has no mapping on purpose: the padding mask it makes is not exported.
        string[] opaque = ["TorchScript"];
        string[] sequences = ["TransformerEncoder", "PositionalEncoding", "MaxPool1d", "AvgPool1d"];
        Assert.All(sequences, kind => Assert.Contains(kind, layerKinds));
        Assert.All(layerKinds.Except(opaque).Except(sequences), kind => Assert.True(OnnxMappings.Default.Has(kind), $"{kind} has no ONNX mapping in src/Generators/Layers/OnnxMappings.cs"));
        Assert.All(opaque.Concat(sequences), kind => Assert.False(OnnxMappings.Default.Has(kind)));
    }

    [Fact]
    public void A_model_gets_OnnxGraph_and_IOnnxExportable_and_an_export_call_compiles_without_diagnostics()
    {
        var outcome = GeneratorHarness.Run(Model + """
            public static class Ship
            {
                public static byte[] Run() => DslKd.Export.OnnxExport.ToBytes(new Net());
            }
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        var generated = outcome.GeneratedSource("Net.g.cs");
        Assert.Contains("partial class Net : global::DslKd.Export.IOnnxExportable", generated);
        Assert.Contains("new global::DslKd.Export.OnnxResidualUnit(\"Body.0\"", generated);
        Assert.Contains("Body.0.Shortcut.0", generated);
    }

    [Fact]
    public void A_model_with_a_layer_kind_without_mapping_gets_no_OnnxGraph()
    {
        var compilation = GeneratorHarness.Compile(Model);
        var type = compilation.GetTypeByMetadataName("Net")!;
        var model = ModelValidator.Validate(ModelParser.ParseAnyRole(type, CancellationToken.None)!).Model!;

        var without = new CodeWriter();
        OnnxGraphEmitter.Emit(without, model, OnnxMappings.Default.Without("GELU"));
        var with = new CodeWriter();
        OnnxGraphEmitter.Emit(with, model, OnnxMappings.Default);

        Assert.Equal("", without.ToString());
        Assert.Contains("IOnnxExportable", with.ToString());
        Assert.Equal(("Body", "GELU"), OnnxMappings.Default.Without("GELU").FirstUnmapped(model));
    }

    [Fact]
    public void A_sequence_model_gets_no_OnnxGraph_and_its_export_is_DKD0050_naming_the_first_sequence_layer()
    {
        var outcome = GeneratorHarness.Run(Sources.GruStudent + """
            namespace Text
            {
                public static class Ship
                {
                    public static void Run() => DslKd.Export.OnnxExport.Save(new GruStudent(), "student.onnx");
                }
            }
            """);

        Assert.DoesNotContain("IOnnxExportable", outcome.GeneratedSource("Text.GruStudent.g.cs"));
        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal("DKD0050", diagnostic.Id);
        Assert.Contains("layer Embedding (with a PaddingIndex: the padding mask it makes for the layers after it is not exported) in block 'Encoder'",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void An_Embedding_without_a_PaddingIndex_maps_and_one_with_a_PaddingIndex_does_not()
    {
        var compilation = GeneratorHarness.Compile("""
            using DslKd;
            [Model(InputShape = [12], Classes = 2)]
            public partial class Tokens
            {
                [Embedding(50, 8), GRU(6, RecurrentOutput.LastState)] public partial Block Encoder { get; }
                [Linear(2)] public partial Block Logits { get; }
            }
            """);
        var model = ModelValidator.Validate(ModelParser.ParseAnyRole(compilation.GetTypeByMetadataName("Tokens")!, CancellationToken.None)!).Model!;

        Assert.Null(OnnxMappings.Default.FirstUnmapped(model));
        Assert.StartsWith("new global::DslKd.Export.OnnxEmbedding(\"Encoder.0\"", OnnxMappings.Default.Map(model.Blocks[0].Layers[0], "Encoder.0"));

        var padded = GeneratorHarness.Compile(Sources.GruStudent);
        var gru = ModelValidator.Validate(ModelParser.ParseAnyRole(padded.GetTypeByMetadataName("Text.GruStudent")!, CancellationToken.None)!).Model!;
        Assert.Null(OnnxMappings.Default.Map(gru.Blocks[0].Layers[0], "Encoder.0"));
    }

    [Fact]
    public void A_real_valued_recurrent_model_gets_OnnxGraph_with_its_recurrent_layers_and_exports_without_diagnostics()
    {
        var outcome = GeneratorHarness.Run("""
            using DslKd;
            [Student(InputShape = [28, 28], Classes = 10)]
            public partial class Rows
            {
                [LSTM(16, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true), Linear(8), GRU(4, RecurrentOutput.Sequence)] public partial Block Encoder { get; }
                [PoolOverTime(TimePooling.Mean)] public partial Block Pooled { get; }
                [Linear(10)] public partial Block Logits { get; }
            }
            public static class Ship
            {
                public static byte[] Run() => DslKd.Export.OnnxExport.ToBytes(new Rows());
            }
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        var generated = outcome.GeneratedSource("Rows.g.cs");
        Assert.Contains("partial class Rows : global::DslKd.Export.IOnnxExportable", generated);
        Assert.Contains("new global::DslKd.Export.OnnxRecurrent(\"Encoder.0\", new global::DslKd.Shape(28L, 28L), new global::DslKd.Shape(28L, 32L), Cell: global::DslKd.Export.OnnxRecurrentCell.Lstm, Hidden: 16, Layers: 2, Bidirectional: true, Sequence: true)", generated);
        Assert.Contains("new global::DslKd.Export.OnnxPoolOverTime(\"Pooled.0\"", generated);
        Assert.Contains("Cell: global::DslKd.Export.OnnxRecurrentCell.Gru, Hidden: 4, Layers: 1, Bidirectional: false, Sequence: true", generated);
    }

    [Fact]
    public void A_Linear_on_a_sequence_and_PoolOverTime_over_windows_are_where_the_mappings_stop()
    {
        var compilation = GeneratorHarness.Compile(Sources.EverySequenceLayer);
        var type = compilation.GetTypeByMetadataName("EverySequenceLayer")!;
        var model = ModelValidator.Validate(ModelParser.ParseAnyRole(type, CancellationToken.None)!).Model!;
        var perStep = model.Blocks[0].Layers[1];
        var head = model.Blocks[4].Layers[1];

        var windows = model.Blocks[2].Layers[0];

        // A Linear on each step is MatMul + Add, on a vector Gemm: both map, with the same record.
        Assert.StartsWith("new global::DslKd.Export.OnnxLinear(\"Rows.1\"", OnnxMappings.Default.Map(perStep, "Rows.1"));
        Assert.NotNull(OnnxMappings.Default.Map(head, "Logits.1"));
        // PoolOverTime maps over the whole sequence only.
        Assert.Null(OnnxMappings.Default.Map(windows, "Windows.0"));
        Assert.Equal(("Attention", "PositionalEncoding"), OnnxMappings.Default.FirstUnmapped(model));
    }

    [Fact]
    public void A_block_named_OnnxGraph_is_refused() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class M
        {
            [Linear(2)] public partial Block [|OnnxGraph|] { get; }
        }
        """, "DKD0012", "'OnnxGraph'");
}
