using DslKd.Generators.Tests.Infrastructure;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>Declarations found in review that once broke the generated code or the generator; each must now compile or be reported.</summary>
public class GeneratorEdgeCaseTests
{
    private const string Pair = """
        [Teacher(InputShape = [4], Classes = 2)] internal partial class T { [Linear(8), ReLU] public partial Block Hidden { get; } [Linear(2)] public partial Block Logits { get; } }
        [Student(InputShape = [4], Classes = 2)] internal partial class S { [Linear(2)] public partial Block Logits { get; } }
        """;

    [Theory]
    [InlineData("internal models used by a public recipe", "using DslKd;\n" + Pair + "\n[Distillation<T, S>, SoftTargets, FeatureHint(nameof(T.Logits), nameof(S.Logits))] public partial class R;\n[Supervised<T>] public partial class TrainT;")]
    [InlineData("keyword namespace, class and block names", "using DslKd;\nnamespace @class.Models;\n[Model(InputShape = [4])] public partial class @event { [Linear(3)] public partial Block @class { get; } [Linear(2)] public partial Block @int { get; } }\n[Distillation<@event, @event>, LogitMatching, FeatureHint(nameof(@event.@class), nameof(@event.@class))] public partial class @struct;")]
    [InlineData("custom losses named like locals", "using DslKd;\nusing static TorchSharp.torch;\n" + Pair + "\n[Distillation<T, S>] public partial class R { [CustomLoss] Tensor smooth(T.Features teacher, S.Features student, Tensor labels) => student.Logits.sum(); [CustomLoss] static Tensor total(T.Features teacher, S.Features student, Tensor labels) => student.Logits.sum(); [CustomLoss] Tensor teacher(T.Features t, S.Features s, Tensor labels) => s.Logits.sum(); }")]
    [InlineData("a block hiding a base member with new", "using DslKd;\n[Model(InputShape = [4])] public partial class M { [Linear(2)] public new partial Block Training { get; } }")]
    [InlineData("hand-written Block members beside the blocks", "using DslKd;\n[Model(InputShape = [4])] public partial class M { [Linear(2)] public partial Block Head { get; } public Block this[int i] => Head; public Block Alias => Head; }")]
    [InlineData("a block without an accessibility keyword", "using DslKd;\n[Model(InputShape = [4])] public partial class M { [Linear(2)] partial Block Head { get; } }")]
    [InlineData("huge sizes", "using DslKd;\n[Model(InputShape = [2000000000])] public partial class M { [Linear(2000000000)] public partial Block Head { get; } }")]
    public void Valid_declarations_generate_code_that_compiles(string name, string source)
    {
        var outcome = GeneratorHarness.Run(source);

        Assert.True(outcome.Result.Results.All(r => r.Exception is null), name);
        Assert.DoesNotContain(outcome.Diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.Empty(outcome.CompilationProblems.Where(d => d.Id is not ("CS0108" or "CS0109"))); // 'new' is the user's choice
    }

    [Theory]
    [InlineData("blocks differing only in case", "[Model(InputShape = [4])] public partial class M { [Linear(2)] public partial Block Head { get; } [Linear(2)] public partial Block [|head|] { get; } }", "DKD0012", "clashes with block 'Head'")]
    [InlineData("a block named like an object member", "[Model(InputShape = [4])] public partial class M { [Linear(2)] public partial Block [|Equals|] { get; } }", "DKD0012", "'Equals'")]
    [InlineData("a model class named like a generated nested type", "[Model(InputShape = [4])] public partial class [|Features|] { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "nested type 'Features'")]
    [InlineData("a record model", "[Model(InputShape = [4])] public partial record [|M|] { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "records are not supported")]
    [InlineData("a model that is also a recipe", "[Model(InputShape = [4])] [Supervised<M>] public partial class [|M|] { [Linear(2)] public partial Block Head { get; } }", "DKD0008", "not several")]
    [InlineData("a null InputShape", "[Model([|InputShape = null|])] public partial class M { [Linear(2)] public partial Block Head { get; } }", "DKD0009", "not null")]
    [InlineData("a null feature name", "[Teacher(InputShape = [4], Classes = 2)] public partial class T { [Linear(8)] public partial Block Hidden { get; } [Linear(2)] public partial Block Logits { get; } }\n[Student(InputShape = [4], Classes = 2)] public partial class S { [Linear(2)] public partial Block Logits { get; } }\n[Distillation<T, S>, SoftTargets, FeatureHint([|null|], nameof(S.Logits))] public partial class R;", "DKD0016", "'' is not a block of the teacher 'T'")]
    public void Problem_declarations_get_one_clear_diagnostic(string name, string source, string id, string fragment) =>
        DiagnosticAssert.Single("using DslKd;\n" + source, id, fragment);

    [Fact]
    public void A_reserved_block_name_gives_only_its_own_diagnostic()
    {
        var outcome = GeneratorHarness.Run("using DslKd;\n[Model(InputShape = [4])] public partial class M { [Linear(2)] public partial Block Features { get; } }");

        Assert.Equal("DKD0012", Assert.Single(outcome.Diagnostics).Id);
        Assert.DoesNotContain(outcome.CompilationProblems, d => d.Id == "CS9248"); // the placeholder still implements the block
    }

    [Fact]
    public void Recipe_overflow_is_a_diagnostic_not_a_crash()
    {
        var outcome = GeneratorHarness.Run("""
            using DslKd;
            [Teacher(InputShape = [64000, 64000])] public partial class T { [Flatten] public partial Block Flat { get; } }
            [Student(InputShape = [65000, 65000])] public partial class S { [Flatten] public partial Block Flat { get; } }
            [Distillation<T, S>, FeatureHint(nameof(T.Flat), nameof(S.Flat))] public partial class R;
            """);

        Assert.True(outcome.Result.Results.All(r => r.Exception is null));
        Assert.Contains(outcome.Diagnostics, d => d.Id == "DKD0028" && d.GetMessage().Contains("too large"));
    }
}
