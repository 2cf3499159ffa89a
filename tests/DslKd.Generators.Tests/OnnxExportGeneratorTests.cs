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
        string[] opaque = ["TorchScript"];
        Assert.All(layerKinds.Except(opaque), kind => Assert.True(OnnxMappings.Default.Has(kind), $"{kind} has no ONNX mapping in src/Generators/Layers/OnnxMappings.cs"));
        Assert.All(opaque, kind => Assert.False(OnnxMappings.Default.Has(kind)));
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
    public void A_block_named_OnnxGraph_is_refused() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class M
        {
            [Linear(2)] public partial Block [|OnnxGraph|] { get; }
        }
        """, "DKD0012", "'OnnxGraph'");
}
