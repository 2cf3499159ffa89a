using System.Collections.Immutable;
using System.Text;
using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// The import diagnostics (DKD0040-DKD0048): [PyTorchName] rules, [PretrainedWeights] headers checked at compile time
/// (as DslKd's build targets pass them: a text file with the DslKdWeightsOf metadata), recipe input shapes.
/// </summary>
public class ImportDiagnosticsTests
{
    private const string WeightsPath = "weights/tiny_resnet.safetensors";

    /// <summary>The tiny ResNet of make_import_fixtures.py, declared as the runtime tests declare it, with {0} for Layer1's first width.</summary>
    private const string TinyResNet = """
        using DslKd;
        [Student(InputShape = [3, 8, 8], Classes = 5)]
        [[|PretrainedWeights("weights/tiny_resnet.safetensors")|]]
        [PyTorchName("conv1", "Stem.0")]
        [PyTorchName("bn1", "Stem.1")]
        [PyTorchName("layer{n}.{unit}.conv1", "Layer{n}.{unit}.0")]
        [PyTorchName("layer{n}.{unit}.bn1", "Layer{n}.{unit}.1")]
        [PyTorchName("layer{n}.{unit}.conv2", "Layer{n}.{unit}.3")]
        [PyTorchName("layer{n}.{unit}.bn2", "Layer{n}.{unit}.4")]
        [PyTorchName("layer{n}.{unit}.downsample", "Layer{n}.{unit}.Shortcut")]
        [PyTorchName("fc", "Logits.2")]
        public partial class TinyResNet
        {
            [Conv2d(4, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
            public partial Block Stem { get; }

            [Conv2d(LAYER1, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
             Conv2d(4, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
            public partial Block Layer1 { get; }

            [Repeat(2)]
            [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
             Conv2d(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
            public partial Block Layer2 { get; }

            [AvgPool2d(4), Flatten, Linear(5)]
            public partial Block Logits { get; }
        }
        """;

    [Fact]
    public void A_declaration_that_fits_the_pytorch_fixture_has_no_diagnostics()
    {
        var outcome = ImportHarness.Run([TinyResNet.Replace("LAYER1", "4")], ImportHarness.Header(WeightsPath, FixtureHeader("tiny_resnet.safetensors")));
        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
    }

    [Fact]
    public void The_zoo_ResNet8x4_fits_mdistillers_resnet8x4_state_dict()
    {
        var zoo = File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", "ModelZoo", "ResNets.cs"))
            .Replace("public partial class ResNet8x4", "[PretrainedWeights(\"mdistiller/resnet8x4.safetensors\")]\npublic partial class ResNet8x4");
        var header = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "DslKd.Runtime.Tests", "Fixtures", "import", "mdistiller_resnet8x4.header.json"));
        var outcome = ImportHarness.Run([zoo], ImportHarness.Header("mdistiller/resnet8x4.safetensors", header));
        Assert.Empty(outcome.Diagnostics);
    }

    [Fact]
    public void DKD0045_one_channel_count_changed_fails_the_build_naming_the_tensor_and_both_shapes()
    {
        var source = MarkedSource.Parse(TinyResNet.Replace("LAYER1", "6"));
        var outcome = ImportHarness.Run([source.Text], ImportHarness.Header(WeightsPath, FixtureHeader("tiny_resnet.safetensors")));

        var messages = outcome.Diagnostics.Select(d => (d.Id, Message: d.GetMessage(), d.Location.SourceSpan)).ToList();
        Assert.Contains(("DKD0045", "Weights 'weights/tiny_resnet.safetensors' do not fit model 'TinyResNet': shape differs: 'layer1.0.conv1.weight' is [4, 4, 3, 3] in the file but the model's 'Layer1.0.0.weight' is [6, 4, 3, 3]", source.Span), messages);
        Assert.Contains(messages, m => m.Id == "DKD0045" && m.Message.Contains("'layer1.0.bn1.weight' is [4] in the file but the model's 'Layer1.0.1.weight' is [6]"));
        Assert.Contains(messages, m => m.Id == "DKD0045" && m.Message.Contains("'layer1.0.conv2.weight' is [4, 4, 3, 3] in the file but the model's 'Layer1.0.3.weight' is [4, 6, 3, 3]"));
        Assert.All(outcome.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public void DKD0040_malformed_rule() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PyTorchName("layer{n}.fc", "Logits.0")|]]
        public partial class M { [Linear(2)] public partial Block Logits { get; } }
        """, "DKD0040", "[PyTorchName(\"layer{n}.fc\", \"Logits.0\")] on model 'M'", "same placeholders", "{n}");

    [Fact]
    public void DKD0041_rule_names_a_layer_without_tensors() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PyTorchName("act", "Hidden.1")|]]
        public partial class M
        {
            [Linear(8), ReLU] public partial Block Hidden { get; }
            [Linear(2)] public partial Block Logits { get; }
        }
        """, "DKD0041", "'Hidden.1' names no layer with tensors", "Hidden.0, Logits.0");

    [Fact]
    public void DKD0042_weights_not_in_the_build() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PretrainedWeights("weights/m.safetensors")|]]
        public partial class M { [Linear(2)] public partial Block Logits { get; } }
        """, "DKD0042", "'weights/m.safetensors'", "<AdditionalFiles Include=\"weights/m.safetensors\" />");

    [Fact]
    public void DKD0043_tensor_missing_from_the_file() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PretrainedWeights("m.safetensors")|]]
        [PyTorchName("fc", "Logits.0")]
        public partial class M { [Linear(2)] public partial Block Logits { get; } }
        """, "DKD0043", ["missing: 'fc.bias' [2] is not in the file (the model's 'Logits.0.bias')"],
        ImportHarness.Header("m.safetensors", """{"fc.weight":{"dtype":"F32","shape":[2,4],"data_offsets":[0,32]}}"""));

    [Fact]
    public void DKD0044_unexpected_tensor_in_the_file() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PretrainedWeights("m.safetensors")|]]
        [PyTorchName("fc", "Logits.0")]
        public partial class M { [Linear(2, Bias = false)] public partial Block Logits { get; } }
        """, "DKD0044", ["unexpected: 'fc.bias' [2] in the file is not in the model (it maps to 'Logits.0.bias'"],
        ImportHarness.Header("m.safetensors", """{"__metadata__":{"format":"pt"},"fc.weight":{"dtype":"F32","shape":[2,4],"data_offsets":[0,32]},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[32,40]}}"""));

    [Fact]
    public void DKD0046_teacher_and_student_take_different_inputs() => ImportHarness.Single("""
        using DslKd;
        [Teacher(InputShape = [20], Classes = 2)] public partial class T { [Linear(64), ReLU, Linear(2)] public partial Block Logits { get; } }
        [Student(InputShape = [19], Classes = 2)] public partial class S { [Linear(2)] public partial Block Logits { get; } }
        [[|Distillation<T, S>|]]
        [SoftTargets]
        public partial class R;
        """, "DKD0046", "Recipe 'R': the teacher 'T' takes InputShape [20] but the student 'S' takes [19]");

    [Fact]
    public void DKD0046_token_models_of_different_sequence_lengths() => ImportHarness.Single("""
        using DslKd;
        [Teacher(InputShape = [64], Classes = 2)]
        public partial class T { [Embedding(100, 16), LSTM(32, RecurrentOutput.LastState), Linear(2)] public partial Block Logits { get; } }
        [Student(InputShape = [32], Classes = 2)]
        public partial class S { [Embedding(100, 8), GRU(8, RecurrentOutput.LastState), Linear(2)] public partial Block Logits { get; } }
        [[|Distillation<T, S>|]]
        [SoftTargets]
        public partial class R;
        """, "DKD0046", "Recipe 'R': the teacher 'T' takes InputShape [64] but the student 'S' takes [32]");

    [Fact]
    public void DKD0047_header_that_is_not_safetensors() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PretrainedWeights("m.safetensors")|]]
        public partial class M { [Linear(2)] public partial Block Logits { get; } }
        """, "DKD0047", ["the weights 'm.safetensors' cannot be checked", "not a safetensors file"],
        ImportHarness.Header("m.safetensors", """{"__dslkd_error__":"its first 8 bytes give a header length of 7021991845529153390, which does not fit the file (30 bytes); it is not a safetensors file"}"""));

    [Fact]
    public void DKD0048_two_file_tensors_map_to_one_name() => ImportHarness.Single("""
        using DslKd;
        [Model(InputShape = [4], Classes = 2)]
        [[|PretrainedWeights("m.safetensors")|]]
        [PyTorchName("fc", "Logits.0")]
        public partial class M { [Linear(2)] public partial Block Logits { get; } }
        """, "DKD0048", ["'Logits.0.weight' and 'fc.weight' in the file both map to 'Logits.0.weight'"],
        ImportHarness.Header("m.safetensors", """{"Logits.0.weight":{"dtype":"F32","shape":[2,4],"data_offsets":[0,32]},"fc.weight":{"dtype":"F32","shape":[2,4],"data_offsets":[32,64]},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[64,72]}}"""));

    [Fact]
    public void A_raw_safetensors_item_without_the_build_targets_is_explained_not_read()
    {
        var outcome = ImportHarness.Run(["""
            using DslKd;
            [Model(InputShape = [4], Classes = 2)]
            [PretrainedWeights("m.safetensors")]
            public partial class M { [Linear(2)] public partial Block Logits { get; } }
            """], (new ImportHarness.Text("/project/m.safetensors", null), ImmutableDictionary<string, string>.Empty));
        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal("DKD0047", diagnostic.Id);
        Assert.Contains("import DslKd's build targets", diagnostic.GetMessage());
    }

    [Fact]
    public void An_unrelated_edit_or_another_weights_file_leaves_the_import_steps_cached()
    {
        var header = ImportHarness.Header(WeightsPath, FixtureHeader("tiny_resnet.safetensors"));
        var compilation = GeneratorHarness.Compile(TinyResNet.Replace("LAYER1", "4").Replace("[|", "").Replace("|]", ""));
        var driver = ImportHarness.Driver([header]).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().ResultOf<ImportGenerator>();
        foreach (var step in new[] { ImportGenerator.Steps.ImportSpecs, ImportGenerator.Steps.WeightsHeaders, ImportGenerator.Steps.ImportDiagnostics })
            Assert.All(result.TrackedSteps[step].SelectMany(r => r.Outputs), o =>
                Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));

        // Pipeline values are plain data.
        var values = result.TrackedSteps[ImportGenerator.Steps.ImportSpecs].SelectMany(r => r.Outputs).Select(o => o.Value).ToList();
        Assert.All(values, v => Assert.Equal("ImportSpec", v.GetType().Name));
    }

    private static string FixtureHeader(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryRoot(), "tests", "DslKd.Runtime.Tests", "Fixtures", "import", file));
        var length = (int)BitConverter.ToUInt64(bytes, 0);
        return Encoding.UTF8.GetString(bytes, 8, length).TrimEnd(' ');
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DslKd.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("DslKd.sln not found above the test output folder.");
    }
}

/// <summary>Runs the generators with additional files and their build metadata, as the build targets pass weights headers.</summary>
internal static class ImportHarness
{
    public sealed class Text(string path, string? content) : AdditionalText
    {
        public override string Path { get; } = path;
        public override SourceText? GetText(CancellationToken cancellationToken = default) => content is null ? null : SourceText.From(content, Encoding.UTF8);
    }

    /// <summary>A header as DslKd.Weights.targets passes it: a text file in obj/ whose metadata names the weights file.</summary>
    public static (AdditionalText, ImmutableDictionary<string, string>) Header(string weights, string json) =>
        (new Text("/project/obj/dslkd-weights/" + Path.GetFileName(weights) + ".0.safetensors.json", json),
            ImmutableDictionary<string, string>.Empty
                .Add("build_metadata.AdditionalFiles.DslKdWeightsOf", weights)
                .Add("build_metadata.AdditionalFiles.DslKdWeightsFullPath", "/project/" + weights));

    public static GeneratorDriver Driver((AdditionalText Text, ImmutableDictionary<string, string> Metadata)[] files) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator(), new RecipeGenerator().AsSourceGenerator(), new ImportGenerator().AsSourceGenerator()],
            files.Select(f => f.Text),
            GeneratorHarness.ParseOptions,
            new Options(files.ToDictionary(f => f.Text, f => f.Metadata)),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorOutcome Run(string[] sources, params (AdditionalText, ImmutableDictionary<string, string>)[] files)
    {
        var compilation = GeneratorHarness.Compile(sources.Select(s => s.Contains("[|") ? MarkedSource.Parse(s).Text : s).ToArray());
        var driver = Driver(files).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorOutcome(driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>Exactly one diagnostic, <paramref name="id"/>, at the marked span, its message containing each fragment.</summary>
    public static void Single(string markedSource, string id, string[] fragments, params (AdditionalText, ImmutableDictionary<string, string>)[] files)
    {
        var source = MarkedSource.Parse(markedSource);
        var outcome = Run([source.Text], files);
        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(source.Span, diagnostic.Location.SourceSpan);
        foreach (var fragment in fragments) Assert.Contains(fragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(outcome.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
    }

    public static void Single(string markedSource, string id, params string[] fragments) => Single(markedSource, id, fragments, []);

    private sealed class Options(Dictionary<AdditionalText, ImmutableDictionary<string, string>> files) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(ImmutableDictionary<string, string>.Empty);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            files.TryGetValue(textFile, out var values) ? new Values(values) : GlobalOptions;
    }

    private sealed class Values(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
