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

    // Sequences (docs/sequence-models.md): where each sequence layer may stand, and its argument ranges.

    [Fact]
    public void DKD0004_embedding_after_the_first_layer() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [64])]
        public partial class Net
        {
            [Embedding(100, 8)] public partial Block Embed { get; }
            [[|Embedding(100, 8)|]] public partial Block Again { get; }
        }
        """, "DKD0004", "Embedding in block 'Again'", "[64, 8]", "reads token ids", "first layer of the model's first block");

    [Fact]
    public void DKD0004_embedding_in_a_model_that_starts_with_another_layer() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [64])]
        public partial class Net
        {
            [Identity, [|Embedding(100, 8)|], Flatten, Linear(2)] public partial Block Head { get; }
        }
        """, "DKD0004", "Embedding in block 'Head'", "[64]", "first layer of the model's first block");

    [Fact]
    public void DKD0004_embedding_of_a_rank_two_input() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [2, 64])]
        public partial class Net
        {
            [[|Embedding(100, 8)|]] public partial Block Embed { get; }
        }
        """, "DKD0004", "[2, 64]", "token ids [T]", "InputShape = [64]");

    [Fact]
    public void DKD0006_embedding_padding_index_outside_the_vocabulary() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [64])]
        public partial class Net
        {
            [Embedding(100, 8, [|PaddingIndex = 100|])] public partial Block Embed { get; }
        }
        """, "DKD0006", "Embedding in block 'Embed'", "token id in [0, 100) or -1 for none, but is 100");

    [Fact]
    public void DKD0006_embedding_sizes_must_be_positive()
    {
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [64])]
            public partial class Net
            {
                [Embedding([|0|], 8)] public partial Block Embed { get; }
            }
            """, "DKD0006", "the vocabulary must be positive but is 0");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [64])]
            public partial class Net
            {
                [Embedding(100, [|-8|])] public partial Block Embed { get; }
            }
            """, "DKD0006", "the number of dimensions must be positive but is -8");
    }

    [Fact]
    public void DKD0004_recurrent_layer_on_a_vector() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [28, 28])]
        public partial class Net
        {
            [Flatten, [|LSTM(8, RecurrentOutput.Sequence)|]] public partial Block Rows { get; }
        }
        """, "DKD0004", "LSTM in block 'Rows'", "[784]", "expects a sequence [T, features]", "a vector has no time axis");

    [Fact]
    public void DKD0004_recurrent_layer_on_a_conv1d_map() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [2, 100])]
        public partial class Net
        {
            [Conv1d(8, Kernel = 3), [|GRU(16, RecurrentOutput.LastState)|]] public partial Block Mixed { get; }
        }
        """, "DKD0004", "GRU in block 'Mixed'", "[8, 98]", "map [channels, length] from Conv1d", "time axis is the last");

    [Fact]
    public void DKD0006_recurrent_dropout_out_of_range_carries_its_range_and_a_fix()
    {
        const string marked = """
            using DslKd;
            [Model(InputShape = [10, 4])]
            public partial class Net
            {
                [LSTM(8, RecurrentOutput.LastState, Layers = 2, [|Dropout = 1.5|])] public partial Block Rows { get; }
            }
            """;
        DiagnosticAssert.Single(marked, "DKD0006", "LSTM in block 'Rows'", "the dropout between layers must be in [0, 1) but is 1.5");
        var diagnostic = Assert.Single(GeneratorHarness.Run(MarkedSource.Parse(marked).Text).Diagnostics);
        Assert.Equal("Dropout", diagnostic.Properties["Argument"]);
        Assert.Equal("Probability", diagnostic.Properties["Range"]);
        Assert.Equal("0", diagnostic.Properties["Suggested"]);
    }

    [Fact]
    public void DKD0006_recurrent_dropout_with_one_layer() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [10, 4])]
        public partial class Net
        {
            [GRU(8, RecurrentOutput.Sequence, [|Dropout = 0.2|])] public partial Block Rows { get; }
        }
        """, "DKD0006", "GRU in block 'Rows'", "acts between stacked layers", "Layers = 2");

    [Fact]
    public void DKD0006_recurrent_sizes_and_output()
    {
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 4])]
            public partial class Net
            {
                [LSTM([|0|], RecurrentOutput.Sequence)] public partial Block Rows { get; }
            }
            """, "DKD0006", "the hidden size must be positive but is 0");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 4])]
            public partial class Net
            {
                [LSTM(8, RecurrentOutput.Sequence, [|Layers = 0|])] public partial Block Rows { get; }
            }
            """, "DKD0006", "the number of layers must be at least 1 but is 0");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 4])]
            public partial class Net
            {
                [GRU(8, [|(RecurrentOutput)7|])] public partial Block Rows { get; }
            }
            """, "DKD0006", "RecurrentOutput.Sequence or RecurrentOutput.LastState but is 7");
    }

    [Fact]
    public void DKD0006_transformer_heads_must_divide_the_features() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [10, 30])]
        public partial class Net
        {
            [TransformerEncoder([|4|])] public partial Block Encoder { get; }
        }
        """, "DKD0006", "TransformerEncoder in block 'Encoder'", "the 30 features do not divide into 4 heads");

    [Fact]
    public void DKD0006_transformer_arguments()
    {
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 32])]
            public partial class Net
            {
                [TransformerEncoder(4, [|Dropout = 1|])] public partial Block Encoder { get; }
            }
            """, "DKD0006", "the dropout must be in [0, 1) but is 1");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 32])]
            public partial class Net
            {
                [TransformerEncoder(4, [|FeedForward = -1|])] public partial Block Encoder { get; }
            }
            """, "DKD0006", "feed-forward size must be positive (or 0 for 4 times the features) but is -1");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 32])]
            public partial class Net
            {
                [TransformerEncoder([|0|])] public partial Block Encoder { get; }
            }
            """, "DKD0006", "the number of heads must be positive but is 0");
        DiagnosticAssert.Single("""
            using DslKd;
            [Model(InputShape = [10, 32])]
            public partial class Net
            {
                [TransformerEncoder(4, [|Layers = 0|])] public partial Block Encoder { get; }
            }
            """, "DKD0006", "the number of layers must be at least 1 but is 0");
    }

    [Fact]
    public void DKD0004_transformer_on_an_image() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [1, 28, 28])]
        public partial class Net
        {
            [[|TransformerEncoder(4)|]] public partial Block Encoder { get; }
        }
        """, "DKD0004", "TransformerEncoder in block 'Encoder'", "[1, 28, 28]", "expects a sequence [T, features]");

    [Fact]
    public void DKD0004_positional_encoding_on_a_vector() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [64])]
        public partial class Net
        {
            [Embedding(100, 8), PoolOverTime(TimePooling.Mean), [|PositionalEncoding|]] public partial Block Embed { get; }
        }
        """, "DKD0004", "PositionalEncoding in block 'Embed'", "[8]", "expects a sequence [T, features]");

    [Fact]
    public void DKD0006_positional_encoding_dropout() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [64])]
        public partial class Net
        {
            [Embedding(100, 8), PositionalEncoding([|Dropout = -0.1|])] public partial Block Embed { get; }
        }
        """, "DKD0006", "PositionalEncoding in block 'Embed'", "the dropout must be in [0, 1) but is -0.1");

    [Fact]
    public void DKD0004_pool_over_time_on_a_conv1d_map() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [2, 100])]
        public partial class Net
        {
            [Conv1d(8, Kernel = 3), [|PoolOverTime(TimePooling.Max)|]] public partial Block Mixed { get; }
        }
        """, "DKD0004", "PoolOverTime in block 'Mixed'", "[8, 98]", "use [MaxPool1d] or [AvgPool1d] on maps");

    [Fact]
    public void DKD0005_pool_over_time_window_longer_than_the_sequence() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [8])]
        public partial class Net
        {
            [Embedding(100, 4), [|PoolOverTime(TimePooling.Mean, Kernel = 9)|]] public partial Block Embed { get; }
        }
        """, "DKD0005", "PoolOverTime in block 'Embed'", "window of 9", "only 8 wide", "input [8] -> Embedding [8, 4]");

    [Fact]
    public void DKD0006_pool_over_time_stride_without_a_window() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [8])]
        public partial class Net
        {
            [Embedding(100, 4), PoolOverTime(TimePooling.Mean, [|Stride = 2|])] public partial Block Embed { get; }
        }
        """, "DKD0006", "a stride needs a window");

    [Fact]
    public void DKD0004_one_dimensional_pooling_on_a_sequence() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [8])]
        public partial class Net
        {
            [Embedding(100, 4), [|MaxPool1d(2)|]] public partial Block Embed { get; }
        }
        """, "DKD0004", "MaxPool1d in block 'Embed'", "[8, 4]", "use [PoolOverTime(TimePooling.Max, Kernel = 2)]");

    [Fact]
    public void DKD0004_one_dimensional_pooling_on_an_image() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [1, 28, 28])]
        public partial class Net
        {
            [[|AvgPool1d(2)|]] public partial Block Pool { get; }
        }
        """, "DKD0004", "AvgPool1d in block 'Pool'", "expects [channels, length]");

    [Fact]
    public void DKD0005_one_dimensional_pooling_collapses() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [2, 3])]
        public partial class Net
        {
            [[|MaxPool1d(4)|]] public partial Block Pool { get; }
        }
        """, "DKD0005", "MaxPool1d in block 'Pool'", "window of 4", "only 3 wide");

    [Fact]
    public void DKD0004_linear_on_a_conv1d_map() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [2, 100])]
        public partial class Net
        {
            [Conv1d(8, Kernel = 3), [|Linear(4)|]] public partial Block Head { get; }
        }
        """, "DKD0004", "Linear in block 'Head'", "[8, 98]", "it would act on the length", "add [Flatten]");

    [Fact]
    public void DKD0004_linear_on_a_declared_rank_two_input() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [28, 28])]
        public partial class Net
        {
            [[|Linear(4)|]] public partial Block Head { get; }
        }
        """, "DKD0004", "Linear in block 'Head'", "[28, 28]", "not known to be a sequence", "add [Flatten]");

    [Fact]
    public void DKD0004_conv1d_on_a_sequence() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [16])]
        public partial class Net
        {
            [Embedding(100, 8), [|Conv1d(4, Kernel = 3)|]] public partial Block Mixed { get; }
        }
        """, "DKD0004", "Conv1d in block 'Mixed'", "[16, 8]", "a sequence [T, features] (time first)");

    [Fact]
    public void DKD0004_batchnorm1d_on_a_sequence() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [16])]
        public partial class Net
        {
            [Embedding(100, 8), [|BatchNorm1d|]] public partial Block Normed { get; }
        }
        """, "DKD0004", "BatchNorm1d in block 'Normed'", "use [LayerNorm]");

    [Fact]
    public void DKD0031_a_residual_unit_on_a_sequence_cannot_change_its_length() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [16])]
        public partial class Net
        {
            [Embedding(100, 8)] public partial Block Embed { get; }
            [PoolOverTime(TimePooling.Max, Kernel = 2), [|AddInput|]] public partial Block Pooled { get; }
        }
        """, "DKD0031", "turn [16, 8] into [8, 8]", "the sequence length must stay");

    [Fact]
    public void DKD0011_is_not_reported_beside_the_compilers_error_for_an_attribute_that_does_not_resolve()
    {
        var outcome = GeneratorHarness.Run("""
            using DslKd;
            [Model(InputShape = [16])]
            public partial class Net
            {
                [Lstm(64)] public partial Block Rows { get; }
            }
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Equal(["CS0246", "CS0246"], outcome.Output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.Id));
    }

    [Fact]
    public void DKD0011_still_reported_for_a_block_whose_only_attribute_is_not_a_layer() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class Net
        {
            [System.Obsolete] public partial Block [|Head|] { get; }
        }
        """, "DKD0011", "'Head'");

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
