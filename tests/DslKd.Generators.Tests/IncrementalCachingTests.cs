using System.Collections;
using System.Reflection;
using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DslKd.Generators.Tests;

public class IncrementalCachingTests
{
    private static readonly string[] TrackedSteps =
    [
        ModelGenerator.Steps.ParsedModels, ModelGenerator.Steps.ValidatedModels, ModelGenerator.Steps.ModelDiagnostics,
        RecipeGenerator.Steps.ParsedRecipes, RecipeGenerator.Steps.ValidatedRecipes, RecipeGenerator.Steps.RecipeDiagnostics,
        RecipeGenerator.Steps.ValidatedSupervised, RecipeGenerator.Steps.SupervisedDiagnostics,
    ];

    private static IEnumerable<IncrementalGeneratorRunStep> Steps(GeneratorDriverRunResult result, string step) =>
        result.Results.SelectMany(r => r.TrackedSteps.TryGetValue(step, out var runs) ? runs : []);

    [Fact]
    public void An_unrelated_edit_leaves_every_step_and_output_cached()
    {
        var compilation = GeneratorHarness.Compile(Sources.WideCnn, Sources.SmallMlp, Sources.CnnToMlp, Sources.TrainTeacher);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X => 1; }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult();

        foreach (var step in TrackedSteps)
        {
            var runs = Steps(result, step).ToList();
            Assert.NotEmpty(runs);
            Assert.All(runs.SelectMany(r => r.Outputs), output =>
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {step} re-ran: {output.Reason}"));
        }
        Assert.All(result.Results.SelectMany(r => r.TrackedOutputSteps).SelectMany(s => s.Value).SelectMany(r => r.Outputs), output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"an output re-ran: {output.Reason}"));
    }

    [Fact]
    public void Editing_one_model_regenerates_only_that_model_and_its_recipes()
    {
        var compilation = GeneratorHarness.Compile(Sources.WideCnn, Sources.SmallMlp, Sources.CnnToMlp);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.ElementAt(1);
        var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Sources.SmallMlp.Replace("Linear(128)", "Linear(64)")));
        var run = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult();
        var result = run.ResultOf<ModelGenerator>();

        var reasons = result.TrackedSteps[ModelGenerator.Steps.ValidatedModels]
            .SelectMany(r => r.Outputs)
            .Select(o => (Model: ((dynamic)o.Value).Spec.ClassName as string, o.Reason))
            .ToList();
        Assert.Contains(("WideCnn", IncrementalStepRunReason.Cached), reasons);
        Assert.Contains(("SmallMlp", IncrementalStepRunReason.Modified), reasons);
        Assert.Contains("Linear(inputSize: 784, outputSize: 64", result.GeneratedSources.Single(s => s.HintName == "Demo.SmallMlp.g.cs").SourceText.ToString());

        // The recipe sees the edited student: its adapter now maps 64 student features to the teacher's 256.
        var recipe = run.ResultOf<RecipeGenerator>();
        Assert.Equal(IncrementalStepRunReason.Modified, recipe.TrackedSteps[RecipeGenerator.Steps.ValidatedRecipes].Single().Outputs.Single().Reason);
        Assert.Contains("Linear(inputSize: 64, outputSize: 256", recipe.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Pipeline_values_hold_no_symbols_syntax_or_compilations()
    {
        var compilation = GeneratorHarness.Compile(Sources.WideCnn, Sources.SmallMlp, Sources.CnnToMlp, Sources.TrainTeacher, Sources.EveryLayer, """
            using DslKd;
            [Model(InputShape = [1, 28, 28])]
            public partial class Broken { [Flatten, Conv2d(3, Kernel = 3)] public partial Block Head { get; } }
            """);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult();

        var values = TrackedSteps.SelectMany(step => Steps(result, step)).SelectMany(r => r.Outputs).Select(o => o.Value).ToList();
        Assert.Contains(values, v => v.GetType().Name == "ValidatedRecipe");
        Assert.Contains(values, v => v.GetType().Name == "ValidatedSupervised");
        Assert.NotEmpty(values);
        foreach (var value in values) AssertHoldsNoCompilerObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), "value");
    }

    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location)];

    private static void AssertHoldsNoCompilerObjects(object? value, HashSet<object> visited, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        if (!value.GetType().IsValueType && !visited.Add(value)) return;
        Assert.False(Forbidden.Any(t => t.IsInstanceOfType(value)), $"{path} holds a {value.GetType().Name}");
        if (value is DiagnosticDescriptor) return; // static, immutable metadata: safe to keep

        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence) AssertHoldsNoCompilerObjects(item, visited, $"{path}[{i++}]");
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            AssertHoldsNoCompilerObjects(field.GetValue(value), visited, $"{path}.{field.Name}");
    }
}
