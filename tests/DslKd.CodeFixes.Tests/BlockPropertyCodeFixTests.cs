using DslKd.CodeFixes.Tests.Infrastructure;
using Xunit;
using static DslKd.CodeFixes.Tests.Infrastructure.CodeFixHarness;

namespace DslKd.CodeFixes.Tests;

public class BlockPropertyCodeFixTests
{
    private readonly BlockPropertyCodeFixProvider _provider = new();

    /// <summary>A model whose Logits block is declared as <paramref name="logits"/>, preceded by a valid Hidden block.</summary>
    private static string Model(string logits) => $$"""
        using DslKd;

        namespace Demo;

        [Student(InputShape = [784], Classes = 10)]
        public partial class Mlp
        {
            [Linear(32), ReLU]
            public partial Block Hidden { get; }

            [Linear(10)]
        {{logits}}
        }
        """;

    private const string Fixed = "    public partial Block Logits { get; }";

    [Theory]
    [InlineData("    public Block Logits { get; }", "it is not partial")]
    [InlineData("    public partial Block Logits { get; set; }", "it has a setter")]
    [InlineData("    public partial Block Logits { get; init; }", "it has a setter")]
    [InlineData("    public static partial Block Logits { get; }", "it is static")]
    [InlineData("    static public Block Logits { get; }", "it is static")]
    [InlineData("    public partial int Logits { get; }", "its type is 'int', not Block")]
    [InlineData("    public partial Block? Logits { get; }", "its type is 'DslKd.Block?', not Block")]
    [InlineData("    public Block Logits => null!;", "it is not partial")]
    [InlineData("    public Block Logits { get; } = null!;", "it is not partial")]
    [InlineData("    public Block Logits { get => null!; }", "it is not partial")]
    [InlineData("    public static object Logits { get; set; } = new();", "its type is 'object', not Block")]
    [InlineData("    public virtual partial Block Logits { get; }", "it is 'virtual'")]
    [InlineData("    public required partial Block Logits { get; }", "it is 'required'")]
    [InlineData("    public partial Block Logits { get => null!; }", "it has a body")]
    public async Task DKD0002_becomes_a_partial_get_only_Block_property(string declaration, string reason)
    {
        var before = Model(declaration);
        var document = CreateDocument(before);
        var diagnostic = Assert.Single((await RunGeneratorsAsync(document.Project)).Diagnostics);
        Assert.Equal("DKD0002", diagnostic.Id);
        Assert.Contains(reason, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        var title = await VerifyFixAsync(_provider, before, "DKD0002", Model(Fixed));

        Assert.Equal("Declare 'Logits' as 'partial Block Logits { get; }'", title);
    }

    [Fact]
    public async Task DKD0002_on_an_implementation_the_user_wrote_beside_the_block_has_no_fix()
    {
        // The fix is to delete the second part; rewriting it would declare the block twice.
        var source = Model(Fixed + "\n    public partial Block Logits => null!;");

        await VerifyNoFixAsync(_provider, source, "DKD0002");
    }

    [Fact]
    public async Task DKD0002_keeps_attributes_comments_and_accessibility_and_drops_a_multi_line_body()
    {
        const string before = """
            using DslKd;

            [Model(InputShape = [784])]
            internal partial class Mlp
            {
                /// <summary>The class scores.</summary>
                [Linear(10)] // ten classes
                internal Block Logits
                {
                    get { return null!; }
                    set { }
                } // end of Logits

                [ReLU]
                internal partial Block Activation { get; }
            }
            """;
        const string after = """
            using DslKd;

            [Model(InputShape = [784])]
            internal partial class Mlp
            {
                /// <summary>The class scores.</summary>
                [Linear(10)] // ten classes
                internal partial Block Logits { get; } // end of Logits

                [ReLU]
                internal partial Block Activation { get; }
            }
            """;

        await VerifyFixAsync(_provider, before, "DKD0002", after);
    }

    [Fact]
    public async Task DKD0002_without_modifiers_puts_partial_first()
    {
        // No accessibility: the property is private, which the generated part repeats.
        var before = Model("    Block Logits { get; }").Replace("[Linear(10)]\n", "[Linear(10)]\n    // private\n");
        var after = Model("    partial Block Logits { get; }").Replace("[Linear(10)]\n", "[Linear(10)]\n    // private\n");

        var (fixedSource, _) = await FixSingleAsync(_provider, before, "DKD0002");

        Assert.Equal(after, fixedSource);
        var run = await RunGeneratorsAsync(fixedSource);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "DKD0002");
    }

    [Fact]
    public async Task DKD0002_writes_the_Block_type_fully_qualified_when_Block_is_not_in_scope()
    {
        const string before = """
            namespace Demo;

            [DslKd.Model(InputShape = [784], Classes = 10)]
            public partial class Mlp
            {
                [DslKd.Linear(10)]
                public partial int Logits { get; }
            }
            """;
        var after = before.Replace("public partial int Logits", "public partial global::DslKd.Block Logits");

        await VerifyFixAsync(_provider, before, "DKD0002", after);
    }

    [Fact]
    public async Task Fix_all_rewrites_every_block_of_the_document()
    {
        const string before = """
            using DslKd;

            [Model(InputShape = [784], Classes = 10)]
            public partial class Mlp
            {
                [Linear(32), ReLU]
                public Block Hidden { get; set; }

                [Linear(10)]
                public partial Block Logits { get; set; }
            }
            """;
        var after = before.Replace("public Block Hidden { get; set; }", "public partial Block Hidden { get; }")
            .Replace("public partial Block Logits { get; set; }", "public partial Block Logits { get; }");

        var fixedSource = await FixAllHarness.FixAllInDocumentAsync(_provider, before, "DKD0002", expectedDiagnostics: 2);

        Assert.Equal(after, fixedSource);
        await AssertCleanAsync(fixedSource);
    }
}
