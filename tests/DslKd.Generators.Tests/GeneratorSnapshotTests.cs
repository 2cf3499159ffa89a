using ApprovalTests.Namers;
using DslKd.Generators.Tests.Infrastructure;
using Xunit;

namespace DslKd.Generators.Tests;

[UseApprovalSubdirectory("Snapshots")]
public class GeneratorSnapshotTests
{
    [Theory]
    [InlineData(nameof(Sources.WideCnn), "Demo.WideCnn.g.cs")]
    [InlineData(nameof(Sources.SmallMlp), "Demo.SmallMlp.g.cs")]
    [InlineData(nameof(Sources.EveryLayer), "EveryLayer.g.cs")]
    [InlineData(nameof(Sources.SignalCnn), "Signals.Models.SignalCnn.g.cs")]
    [InlineData(nameof(Sources.ResNet), "Zoo.TinyResNet.g.cs")]
    [InlineData(nameof(Sources.InvertedResidual), "Zoo.TinyMobileNet.g.cs")]
    [InlineData(nameof(Sources.TokenTransformer), "Text.TokenTransformer.g.cs")]
    [InlineData(nameof(Sources.BiLstm), "Text.BiLstm.g.cs")]
    [InlineData(nameof(Sources.GruStudent), "Text.GruStudent.g.cs")]
    [InlineData(nameof(Sources.EverySequenceLayer), "EverySequenceLayer.g.cs")]
    [InlineData(nameof(Sources.SignalPools), "Signals.Models.SignalPools.g.cs")]
    public void Generated_model_matches_snapshot_and_compiles_cleanly(string sourceName, string hintName)
    {
        var source = (string)typeof(Sources).GetField(sourceName)!.GetValue(null)!;

        var outcome = GeneratorHarness.Run(source);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        Assert.Equal([hintName], outcome.HintNames);
        Snapshot.Match(outcome.GeneratedSource(hintName), sourceName);
    }

    [Theory]
    [InlineData(nameof(Sources.CnnToMlp), "Demo.CnnToMlp.g.cs")]
    [InlineData(nameof(Sources.EveryTerm), "Demo.Recipes.DeepToThin.g.cs")]
    [InlineData(nameof(Sources.TrainTeacher), "Demo.TrainTeacher.g.cs")]
    [InlineData(nameof(Sources.SequenceRecipe), "Text.TransformerToGru.g.cs")]
    public void Generated_recipe_matches_snapshot_and_compiles_cleanly(string sourceName, string hintName)
    {
        var source = (string)typeof(Sources).GetField(sourceName)!.GetValue(null)!;
        var sources = sourceName switch
        {
            nameof(Sources.EveryTerm) => [source],
            nameof(Sources.SequenceRecipe) => [Sources.TokenTransformer, Sources.GruStudent, source],
            _ => new[] { Sources.WideCnn, Sources.SmallMlp, source },
        };

        var outcome = GeneratorHarness.Run(sources);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        Snapshot.Match(outcome.GeneratedSource(hintName), sourceName);
    }
}
