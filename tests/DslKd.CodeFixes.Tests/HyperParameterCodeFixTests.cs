using DslKd.CodeFixes.Tests.Infrastructure;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;
using static DslKd.CodeFixes.Tests.Infrastructure.CodeFixHarness;

namespace DslKd.CodeFixes.Tests;

public class HyperParameterCodeFixTests
{
    private static string Model(string hiddenLayers) => $$"""
        using DslKd;

        namespace Demo;

        [Student(InputShape = [784], Classes = 10)]
        public partial class Mlp
        {
            private const double TooHigh = 1.5;

            [{{hiddenLayers}}]
            public partial Block Hidden { get; }

            [Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>Fashion-MNIST read as 28 rows of 28 pixels: a sequence model, for the sequence layers' dropouts.</summary>
    private static string Rows(string layers) => $$"""
        using DslKd;

        namespace Demo;

        [Student(InputShape = [28, 28], Classes = 10)]
        public partial class RowModel
        {
            [{{layers}}]
            public partial Block Rows { get; }

            [PoolOverTime(TimePooling.Mean), Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    private static string Recipe(string attributes) => $$"""
        using DslKd;

        namespace Demo;

        [Distillation<WideCnn, SmallMlp>]
        {{attributes}}
        public partial class CnnToMlp;
        """ + Models.WideCnnAndSmallMlp;

    private static string Supervised(string attributes) => $$"""
        using DslKd;

        namespace Demo;

        {{attributes}}
        public partial class TrainStudent;
        """ + Models.WideCnnAndSmallMlp;

    public static TheoryData<string, string, string, string> Fixes => new()
    {
        // provider, before, after (the same template), title
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32), ReLU, Dropout(1.5)"), Model("Linear(32), ReLU, Dropout(0.5)"), "Set Probability to 0.5" },
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32), ReLU, Dropout(1)"), Model("Linear(32), ReLU, Dropout(0.5)"), "Set Probability to 0.5" },
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32), ReLU, Dropout(-0.2)"), Model("Linear(32), ReLU, Dropout(0)"), "Set Probability to 0" },
        // Written with the parameter's name, the generator cannot point at the argument and marks the whole attribute.
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32), Dropout(probability: 2)"), Model("Linear(32), Dropout(probability: 0.5)"), "Set Probability to 0.5" },
        // An attribute over several lines: the fixed code, whose generated comments quote it, must still compile.
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32),\n     Dropout(\n         1.5)"), Model("Linear(32),\n     Dropout(\n         0.5)"), "Set Probability to 0.5" },
        // The sequence layers' Dropout: negative becomes 0, 1 or more the attribute's default (the diagnostic's suggestion).
        { nameof(DropoutProbabilityCodeFixProvider), Rows("LSTM(32, RecurrentOutput.Sequence, Layers = 2, Dropout = 1.5)"), Rows("LSTM(32, RecurrentOutput.Sequence, Layers = 2, Dropout = 0)"), "Set Dropout to 0" },
        { nameof(DropoutProbabilityCodeFixProvider), Rows("GRU(32, RecurrentOutput.Sequence, Layers = 2, Dropout = -0.5)"), Rows("GRU(32, RecurrentOutput.Sequence, Layers = 2, Dropout = 0)"), "Set Dropout to 0" },
        { nameof(DropoutProbabilityCodeFixProvider), Rows("TransformerEncoder(4, Dropout = 1)"), Rows("TransformerEncoder(4, Dropout = 0.1)"), "Set Dropout to 0.1" },
        { nameof(DropoutProbabilityCodeFixProvider), Rows("PositionalEncoding(Dropout = 2), TransformerEncoder(4)"), Rows("PositionalEncoding(Dropout = 0), TransformerEncoder(4)"), "Set Dropout to 0" },
        { nameof(TemperatureCodeFixProvider), Recipe("[SoftTargets(Temperature = 0, Weight = 0.9)]"), Recipe("[SoftTargets(Temperature = 1, Weight = 0.9)]"), "Set Temperature to 1" },
        { nameof(TemperatureCodeFixProvider), Recipe("[SoftTargetCrossEntropy(Weight = 0.5, Temperature = -2.5)]"), Recipe("[SoftTargetCrossEntropy(Weight = 0.5, Temperature = 1)]"), "Set Temperature to 1" },
        { nameof(NegativeWeightCodeFixProvider), Recipe("[SoftTargets(Temperature = 4)]\n[HardLabels(Weight = -0.1)]"), Recipe("[SoftTargets(Temperature = 4)]\n[HardLabels(Weight = 0)]"), "Set Weight to 0" },
        { nameof(TermArgumentCodeFixProvider), Recipe("[HardLabels(LabelSmoothing = 1.5)]"), Recipe("[HardLabels(LabelSmoothing = 0.1)]"), "Set LabelSmoothing to 0.1" },
        { nameof(TermArgumentCodeFixProvider), Supervised("[Supervised<SmallMlp>(LabelSmoothing = -0.1)]"), Supervised("[Supervised<SmallMlp>(LabelSmoothing = 0)]"), "Set LabelSmoothing to 0" },
        { nameof(TermArgumentCodeFixProvider),
            Recipe("[AttentionTransfer(nameof(WideCnn.Stem), nameof(SmallCnn.Stem), P = 0)]").Replace("<WideCnn, SmallMlp>", "<WideCnn, SmallCnn>") + Models.SmallCnn,
            Recipe("[AttentionTransfer(nameof(WideCnn.Stem), nameof(SmallCnn.Stem), P = 2)]").Replace("<WideCnn, SmallMlp>", "<WideCnn, SmallCnn>") + Models.SmallCnn,
            "Set P to 2" },
        { nameof(TrainingOptionCodeFixProvider), Supervised("[Supervised<SmallMlp>]\n[Epochs(0), BatchSize(64)]"), Supervised("[Supervised<SmallMlp>]\n[Epochs(1), BatchSize(64)]"), "Set Epochs to 1" },
        { nameof(TrainingOptionCodeFixProvider), Recipe("[HardLabels]\n[BatchSize(-32)]"), Recipe("[HardLabels]\n[BatchSize(128)]"), "Set BatchSize to 128" },
    };

    [Theory]
    [MemberData(nameof(Fixes))]
    public async Task Out_of_range_literal_is_replaced_and_the_diagnostic_goes_away(string provider, string before, string after, string title)
    {
        var fixer = Provider(provider);

        var actualTitle = await VerifyFixAsync(fixer, before, fixer.FixableDiagnosticIds.Single(), after);

        Assert.Equal(title, actualTitle);
    }

    public static TheoryData<string, string, string> NoFixes => new()
    {
        // The value is not a literal: the user decides.
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32), Dropout(TooHigh)"), "drop probability" },
        { nameof(TemperatureCodeFixProvider), Recipe("[SoftTargets(Temperature = double.NaN)]"), "Temperature" },
        { nameof(NegativeWeightCodeFixProvider), Recipe("[SoftTargets(Weight = 0.5)]\n[HardLabels(Weight = -(0.5))]"), "Weight" },
        // DKD0006, DKD0028 and DKD0029 cover other rules, with no value that is right without knowing the model.
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(0)"), "size" },
        { nameof(DropoutProbabilityCodeFixProvider), Model("Linear(32), BatchNorm1d(Momentum = 1.5)"), "Momentum" },
        // A recurrent dropout with one layer does nothing: remove it or stack layers, which a fix cannot choose.
        { nameof(DropoutProbabilityCodeFixProvider), Rows("GRU(32, RecurrentOutput.Sequence, Dropout = 0.2)"), "acts between stacked layers" },
        { nameof(DropoutProbabilityCodeFixProvider), Rows("TransformerEncoder(5)"), "do not divide into 5 heads" },
        { nameof(TrainingOptionCodeFixProvider), Recipe("[HardLabels]\n[Optimizer(OptimizerKind.Adam, LearningRate = 0)]"), "LearningRate" },
        { nameof(TrainingOptionCodeFixProvider), Recipe("[HardLabels]\n[GradientClipping(-1)]"), "MaxNorm" },
    };

    [Theory]
    [MemberData(nameof(NoFixes))]
    public async Task Diagnostic_the_fix_does_not_handle_gets_no_action(string provider, string source, string messageFragment)
    {
        var fixer = Provider(provider);
        var id = fixer.FixableDiagnosticIds.Single();
        var run = await RunGeneratorsAsync(source);
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        await VerifyNoFixAsync(fixer, source, id);
    }

    [Fact]
    public async Task Markup_built_diagnostic_on_the_same_span_gets_the_same_fix()
    {
        // What Microsoft.CodeAnalysis.Testing would pass for {|DKD0018:Temperature = 0|}: a source location in the tree.
        var marked = MarkedSource.Parse(Recipe("[SoftTargets([|Temperature = 0|], Weight = 0.9)]"));
        var document = CreateDocument(marked.Text);
        var generated = Assert.Single((await RunGeneratorsAsync(document.Project)).Diagnostics);
        Assert.Equal("DKD0018", generated.Id);
        Assert.Equal(marked.Span, generated.Location.SourceSpan);
        Assert.False(generated.Location.IsInSource); // Location.Create(path, span, lineSpan): an external file location

        var inTree = FixAllHarness.GeneratorDiagnosticProvider.InDocument(generated, (await document.GetSyntaxTreeAsync())!);
        Assert.True(inTree.Location.IsInSource);
        var provider = new TemperatureCodeFixProvider();

        var fromGenerator = await ApplyAsync(Assert.Single(await ActionsAsync(provider, document, generated)), document);
        var fromMarkup = await ApplyAsync(Assert.Single(await ActionsAsync(provider, document, inTree)), document);

        Assert.Equal(Recipe("[SoftTargets(Temperature = 1, Weight = 0.9)]"), fromGenerator);
        Assert.Equal(fromGenerator, fromMarkup);
    }

    [Fact]
    public async Task Fix_all_sets_every_negative_weight_of_the_document_to_zero()
    {
        var before = Recipe("[SoftTargets(Weight = -1)]\n[HardLabels(Weight = -0.5)]\n[LogitMatching(Weight = 0.5)]");
        var after = Recipe("[SoftTargets(Weight = 0)]\n[HardLabels(Weight = 0)]\n[LogitMatching(Weight = 0.5)]");

        var fixedSource = await FixAllHarness.FixAllInDocumentAsync(new NegativeWeightCodeFixProvider(), before, "DKD0019", expectedDiagnostics: 2);

        Assert.Equal(after, fixedSource);
        await AssertCleanAsync(fixedSource);
    }

    [Fact]
    public async Task Fix_all_fixes_label_smoothing_on_both_sides_of_the_range()
    {
        // One equivalence key per argument, whatever the replacement value, so Fix All takes both.
        const string supervised = "\n[Supervised<SmallMlp>(LabelSmoothing = {0})]\npublic partial class TrainStudent;\n";
        var before = Recipe("[HardLabels(LabelSmoothing = 2)]") + string.Format(supervised, "-1");
        var after = Recipe("[HardLabels(LabelSmoothing = 0.1)]") + string.Format(supervised, "0");

        var fixedSource = await FixAllHarness.FixAllInDocumentAsync(new TermArgumentCodeFixProvider(), before, "DKD0028", expectedDiagnostics: 2);

        Assert.Equal(after, fixedSource);
    }

    private static CodeFixProvider Provider(string name) =>
        (CodeFixProvider)Activator.CreateInstance(typeof(LiteralArgumentCodeFixProvider).Assembly.GetType("DslKd.CodeFixes." + name)!)!;
}
