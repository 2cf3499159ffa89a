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

