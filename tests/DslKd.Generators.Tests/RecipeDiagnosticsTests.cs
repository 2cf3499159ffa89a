using DslKd.Generators.Tests.Infrastructure;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>Every recipe diagnostic, asserted by id, exact location and the facts its message must state.</summary>
public class RecipeDiagnosticsTests
{
    /// <summary>A teacher CNN (maps and vectors), a student MLP, a student CNN and a 3-class MLP to build recipes on.</summary>
    private const string Models = """
        using DslKd;
        using TorchSharp;
        using static TorchSharp.torch;

        [Teacher(InputShape = [1, 8, 8], Classes = 4)]
        public partial class Cnn
        {
            [Conv2d(16, Kernel = 3, Padding = 1), ReLU] public partial Block Maps { get; }
            [Flatten, Linear(32), ReLU] public partial Block Hidden { get; }
            [Linear(4)] public partial Block Logits { get; }
        }

        [Student(InputShape = [1, 8, 8], Classes = 4)]
        public partial class Mlp
        {
            [Flatten, Linear(16), ReLU] public partial Block Hidden { get; }
            [Linear(4)] public partial Block Logits { get; }
        }

        [Student(InputShape = [1, 8, 8], Classes = 4)]
        public partial class SmallCnn
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)] public partial Block Maps { get; }
            [Flatten, Linear(4)] public partial Block Logits { get; }
        }

        [Student(InputShape = [1, 8, 8], Classes = 3)]
        public partial class ThreeClasses
        {
            [Flatten, Linear(3)] public partial Block Logits { get; }
        }

        public class NotAModel { }

        """;

    private static string Recipe(string recipe) => Models + recipe;

    [Fact]
    public void DKD0014_type_argument_is_not_a_model() => DiagnosticAssert.Single(Recipe("""
        [[|Distillation<Cnn, NotAModel>|]]
        [HardLabels]
        public partial class R;
        """), "DKD0014", "student", "'NotAModel'", "[Teacher], [Student] or [Model]");

    [Fact]
    public void DKD0015_logit_term_with_different_classes() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, ThreeClasses>]
        [[|SoftTargets(Temperature = 2)|]]
        public partial class R;
        """), "DKD0015", "SoftTargets", "'Cnn' outputs [4]", "'ThreeClasses' outputs [3]");

    [Fact]
    public void DKD0016_feature_is_not_a_block_of_the_teacher() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [FeatureHint([|"Hiden"|], nameof(Mlp.Hidden))]
        public partial class R;
        """), "DKD0016", "'Hiden' is not a block of the teacher 'Cnn'", "Maps, Hidden, Logits");

    [Fact]
    public void DKD0016_valid_name_of_the_wrong_model() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [FeatureHint(nameof(Cnn.Hidden), [|nameof(Cnn.Maps)|])]
        public partial class R;
        """), "DKD0016", "'Maps' is not a block of the student 'Mlp'", "it is a block of the teacher 'Cnn'");

    [Fact]
    public void DKD0017_attention_transfer_on_vectors() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [[|AttentionTransfer(nameof(Cnn.Hidden), nameof(Mlp.Hidden))|]]
        public partial class R;
        """), "DKD0017", "attention maps need feature maps", "[32]", "[16]");

    [Fact]
    public void DKD0017_hint_between_a_map_and_a_vector() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [[|FeatureHint(nameof(Cnn.Maps), nameof(Mlp.Hidden))|]]
        public partial class R;
        """), "DKD0017", "[16, 8, 8]", "[16]", "same rank");

    [Fact]
    public void DKD0018_temperature_not_positive() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [SoftTargets([|Temperature = 0|])]
        public partial class R;
        """), "DKD0018", "SoftTargets", "but is 0");

    [Fact]
    public void DKD0019_negative_weight() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels([|Weight = -0.5|])]
        public partial class R;
        """), "DKD0019", "HardLabels", "-0.5");

    [Fact]
    public void DKD0019_infinite_custom_loss_weight() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels]
        public partial class R
        {
            [CustomLoss([|Weight = double.PositiveInfinity|])] private Tensor Extra(Cnn.Features teacher, Mlp.Features student, Tensor labels) => student.Logits.sum();
        }
        """), "DKD0019", "Extra", "Infinity");

    [Fact]
    public void DKD0020_all_weights_zero() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [SoftTargets(Weight = 0), HardLabels(Weight = 0)]
        public partial class [|R|];
        """), "DKD0020", "'R'");

    [Fact]
    public void DKD0021_no_loss_terms() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        public partial class [|R|];
        """), "DKD0021", "'R' has no loss terms");

    [Fact]
    public void DKD0022_parameter_anchoring_without_matching_parameters() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, SmallCnn>]
        [[|ParameterAnchoring|]]
        public partial class R;
        """), "DKD0022", "student 'SmallCnn'", "Maps.0.weight [4, 1, 3, 3]", "Maps.0.weight [16, 1, 3, 3]");

    [Fact]
    public void DKD0023_teacher_and_student_the_same_type() => DiagnosticAssert.Single(Recipe("""
        [[|Distillation<Cnn, Cnn>|]]
        [SoftTargets]
        public partial class R;
        """), "DKD0023", "'Cnn' into itself");

    [Fact]
    public void DKD0024_student_not_smaller_than_teacher() => DiagnosticAssert.Single(Recipe("""
        [[|Distillation<Mlp, Cnn>|]]
        [SoftTargets]
        public partial class R;
        """), "DKD0024", "student 'Cnn' has 33,092 parameters", "teacher 'Mlp' with 1,108");

    [Fact]
    public void DKD0025_maps_of_different_spatial_size() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, SmallCnn>]
        [[|FeatureHint(nameof(Cnn.Maps), nameof(SmallCnn.Maps))|]]
        public partial class R;
        """), "DKD0025", "'Maps' is [16, 8, 8]", "'Maps' is [4, 4, 4]", "FeatureAlignment.AdaptivePool");

    [Fact]
    public void DKD0026_custom_loss_with_the_wrong_signature() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        public partial class R
        {
            [CustomLoss] private Tensor [|Extra|](Mlp.Features student, Cnn.Features teacher, Tensor labels) => student.Logits.sum();
        }
        """), "DKD0026", "'Tensor Extra(Cnn.Features teacher, Mlp.Features student, Tensor labels)'", "first parameter must be 'Cnn.Features'");

    [Fact]
    public void DKD0027_recipe_declaring_a_member_the_generator_adds() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels]
        public partial class R
        {
            public double [|Loss|] => 1;
        }
        """), "DKD0027", "it declares 'Loss', which the generator adds to every distillation recipe; rename it");

    [Fact]
    public void DKD0027_recipe_not_partial() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels]
        public class [|R|];
        """), "DKD0027", "not 'partial'");

    [Fact]
    public void DKD0028_label_smoothing_out_of_range() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels([|LabelSmoothing = 1|])]
        public partial class R;
        """), "DKD0028", "LabelSmoothing must be in [0, 1) but is 1");

    [Fact]
    public void DKD0029_zero_epochs() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [SoftTargets]
        [Epochs([|0|])]
        public partial class R;
        """), "DKD0029", "Epochs", "at least 1 but is 0");

    [Fact]
    public void DKD0029_non_positive_learning_rate_on_a_supervised_recipe() => DiagnosticAssert.Single(Recipe("""
        [Supervised<Cnn>]
        [Optimizer(OptimizerKind.Adam, [|LearningRate = -1e-3|])]
        public partial class R;
        """), "DKD0029", "LearningRate must be a positive number but is -0.001");

    [Fact]
    public void DKD0029_nesterov_without_momentum() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels]
        [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1, [|Nesterov = true|])]
        public partial class R;
        """), "DKD0029", "Nesterov momentum needs OptimizerKind.Sgd with Momentum > 0");

    [Fact]
    public void DKD0029_batch_size_not_positive() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [HardLabels, BatchSize([|-5|])]
        public partial class R;
        """), "DKD0029", "batch size must be at least 1 but is -5");

    [Fact]
    public void DKD0030_models_from_another_assembly()
    {
        var library = GeneratorHarness.Run("""
            using DslKd;
            namespace Lib;
            [Teacher(InputShape = [4], Classes = 2)] public partial class T { [Linear(2)] public partial Block Logits { get; } }
            [Student(InputShape = [4], Classes = 2)] public partial class S { [Linear(2)] public partial Block Logits { get; } }
            """).Output;
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);
        var reference = Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(image.ToArray());
        var source = MarkedSource.Parse("""
            using DslKd;
            [[|Distillation<Lib.T, Lib.S>|]]
            [SoftTargets]
            public partial class R;
            """);

        var outcome = GeneratorHarness.Run([source.Text], [reference]);

        Assert.Equal(2, outcome.Diagnostics.Count); // one for the teacher, one for the student
        Assert.All(outcome.Diagnostics, d => Assert.Equal(("DKD0030", source.Span), (d.Id, d.Location.SourceSpan)));
        Assert.Contains(outcome.Diagnostics, d => d.GetMessage().Contains("'Lib.T', declared in another assembly"));
    }

    [Fact]
    public void A_model_with_errors_gives_its_own_diagnostic_and_no_recipe_cascade()
    {
        var outcome = GeneratorHarness.Run(Models.Replace("Classes = 4)]\npublic partial class Cnn", "Classes = 5)]\npublic partial class Cnn") + """
            [Distillation<Cnn, Mlp>]
            [SoftTargets]
            public partial class R;
            """);

        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal("DKD0007", diagnostic.Id);
    }

    [Fact]
    public void DKD0029_an_enum_value_no_member_has_is_reported_by_name() => DiagnosticAssert.Single(Recipe("""
        [Supervised<Cnn>]
        [Optimizer([|(OptimizerKind)7|])]
        public partial class R;
        """), "DKD0029", "unknown OptimizerKind 7");

    [Fact]
    public void DKD0017_relational_terms_need_vector_features() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [[|RelationalKD(nameof(Cnn.Maps), nameof(Mlp.Hidden))|]]
        public partial class R;
        """), "DKD0017", "RelationalKD compares sample-to-sample relations of vectors [features]", "[16, 8, 8]", "[16]");

    [Fact]
    public void DKD0028_a_negative_relational_weight_names_the_argument_and_its_range() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [RelationalKD(nameof(Cnn.Hidden), nameof(Mlp.Hidden), [|AngleWeight = -1|])]
        public partial class R;
        """), "DKD0028", "RelationalKD: AngleWeight must be zero or a positive number but is -1");

    [Fact]
    public void DKD0028_a_negative_warm_up_names_the_argument() => DiagnosticAssert.Single(Recipe("""
        [Distillation<Cnn, Mlp>]
        [DecoupledKD([|WarmupEpochs = -5|])]
        [HardLabels]
        public partial class R;
        """), "DKD0028", "DecoupledKD: WarmupEpochs must be zero (no warm-up) or a number of epochs but is -5");

    // Sequence models: a teacher over token ids, students that agree with it or not, features of several layouts.
    private const string SequenceModels = """
        using DslKd;

        [Teacher(InputShape = [32], Classes = 2)]
        public partial class TokenTeacher
        {
            [Embedding(1000, 64, PaddingIndex = 0), TransformerEncoder(4)] public partial Block Encoder { get; }
            [PoolOverTime(TimePooling.Mean)] public partial Block Pooled { get; }
            [Linear(2)] public partial Block Logits { get; }
        }

        [Student(InputShape = [32], Classes = 2)]
        public partial class TokenStudent
        {
            [Embedding(1000, 8, PaddingIndex = 0), GRU(16, RecurrentOutput.Sequence)] public partial Block Encoder { get; }
            [PoolOverTime(TimePooling.Max, Kernel = 2)] public partial Block Windows { get; }
            [Flatten, Linear(2)] public partial Block Logits { get; }
        }

        [Student(InputShape = [32], Classes = 2)]
        public partial class OtherVocabulary
        {
            [Embedding(500, 8), GRU(16, RecurrentOutput.LastState)] public partial Block Encoder { get; }
            [Linear(2)] public partial Block Logits { get; }
        }

        [Student(InputShape = [32], Classes = 2)]
        public partial class ValuesStudent
        {
            [Linear(2)] public partial Block Logits { get; }
        }

        """;

    [Fact]
    public void DKD0032_teacher_reads_token_ids_and_student_real_values() => DiagnosticAssert.Single(SequenceModels + """
        [[|Distillation<TokenTeacher, ValuesStudent>|]]
        [SoftTargets]
        public partial class R;
        """, "DKD0032", "Recipe 'R'", "the teacher 'TokenTeacher' reads token ids of a vocabulary of 1,000",
        "the student 'ValuesStudent' reads real values", "start both with an [Embedding] (token ids) or neither");

    [Fact]
    public void DKD0032_teacher_and_student_vocabularies_differ() => DiagnosticAssert.Single(SequenceModels + """
        [[|Distillation<TokenTeacher, OtherVocabulary>|]]
        [SoftTargets]
        public partial class R;
        """, "DKD0032", "vocabulary of 1,000", "'OtherVocabulary' reads token ids of a vocabulary of 500", "the same vocabulary");

    [Fact]
    public void A_hint_between_sequences_of_different_widths_gets_a_per_step_linear_adapter()
    {
        var outcome = GeneratorHarness.Run(SequenceModels + """
            [Distillation<TokenTeacher, TokenStudent>]
            [FeatureHint(nameof(TokenTeacher.Encoder), nameof(TokenStudent.Encoder))]
            [CosineFeature(nameof(TokenTeacher.Encoder), nameof(TokenStudent.Encoder))]
            public partial class R;
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        var recipe = outcome.GeneratedSource("R.g.cs");
        Assert.Contains("// [FeatureHint(nameof(TokenTeacher.Encoder), nameof(TokenStudent.Encoder))]: student [32, 16] -> teacher [32, 64], 1,088 parameters", recipe);
        Assert.Contains("_encoderHintAdapter = global::TorchSharp.torch.nn.Linear(inputSize: 16, outputSize: 64, device: device, dtype: dtype);", recipe);
        Assert.Contains("_encoderCosineAdapter = global::TorchSharp.torch.nn.Linear(inputSize: 16, outputSize: 64, device: device, dtype: dtype);", recipe);
        Assert.Contains("public const long AdapterParameterCount = 2176L;", recipe);
    }

    [Fact]
    public void DKD0017_hint_between_sequences_of_different_lengths() => DiagnosticAssert.Single(SequenceModels + """
        [Distillation<TokenTeacher, TokenStudent>]
        [[|FeatureHint(nameof(TokenTeacher.Encoder), nameof(TokenStudent.Windows))|]]
        public partial class R;
        """, "DKD0017", "FeatureHint", "'Encoder' is [32, 64] (a sequence [T, features])", "'Windows' is [16, 16] (a sequence [T, features])",
        "sequence lengths differ (32 and 16 steps)");

    [Fact]
    public void DKD0017_hint_between_a_sequence_and_a_conv1d_map() => DiagnosticAssert.Single("""
        using DslKd;

        [Teacher(InputShape = [16, 8], Classes = 2)]
        public partial class Rows
        {
            [GRU(32, RecurrentOutput.Sequence)] public partial Block Encoder { get; }
            [PoolOverTime(TimePooling.Mean), Linear(2)] public partial Block Logits { get; }
        }

        [Student(InputShape = [16, 8], Classes = 2)]
        public partial class Signal
        {
            [Conv1d(4, Kernel = 3, Padding = 1)] public partial Block Map { get; }
            [Flatten, Linear(2)] public partial Block Logits { get; }
        }

        [Distillation<Rows, Signal>]
        [[|FeatureHint(nameof(Rows.Encoder), nameof(Signal.Map))|]]
        public partial class R;
        """, "DKD0017", "'Encoder' is [16, 32] (a sequence [T, features])", "'Map' is [4, 8]",
        "a sequence [T, features] has time first and a map [channels, length] channels first");

    [Fact]
    public void DKD0017_attention_transfer_on_sequences_points_to_the_terms_that_take_them() => DiagnosticAssert.Single(SequenceModels + """
        [Distillation<TokenTeacher, TokenStudent>]
        [[|AttentionTransfer(nameof(TokenTeacher.Encoder), nameof(TokenStudent.Encoder))|]]
        public partial class R;
        """, "DKD0017", "attention maps need feature maps [channels, height, width]", "compare sequences with [FeatureHint] or [CosineFeature]");

    [Fact]
    public void DKD0017_relational_terms_on_sequences_point_to_pooling_over_time() => DiagnosticAssert.Single(SequenceModels + """
        [Distillation<TokenTeacher, TokenStudent>]
        [[|ProbabilisticTransfer(nameof(TokenTeacher.Encoder), nameof(TokenStudent.Encoder))|]]
        public partial class R;
        """, "DKD0017", "ProbabilisticTransfer compares sample-to-sample relations", "global [PoolOverTime]", "RecurrentOutput.LastState");

    public static TheoryData<string, string, string, string, string?> OutOfRange => new()
    {
        // attribute line, id, argument, range, suggested value (null: the user must choose)
        { "[SoftTargets(Temperature = 0)]", "DKD0018", "Temperature", "Positive", "1" },
        { "[HardLabels(Weight = -2)]", "DKD0019", "Weight", "NonNegative", "0" },
        { "[HardLabels(LabelSmoothing = 1)]", "DKD0028", "LabelSmoothing", "Probability", "0.1" },
        { "[HardLabels(LabelSmoothing = -1)]", "DKD0028", "LabelSmoothing", "Probability", "0" },
        { "[DecoupledKD(Beta = -1)]", "DKD0028", "Beta", "NonNegative", "0" },
        { "[HardLabels]\n[Epochs(0)]", "DKD0029", "Epochs", "AtLeastOne", "1" },
        { "[HardLabels]\n[BatchSize(0)]", "DKD0029", "BatchSize", "AtLeastOne", "128" },
        { "[HardLabels]\n[LearningRateSchedule(ScheduleKind.Step, Gamma = 2)]", "DKD0029", "Gamma", "UnitInterval", "1" },
        { "[HardLabels]\n[Optimizer(OptimizerKind.Adam, LearningRate = 0)]", "DKD0029", "LearningRate", "Positive", null },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Out_of_range_diagnostics_carry_the_argument_its_range_and_the_value_a_fix_writes(string attributes, string id, string argument, string range, string? suggested)
    {
        var outcome = GeneratorHarness.Run(Recipe($"[Distillation<Cnn, Mlp>]\n{attributes}\npublic partial class R;"));

        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(argument, diagnostic.Properties["Argument"]);
        Assert.Equal(range, diagnostic.Properties["Range"]);
        Assert.Equal(suggested, diagnostic.Properties.GetValueOrDefault("Suggested"));
    }
}

