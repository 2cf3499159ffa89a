using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>Every model diagnostic, asserted by id, exact location and the facts its message must state.</summary>
public class ModelDiagnosticsTests
{
    [Fact]
    public void DKD0001_model_class_not_partial() => DiagnosticAssert.Single("""
        using DslKd;
        [Teacher(InputShape = [784])]
        public class [|Mlp|]
        {
            [Linear(10)] public partial Block Logits { get; }
        }
        """, "DKD0001", "'Mlp'", "partial");

    [Fact]
    public void DKD0002_block_not_partial() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [784])]
        public partial class Mlp
        {
            [Linear(10)] public Block [|Logits|] { get; }
        }
        """, "DKD0002", "'Logits'", "not partial");

    [Fact]
    public void DKD0002_block_of_wrong_type() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [784])]
        public partial class Mlp
        {
            [Linear(10)] public partial int [|Logits|] { get; }
        }
        """, "DKD0002", "'int', not Block");

    [Fact]
    public void DKD0002_block_with_setter() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [784])]
        public partial class Mlp
        {
            [Linear(10)] public partial Block [|Logits|] { get; set; }
        }
        """, "DKD0002", "setter");

    [Fact]
    public void DKD0003_model_without_blocks() => DiagnosticAssert.Single("""
        using DslKd;
        [Student(InputShape = [784])]
        public partial class [|Empty|]
        {
            public int NotABlock { get; }
        }
        """, "DKD0003", "'Empty'", "no blocks");

    [Fact]
    public void DKD0004_conv_after_flatten() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [1, 28, 28])]
        public partial class Cnn
        {
            [Flatten] public partial Block Flat { get; }
            [[|Conv2d(8, Kernel = 3)|]] public partial Block Conv { get; }
        }
        """, "DKD0004", "Conv2d in block 'Conv'", "[784]", "[channels, height, width]", "before [Flatten]");

    [Fact]
    public void DKD0004_linear_on_a_map_without_flatten() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [1, 28, 28])]
        public partial class Cnn
        {
            [Conv2d(8, Kernel = 3), [|Linear(10)|]] public partial Block Head { get; }
        }
        """, "DKD0004", "Linear in block 'Head'", "[8, 26, 26]", "add [Flatten]");

    [Fact]
    public void DKD0005_spatial_size_collapses_and_shows_every_step() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [1, 4, 4])]
        public partial class Tiny
        {
            [MaxPool2d(2)] public partial Block A { get; }
            [MaxPool2d(2), [|MaxPool2d(2)|]] public partial Block B { get; }
        }
        """, "DKD0005", "MaxPool2d in block 'B'", "window of 2", "only 1 wide",
        "input [1, 4, 4] -> MaxPool2d [1, 2, 2] -> MaxPool2d [1, 1, 1]");

    [Fact]
    public void DKD0005_conv_kernel_larger_than_padded_input() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [3, 4, 4])]
        public partial class Tiny
        {
            [[|Conv2d(8, Kernel = 7, Padding = 1)|]] public partial Block A { get; }
        }
        """, "DKD0005", "window of 7", "only 6 wide");

    [Fact]
    public void DKD0006_dropout_probability_out_of_range_points_at_the_argument() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [10])]
        public partial class Mlp
        {
            [Linear(10), Dropout([|1.5|])] public partial Block Head { get; }
        }
        """, "DKD0006", "Dropout in block 'Head'", "[0, 1)", "1.5");

    [Fact]
    public void DKD0006_non_positive_size() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [10])]
        public partial class Mlp
        {
            [Linear([|0|])] public partial Block Head { get; }
        }
        """, "DKD0006", "must be positive but is 0");

    [Fact]
    public void DKD0006_missing_kernel() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [1, 8, 8])]
        public partial class Cnn
        {
            [[|Conv2d(4)|]] public partial Block Conv { get; }
        }
        """, "DKD0006", "kernel size is required", "Kernel = 3");

    [Fact]
    public void DKD0006_groups_must_divide_channels() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [3, 8, 8])]
        public partial class Cnn
        {
            [Conv2d(4, Kernel = 3, [|Groups = 2|])] public partial Block Conv { get; }
        }
        """, "DKD0006", "3 input channels do not divide into 2 groups");

    [Fact]
    public void DKD0007_output_differs_from_classes() => DiagnosticAssert.Single("""
        using DslKd;
        [Teacher(InputShape = [784], Classes = 10)]
        public partial class Mlp
        {
            [Linear(64)] public partial Block Hidden { get; }
            [ReLU, [|Linear(5)|]] public partial Block Logits { get; }
        }
        """, "DKD0007", "Classes = 10", "'Logits' outputs [5]", "[Linear(10)]");

    [Fact]
    public void DKD0008_nested_model() => DiagnosticAssert.Single("""
        using DslKd;
        public partial class Outer
        {
            [Model(InputShape = [4])]
            public partial class [|Inner|]
            {
                [Linear(2)] public partial Block Head { get; }
            }
        }
        """, "DKD0008", "nested types are not supported");

    [Fact]
    public void DKD0008_generic_model() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class [|Net|]<T>
        {
            [Linear(2)] public partial Block Head { get; }
        }
        """, "DKD0008", "generic types are not supported");

    [Fact]
    public void DKD0008_model_with_a_base_class() => DiagnosticAssert.Single("""
        using DslKd;
        public class Base { }
        [Model(InputShape = [4])]
        public partial class [|Net|] : Base
        {
            [Linear(2)] public partial Block Head { get; }
        }
        """, "DKD0008", "derives from 'Base'");

    [Fact]
    public void DKD0009_input_shape_missing() => DiagnosticAssert.Single("""
        using DslKd;
        [[|Model(Classes = 2)|]]
        public partial class Net
        {
            [Linear(2)] public partial Block Head { get; }
        }
        """, "DKD0009", "InputShape is required");

    [Fact]
    public void DKD0009_input_shape_not_positive() => DiagnosticAssert.Single("""
        using DslKd;
        [Model([|InputShape = [3, 0]|])]
        public partial class Net
        {
            [Flatten, Linear(2)] public partial Block Head { get; }
        }
        """, "DKD0009", "positive sizes");

    [Fact]
    public void DKD0009_sizes_that_overflow() => DiagnosticAssert.Single("""
        using DslKd;
        [[|Model(InputShape = [2147483647, 2147483647, 2147483647])|]]
        public partial class Net
        {
            [Flatten] public partial Block Head { get; }
        }
        """, "DKD0009", "too large");

    [Fact]
    public void DKD0010_two_roles() => DiagnosticAssert.Single("""
        using DslKd;
        [Teacher(InputShape = [4])]
        [[|Student(InputShape = [4])|]]
        public partial class Net
        {
            [Linear(2)] public partial Block Head { get; }
        }
        """, "DKD0010", "'Net'");

    [Fact]
    public void DKD0011_block_without_layers() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class Net
        {
            public partial Block [|Head|] { get; }
        }
        """, "DKD0011", "'Head'");

    [Fact]
    public void DKD0012_reserved_block_name() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class Net
        {
            [Linear(2)] public partial Block [|Summary|] { get; }
        }
        """, "DKD0012", "'Summary'");

    [Fact]
    public void DKD0013_layer_unknown_to_this_generator()
    {
        // Stands in for a runtime newer than the generator: a layer attribute the catalogue has never heard of.
        DiagnosticAssert.Single("""
            namespace DslKd
            {
                public sealed class FancyLayerAttribute : LayerAttribute { }
                public abstract class LayerAttribute : System.Attribute { }
            }
            namespace User
            {
                using DslKd;
                [Model(InputShape = [4])]
                public partial class Net
                {
                    [[|FancyLayer|]] public partial Block Head { get; }
                }
            }
            """, "DKD0013", "[FancyLayer]");
    }

    [Fact]
    public void DKD0031_identity_shortcut_across_a_shape_change_names_both_shapes() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [16, 8, 8])]
        public partial class M
        {
            [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1), BatchNorm2d, [|AddInput(Shortcut = ShortcutKind.Identity)|], ReLU]
            public partial Block Down { get; }
        }
        """, "DKD0031", "Block 'Down', unit 0", "turn [16, 8, 8] into [32, 4, 4]", "ShortcutKind.Projection");

    [Fact]
    public void DKD0031_a_rank_change_cannot_be_projected() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4, 8, 8])]
        public partial class M
        {
            [Flatten, Linear(10), [|AddInput|]]
            public partial Block Head { get; }
        }
        """, "DKD0031", "turn [4, 8, 8] into [10]", "no 1x1 projection");

    [Fact]
    public void DKD0006_a_repeat_below_one_and_a_second_add_input() 
    {
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [4, 8, 8])]
            public partial class M
            {
                [[|Repeat(0)|]]
                [Conv2d(4, Kernel = 3, Padding = 1), ReLU]
                public partial Block Stage { get; }
            }
            """, "DKD0006", "Repeat in block 'Stage'", "at least 1 but is 0");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [4, 8, 8])]
            public partial class M
            {
                [Conv2d(4, Kernel = 3, Padding = 1), AddInput, ReLU, Conv2d(4, Kernel = 3, Padding = 1), [|AddInput|]]
                public partial Block Stage { get; }
            }
            """, "DKD0006", "adds its input back once");
    }

    [Fact]
    public void DKD0012_a_block_named_like_another_blocks_pre_activation_output() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class M
        {
            [Linear(8), ReLU] public partial Block Hidden { get; }
            [Linear(8)] public partial Block [|HiddenPreActivation|] { get; }
        }
        """, "DKD0012", "pre-activation output of block 'Hidden'");

    [Fact]
    public void DKD0050_export_of_a_model_with_a_layer_that_has_no_onnx_mapping()
    {
        // Every layer kind has a mapping today (OnnxExportGeneratorTests checks), so the analyzer is given one without GELU.
        var source = MarkedSource.Parse("""
            using DslKd;
            using DslKd.Export;
            [Student(InputShape = [8], Classes = 2)]
            public partial class Mlp
            {
                [Linear(4), GELU] public partial Block Hidden { get; }
                [Linear(2)] public partial Block Logits { get; }
            }
            public static class Ship
            {
                public static void Run() => [|OnnxExport.Save(new Mlp(), "mlp.onnx")|];
            }
            """);
        var outcome = GeneratorHarness.Run(source.Text);
        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);

        var diagnostics = outcome.Output
            .WithAnalyzers([new OnnxExportAnalyzer(DslKd.Generators.Layers.OnnxMappings.Default.Without("GELU"))])
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("DKD0050", diagnostic.Id);
        Assert.Equal(source.Span, diagnostic.Location.SourceSpan);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'Mlp'", message);
        Assert.Contains("GELU", message);
        Assert.Contains("'Hidden'", message);
    }

    [Fact]
    public void Every_descriptor_is_covered_by_a_test_and_documented()
    {
        var ids = typeof(ModelGenerator).Assembly.GetType("DslKd.Generators.Diagnostics.Descriptors")!
            .GetFields()
            .Select(f => ((Microsoft.CodeAnalysis.DiagnosticDescriptor)f.GetValue(null)!).Id)
            .ToList();
        var testNames = typeof(ModelDiagnosticsTests).GetMethods().Concat(typeof(RecipeDiagnosticsTests).GetMethods())
            .Concat(typeof(ImportDiagnosticsTests).GetMethods()).Select(m => m.Name).ToList();
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        var releases = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Generators", "AnalyzerReleases.Unshipped.md"));

        Assert.All(ids, id =>
        {
            Assert.Contains(testNames, name => name.StartsWith(id + "_", StringComparison.Ordinal));
            Assert.Contains("## " + id, docs);
            Assert.Contains(id + " |", releases);
        });
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DslKd.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("DslKd.sln not found above the test output folder.");
    }
}
