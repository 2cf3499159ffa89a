using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// Declarations the mutation campaign found generating code that did not compile, without a DKD diagnostic: names the
/// generated code declares or relies on, class shapes the generated part cannot join, block shapes it cannot implement.
/// Each is now one DKD error on the user's line, or (names in generated code) compiles.
/// </summary>
public class GeneratedCodeClashTests
{
    private const string Models = """
        using DslKd;
        [Teacher(InputShape = [4], Classes = 2)] public partial class T { [Linear(8), ReLU] public partial Block Hidden { get; } [Linear(2)] public partial Block Logits { get; } }
        [Student(InputShape = [4], Classes = 2)] public partial class S { [Linear(2)] public partial Block Logits { get; } }

        """;

    [Theory]
    [InlineData("Loss")]
    [InlineData("Losses")]
    [InlineData("Train")]
    [InlineData("DefaultOptions")]
    [InlineData("DefaultLoss")]
    [InlineData("LossSettings")]
    [InlineData("ComputeLoss")]
    [InlineData("CompressionRatio")]
    public void DKD0027_distillation_recipe_named_like_a_generated_member(string name) =>
        DiagnosticAssert.Single(Models + $"[Distillation<T, S>, SoftTargets] public partial class [|{name}|];",
            "DKD0027", $"'{name}'", "rename the class");

    [Theory]
    [InlineData("Train")]
    [InlineData("DefaultOptions")]
    [InlineData("LabelSmoothing")]
    [InlineData("Model")]
    public void DKD0027_supervised_recipe_named_like_a_generated_member(string name) =>
        DiagnosticAssert.Single(Models + $"[Supervised<T>] public partial class [|{name}|];", "DKD0027", $"'{name}'", "rename the class");

    [Theory]
    [InlineData("Summary")]
    [InlineData("ParameterCount")]
    [InlineData("InputShape")]
    [InlineData("Description")]
    [InlineData("ForwardFeatures")]
    [InlineData("forward")]
    public void DKD0008_model_named_like_a_generated_member(string name) =>
        DiagnosticAssert.Single($"using DslKd;\n[Model(InputShape = [4])] public partial class [|{name}|] {{ [Linear(2)] public partial Block Head {{ get; }} }}",
            "DKD0008", $"'{name}'", "rename the class");

    [Theory]
    [InlineData("forward")]
    [InlineData("call")]
    [InlineData("register_module")]
    [InlineData("RegisterComponents")]
    public void DKD0012_block_named_like_a_module_member_the_generated_code_uses(string name) =>
        DiagnosticAssert.Single($"using DslKd;\n[Model(InputShape = [4])] public partial class M {{ [Linear(2)] public partial Block [|{name}|] {{ get; }} }}",
            "DKD0012", $"'{name}'");

    [Theory]
    [InlineData("public int [|ParameterCount|] => 0;", "'ParameterCount'")]
    [InlineData("public const string [|Summary|] = \"\";", "'Summary'")]
    [InlineData("public static int [|InputShape|];", "'InputShape'")]
    [InlineData("public class [|Features|] { }", "'Features'")]
    [InlineData("private int [|_head|];", "'_head'")]
    [InlineData("public TorchSharp.torch.Tensor [|forward|](TorchSharp.torch.Tensor x) => x;", "'forward'")]
    [InlineData("public int [|call|];", "'call'")]
    public void DKD0008_model_declaring_a_member_the_generator_adds(string member, string fragment) =>
        DiagnosticAssert.Single($"using DslKd;\n[Model(InputShape = [4])] public partial class M {{ [Linear(2)] public partial Block Head {{ get; }} {member} }}",
            "DKD0008", fragment, "rename it");

    [Theory]
    [InlineData("public int [|DefaultOptions|];", "'DefaultOptions'")]
    [InlineData("public int [|Train|];", "'Train'")]
    [InlineData("private int [|_teacher|];", "'_teacher'")]
    [InlineData("public void [|ComputeLoss|](TorchSharp.torch.Tensor input, TorchSharp.torch.Tensor labels) { }", "'ComputeLoss'")]
    [InlineData("public [|R|](T teacher, S student, TorchSharp.torch.Device? device = null, TorchSharp.torch.ScalarType? dtype = null, long? seed = null, LossSettings? loss = null) : this(teacher, student) { }", "constructor")]
    public void DKD0027_distillation_recipe_declaring_a_member_the_generator_adds(string member, string fragment) =>
        DiagnosticAssert.Single(Models + $"[Distillation<T, S>, SoftTargets] public partial class R {{ {member} }}", "DKD0027", fragment);

    [Theory]
    [InlineData("public int [|Model|];", "'Model'")]
    [InlineData("public static double [|LabelSmoothing|];", "'LabelSmoothing'")]
    [InlineData("private T? [|_model|];", "'_model'")]
    public void DKD0027_supervised_recipe_declaring_a_member_the_generator_adds(string member, string fragment) =>
        DiagnosticAssert.Single(Models + $"[Supervised<T>] public partial class R {{ {member} }}", "DKD0027", fragment, "rename it");

    [Fact]
    public void A_method_overloading_a_generated_one_is_allowed()
    {
        var outcome = GeneratorHarness.Run(Models + """
            [Distillation<T, S>, SoftTargets] public partial class R
            {
                public DslKd.TrainingResult Train(DslKd.LabeledDataset data, int epochs) => Train(data, options: DefaultOptions with { Epochs = epochs });
            }
            [Model(InputShape = [4])] public partial class M
            {
                [Linear(2)] public partial Block Head { get; }
                public M(int seed) : this(seed: (long)seed) { }
                public void forward() { }
            }
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
    }

    /// <summary>Every name the generated code refers to is global::-qualified, so class names like these are fine in a namespace.</summary>
    [Theory]
    [InlineData("System")]
    [InlineData("TorchSharp")]
    [InlineData("DslKd")]
    [InlineData("Demo")]
    [InlineData("Dispose")]
    [InlineData("ToString")]
    [InlineData("Tensor")]
    public void Recipes_and_models_named_like_namespaces_and_inherited_members_compile(string name)
    {
        var outcome = GeneratorHarness.Run($$"""
            using DslKd;
            namespace Demo;
            [Teacher(InputShape = [4], Classes = 2)] public partial class T { [Linear(8), ReLU] public partial Block Hidden { get; } [Linear(2)] public partial Block Logits { get; } }
            [Student(InputShape = [4], Classes = 2)] public partial class S { [Linear(2)] public partial Block Logits { get; } }
            [Distillation<T, S>, SoftTargets, FeatureHint(nameof(T.Logits), nameof(S.Logits))] public partial class {{name}};
            [Model(InputShape = [4])] public partial class {{name}}Model { [Linear(2)] public partial Block Head { get; } }
            [Supervised<T>] public partial class {{name}}Supervised;
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>In the global namespace, such a class is what global::System (global::TorchSharp, global::DslKd) finds.</summary>
    [Theory]
    [InlineData("[Distillation<T, S>, SoftTargets] public partial class [|System|];", "DKD0027")]
    [InlineData("[Supervised<T>] public partial class [|TorchSharp|];", "DKD0027")]
    [InlineData("[Model(InputShape = [4])] public partial class [|System|] { [Linear(2)] public partial Block Head { get; } }", "DKD0008")]
    public void Classes_hiding_a_namespace_the_generated_code_uses(string declaration, string id) =>
        DiagnosticAssert.Single(Models + declaration, id, "global::", "declare it in a namespace or rename it");

    [Theory]
    [InlineData("[Model(InputShape = [4])] public partial class [|var|] { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "'var' as a keyword")]
    [InlineData("[Distillation<T, S>, SoftTargets] public partial class [|nameof|];", "DKD0027", "'nameof' as a keyword")]
    [InlineData("[Supervised<T>] public partial class [|var|];", "DKD0027", "'var' as a keyword")]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear(2)] public partial Block Head { get; } void [|nameof|](int x) { } }", "DKD0008", "nameof(...) into a call")]
    [InlineData("[Distillation<T, S>, SoftTargets] public partial class R { static string [|nameof|](object o) => \"\"; }", "DKD0027", "nameof(...) into a call")]
    public void Classes_and_members_named_like_keywords_the_generated_code_uses(string declaration, string id, string fragment) =>
        DiagnosticAssert.Single(Models + declaration, id, fragment);

    [Theory]
    [InlineData("[[|Distillation<Loss, S>|], SoftTargets] public partial class R;\n[Teacher(InputShape = [4], Classes = 2)] public partial class Loss { [Linear(2)] public partial Block Logits { get; } }", "teacher 'Loss'")]
    [InlineData("[[|Distillation<T, DefaultOptions>|], SoftTargets] public partial class R;\n[Student(InputShape = [4], Classes = 2)] public partial class DefaultOptions { [Linear(2)] public partial Block Logits { get; } }", "student 'DefaultOptions'")]
    [InlineData("[[|Distillation<T, Teacher>|], SoftTargets] public partial class R;\n[Student(InputShape = [4], Classes = 2)] public partial class Teacher { [Linear(2)] public partial Block Logits { get; } }", "student 'Teacher'")]
    [InlineData("[[|Supervised<Train>|]] public partial class R;\n[Model(InputShape = [4], Classes = 2)] public partial class Train { [Linear(2)] public partial Block Logits { get; } }", "model 'Train'")]
    [InlineData("[[|Distillation<T, parameters>|], SoftTargets] public partial class R;\n[Student(InputShape = [4], Classes = 2)] public partial class parameters { [Linear(2)] public partial Block Logits { get; } }", "TorchSharp's Module")]
    [InlineData("[[|Supervised<GetHashCode>|]] public partial class R;\n[Model(InputShape = [4], Classes = 2)] public partial class GetHashCode { [Linear(2)] public partial Block Logits { get; } }", "inherits from object")]
    public void DKD0027_model_named_like_a_member_of_its_recipe(string declarations, string fragment) =>
        DiagnosticAssert.Single(Models + declarations, "DKD0027", fragment, "rename the model");

    [Fact]
    public void Models_named_Teacher_Student_and_Model_are_fine_in_their_own_roles()
    {
        var outcome = GeneratorHarness.Run("""
            using DslKd;
            namespace Demo;
            [Teacher(InputShape = [4], Classes = 2)] public partial class Teacher { [Linear(8), ReLU] public partial Block Hidden { get; } [Linear(2)] public partial Block Logits { get; } }
            [Student(InputShape = [4], Classes = 2)] public partial class Student { [Linear(2)] public partial Block Logits { get; } }
            [Model(InputShape = [4], Classes = 2)] public partial class Model { [Linear(2)] public partial Block Logits { get; } }
            [Distillation<Teacher, Student>, SoftTargets, FeatureHint(nameof(Teacher.Logits), nameof(Student.Logits))] public partial class R;
            [Supervised<Model>] public partial class TrainModel;
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("[Model(InputShape = [4])] file partial class [|M|] { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "'file'")]
    [InlineData("[Distillation<T, S>, SoftTargets] file partial class [|R|];", "DKD0027", "'file'")]
    [InlineData("[Supervised<T>] file partial class [|R|];", "DKD0027", "'file'")]
    [InlineData("[Model(InputShape = [4])] public partial class [|M|](int size) { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "primary constructor")]
    [InlineData("[Distillation<T, S>, SoftTargets] public partial class [|R|](int size);", "DKD0027", "primary constructor")]
    [InlineData("[Supervised<T>] public partial class [|R|]();", "DKD0027", "primary constructor")]
    [InlineData("[Model(InputShape = [4])] public partial class [|M|] : TorchSharp.torch.nn.Module { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "derives from")]
    [InlineData("[Distillation<T, S>, SoftTargets] public partial class [|R|] : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;", "DKD0027", "derives from")]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear(2)] public partial Block Head { get; } public [|M|](int size) : base(\"m\") { } }", "DKD0008", "this(")]
    [InlineData("[Distillation<T, S>, SoftTargets] public partial class R { public [|R|]() : base(\"r\") { } }", "DKD0027", "this(")]
    public void Class_shapes_the_generated_part_cannot_join(string declaration, string id, string fragment) =>
        DiagnosticAssert.Single(Models + declaration, id, fragment);

    [Theory]
    [InlineData("virtual")]
    [InlineData("abstract")]
    [InlineData("sealed")]
    [InlineData("override")]
    [InlineData("extern")]
    [InlineData("required")]
    public void DKD0002_block_with_a_modifier_the_generated_part_cannot_repeat(string modifier) =>
        DiagnosticAssert.Single($"using DslKd;\n[Model(InputShape = [4])] public partial class M {{ [Linear(2)] public {modifier} partial Block [|Head|] {{ get; }} }}",
            "DKD0002", $"'{modifier}'");

    [Fact]
    public void DKD0002_block_implemented_by_the_user() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class M
        {
            [Linear(2)] public partial Block Head { get; }
            public partial Block [|Head|] => null!;
        }
        """, "DKD0002", "implements it", "remove");

    [Fact]
    public void DKD0002_block_declared_only_by_its_implementation() => DiagnosticAssert.Single("""
        using DslKd;
        [Model(InputShape = [4])]
        public partial class M
        {
            [Linear(2)] public partial Block [|Head|] { get => null!; }
        }
        """, "DKD0002", "body");

    /// <summary>Half-typed declarations: the compiler's own error is enough; the generated code must not add any.</summary>
    [Theory]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear()] public partial Block Head { get; } }")]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear(2), Tanh(2)] public partial Block Head { get; } }")]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear(2, Bias = )] public partial Block Head { get; } }")]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear(2), Dropout(\"x\")] public partial Block Head { get; } }")]
    [InlineData("[Distillation<T, S>, SoftTargets, Optimizer(OptimizerKind.Sgd), Optimizer(OptimizerKind.Adam)] public partial class R;")]
    [InlineData("[Distillation<T, S>, SoftTargets, Epochs(3)] [Epochs(4)] public partial class R;")]
    [InlineData("[Supervised<T>, Seed(1), Seed(2), BatchSize(8), BatchSize(8)] public partial class R;")]
    [InlineData("[Distillation<T, S>, SoftTargets, SoftTargets(Temperature = 2)] public partial class R;")]
    [InlineData("[Distillation<T, S>, SoftTargets(Temperature = )] public partial class R;")]
    [InlineData("[Model(InputShape = [4])] public partial class M { [Linear(2)] public public partial Block Head { get; } }")]
    [InlineData("[Model(InputShape = [4])] public partial class  { [Linear(2)] public partial Block Head { get; } }")]
    public void Half_typed_declarations_add_no_errors_in_generated_code(string declaration)
    {
        var outcome = GeneratorHarness.Run(Models + declaration);

        Assert.DoesNotContain(outcome.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
        var errors = outcome.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.NotEmpty(errors); // the compiler's own
        Assert.All(errors, e => Assert.Equal("Source0.cs", e.Location.GetLineSpan().Path));
    }
}
