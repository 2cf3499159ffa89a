using DslKd.CodeFixes.Tests.Infrastructure;
using Xunit;
using static DslKd.CodeFixes.Tests.Infrastructure.CodeFixHarness;

namespace DslKd.CodeFixes.Tests;

public class MakePartialCodeFixTests
{
    private readonly MakePartialCodeFixProvider _provider = new();

    [Fact]
    public async Task DKD0001_adds_partial_after_the_other_modifiers()
    {
        const string before = """
            using DslKd;

            namespace Demo;

            [Model(InputShape = [784], Classes = 10)]
            public sealed class Mlp
            {
                [Linear(10)]
                public partial Block Logits { get; }
            }
            """;
        const string after = """
            using DslKd;

            namespace Demo;

            [Model(InputShape = [784], Classes = 10)]
            public sealed partial class Mlp
            {
                [Linear(10)]
                public partial Block Logits { get; }
            }
            """;

        var title = await VerifyFixAsync(_provider, before, "DKD0001", after);

        Assert.Equal("Make 'Mlp' partial", title);
    }

    [Fact]
    public async Task DKD0001_without_modifiers_puts_partial_where_the_class_keyword_was()
    {
        const string before = """
            using DslKd;

            [Model(InputShape = [784], Classes = 10)]
                // the comment stays before the declaration
                class Mlp
            {
                [Linear(10)]
                internal partial Block Logits { get; }
            }
            """;
        const string after = """
            using DslKd;

            [Model(InputShape = [784], Classes = 10)]
                // the comment stays before the declaration
                partial class Mlp
            {
                [Linear(10)]
                internal partial Block Logits { get; }
            }
            """;

        await VerifyFixAsync(_provider, before, "DKD0001", after);
    }

    [Fact]
    public async Task DKD0027_not_partial_recipe_is_made_partial()
    {
        const string before = """
            using DslKd;

            namespace Demo;

            [Distillation<WideCnn, SmallMlp>]
            [SoftTargets(Temperature = 4, Weight = 0.9), HardLabels(Weight = 0.1)]
            public class CnnToMlp;
            """ + Models.WideCnnAndSmallMlp;
        var after = before.Replace("public class CnnToMlp;", "public partial class CnnToMlp;");

        var title = await VerifyFixAsync(_provider, before, "DKD0027", after);

        Assert.Equal("Make 'CnnToMlp' partial", title);
    }

    [Fact]
    public async Task DKD0027_for_another_reason_gets_no_fix_even_when_the_class_is_not_partial()
    {
        // Nested and not partial: the generator names the nesting, which 'partial' would not fix.
        const string source = """
            using DslKd;

            namespace Demo;

            public partial class Outer
            {
                [Distillation<WideCnn, SmallMlp>]
                [SoftTargets]
                public class CnnToMlp;
            }
            """ + Models.WideCnnAndSmallMlp;

        await VerifyNoFixAsync(_provider, source, "DKD0027");
    }

    [Fact]
    public async Task Fix_all_makes_every_model_of_the_document_partial()
    {
        const string before = """
            using DslKd;

            namespace Demo;

            [Model(InputShape = [784], Classes = 10)]
            public class First
            {
                [Linear(10)]
                public partial Block Logits { get; }
            }

            [Model(InputShape = [784], Classes = 10)]
            internal class Second
            {
                [Linear(10)]
                public partial Block Logits { get; }
            }
            """;
        var after = before.Replace("public class First", "public partial class First").Replace("internal class Second", "internal partial class Second");

        var fixedSource = await FixAllHarness.FixAllInDocumentAsync(_provider, before, "DKD0001", expectedDiagnostics: 2);

        Assert.Equal(after, fixedSource);
        await AssertCleanAsync(fixedSource);
    }
}
