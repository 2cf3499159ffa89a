using DslKd.CodeFixes.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using static DslKd.CodeFixes.Tests.Infrastructure.CodeFixHarness;

namespace DslKd.CodeFixes.Tests;

/// <summary>
/// The generated members' documentation quotes the attributes they come from (issue 7); quoting source text must not
/// break the generated code, whatever the user wrote: attributes over several lines, or with &lt;, &gt; and &amp;.
/// </summary>
public class GeneratedDocumentationTests
{
    private const string Source = """
        using DslKd;

        namespace Demo;

        [Teacher(InputShape = [784], Classes = 10)]
        public partial class Mlp
        {
            [Linear(1 << 5,
                    Bias = true),
             ReLU]
            public partial Block Hidden { get; }

            [Linear(10)]
            public partial Block Logits { get; }
        }

        [Student(InputShape = [784], Classes = 10)]
        public partial class Tiny
        {
            [Linear(10)]
            public partial Block Logits { get; }
        }

        [Distillation<Mlp, Tiny>]
        [SoftTargets(Temperature = 2 > 1 ? 4 : 2,
                     Weight = 0.5)]
        [HardLabels(Weight = 0.5)]
        [Epochs(
            3)]
        public partial class MlpToTiny;

        [Supervised<Mlp>]
        [Optimizer(OptimizerKind.Sgd,
                   LearningRate = 0.1, Momentum = 0.9)]
        public partial class TrainMlp;
        """;

    [Fact]
    public async Task Quoted_attributes_spanning_lines_or_with_xml_characters_keep_generated_code_and_docs_valid()
    {
        var parseOptions = CodeFixHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var run = await RunGeneratorsAsync(CreateDocument(Source, parseOptions).Project);

        Assert.Empty(run.Diagnostics);
        var generatedTrees = run.Output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, generatedTrees.Count);
        // Errors anywhere, and any warning in generated code (badly formed XML documentation is CS1570).
        var problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                        || (d.Severity == DiagnosticSeverity.Warning && generatedTrees.Contains(d.Location.SourceTree!)))
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        var model = Generated(run, "Demo.Mlp.g.cs");
        Assert.Contains("/// <summary>Generated from [Linear(1 &lt;&lt; 5, Bias = true), ReLU] on Hidden: output [32], 25,120 parameters.</summary>", model);
        Assert.Contains("// [Linear(1 << 5, Bias = true)] -> [32]", model);
        var recipe = Generated(run, "Demo.MlpToTiny.g.cs");
        Assert.Contains("/// Generated from [Epochs( 3)];", recipe);
        Assert.Contains("/// <param name=\"SoftTargets\">[SoftTargets(Temperature = 2 &gt; 1 ? 4 : 2, Weight = 0.5)], unweighted.</param>", recipe);
        var supervised = Generated(run, "Demo.TrainMlp.g.cs");
        Assert.Contains("/// Generated from [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9)];", supervised);
    }

    private static string Generated(GeneratorRun run, string hintName) =>
        run.Output.SyntaxTrees.Single(t => t.FilePath.EndsWith(hintName, StringComparison.Ordinal)).ToString();
}
