extern alias GeneratorAssembly;

using System.Diagnostics;
using System.Text;
using GeneratorAssembly::DslKd.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace DslKd.Benchmarks;

/// <summary>The generator's own cost: cold runs over 1, 10 and 100 declarations, and incremental re-runs.</summary>
public static class GeneratorBenchmark
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Preview);

    public static void Run(BenchReport report, int[] sizes)
    {
        const string section = "7. The generator, in-process GeneratorDriver (each 'declaration' = teacher + student + recipe)";
        var references = References();
        Cold(Compilation(2, references)); // JIT warm-up

        foreach (var size in sizes)
        {
            // A new compilation each time: the generator's run includes binding the declarations, as in a real build.
            var times = Enumerable.Range(0, 5).Select(_ =>
            {
                var compilation = Compilation(size, references);
                return Timing.Seconds(() => Cold(compilation));
            }).ToList();
            report.Add(section, $"cold generation, {size} declarations", Timing.Median(times) * 1e3, "ms", size == 100 ? "target < 1000 ms" : "");
        }

        var largest = Compilation(sizes.Max(), references);
        var driver = CreateDriver().RunGenerators(largest);
        var unrelated = largest.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { }", Parse));
        GeneratorDriver afterUnrelated = driver;
        var unrelatedTime = Timing.Seconds(() => afterUnrelated = driver.RunGenerators(unrelated));
        report.Add(section, $"re-run after an unrelated edit ({sizes.Max()} declarations)", unrelatedTime * 1e3, "ms");
        report.Add(section, "  outputs regenerated", Regenerated(afterUnrelated), "");

        var tree = largest.SyntaxTrees.First();
        var edited = largest.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(tree.ToString().Replace("Linear(64)", "Linear(48)"))));
        GeneratorDriver afterEdit = driver;
        var editTime = Timing.Seconds(() => afterEdit = driver.RunGenerators(edited));
        report.Add(section, $"re-run after editing one student ({sizes.Max()} declarations)", editTime * 1e3, "ms");
        report.Add(section, "  outputs regenerated (its model and its recipe expected)", Regenerated(afterEdit), "");
    }

    private static void Cold(Compilation compilation) => CreateDriver().RunGenerators(compilation);

    private static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new ModelGenerator().AsSourceGenerator(), new RecipeGenerator().AsSourceGenerator()],
        parseOptions: Parse,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static int Regenerated(GeneratorDriver driver) =>
        driver.GetRunResult().Results.SelectMany(r => r.TrackedOutputSteps).SelectMany(s => s.Value)
            .SelectMany(s => s.Outputs).Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);

    /// <summary>One file per declaration: a CNN teacher, an MLP student and a recipe over them.</summary>
    private static CSharpCompilation Compilation(int declarations, IReadOnlyList<MetadataReference> references)
    {
        var trees = Enumerable.Range(0, declarations).Select(i => CSharpSyntaxTree.ParseText($$"""
            using DslKd;
            namespace Bench.N{{i}};
            [Teacher(InputShape = [1, 28, 28], Classes = 10)]
            public partial class Teacher{{i}}
            {
                [Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)] public partial Block Stem { get; }
                [Flatten, Linear(256), ReLU, Dropout(0.3)] public partial Block Hidden { get; }
                [Linear(10)] public partial Block Logits { get; }
            }
            [Student(InputShape = [1, 28, 28], Classes = 10)]
            public partial class Student{{i}}
            {
                [Flatten, Linear(64), ReLU] public partial Block Hidden { get; }
                [Linear(10)] public partial Block Logits { get; }
            }
            [Distillation<Teacher{{i}}, Student{{i}}>]
            [SoftTargets(Temperature = 2, Weight = 0.5), HardLabels(Weight = 0.5)]
            [FeatureHint(nameof(Teacher{{i}}.Hidden), nameof(Student{{i}}.Hidden), Weight = 0.1)]
            [Epochs(5), BatchSize(128)]
            public partial class Recipe{{i}};
            """, Parse, path: $"Declaration{i}.cs", encoding: Encoding.UTF8));
        return CSharpCompilation.Create("Bench", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    private static IReadOnlyList<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
        .Append(typeof(Block).Assembly.Location)
        .Append(typeof(TorchSharp.torch).Assembly.Location)
        .Distinct()
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .ToList();
}
