using System.Diagnostics;
using DslKd.Generators.Model;
using DslKd.Generators.Specs;
using DslKd.Generators.Tests.Infrastructure;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// The sequence layers' shapes and parameter counts: against the formulas by hand, and against PyTorch's own modules
/// (Debian's python3-torch) for the recurrent and attention layers. The generated code is only compiled here: the
/// runtime tests run the layers.
/// </summary>
public class SequenceLayerTests
{
    /// <summary>One layer on an input: its declaration, the model's InputShape, and the PyTorch module it must count like.</summary>
    public static TheoryData<string, string, string, long, string> Layers => new()
    {
        // input shape, layer, output shape, parameters (worked out by hand below), PyTorch module
        // V*d
        { "[12]", "Embedding(1000, 16, PaddingIndex = 0)", "[12, 16]", 16_000, "nn.Embedding(1000, 16, padding_idx=0)" },
        // per layer and direction 4h(in + h) + 8h: 4*32*(16+32) + 256 = 6,400, then 4*32*(64+32) + 256 = 12,544; twice each
        { "[12, 16]", "LSTM(32, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true, Dropout = 0.1)", "[12, 64]", 37_888,
          "nn.LSTM(16, 32, num_layers=2, bidirectional=True, dropout=0.1, batch_first=True)" },
        // 4*7*(20+7) + 56
        { "[12, 20]", "LSTM(7, RecurrentOutput.LastState)", "[7]", 812, "nn.LSTM(20, 7, batch_first=True)" },
        // 3h(in + h) + 6h: 3*24*44 + 144 = 3,312, then 3*24*48 + 144 = 3,600 twice
        { "[12, 20]", "GRU(24, RecurrentOutput.Sequence, Layers = 3, Dropout = 0.2)", "[12, 24]", 10_512,
          "nn.GRU(20, 24, num_layers=3, dropout=0.2, batch_first=True)" },
        // (3*9*14 + 54) * 2
        { "[12, 5]", "GRU(9, RecurrentOutput.LastState, Bidirectional = true)", "[18]", 864, "nn.GRU(5, 9, bidirectional=True, batch_first=True)" },
        // 4d^2 + 2*d*ff + 9d + ff with d = 64, ff = 256: 16,384 + 32,768 + 576 + 256
        { "[12, 64]", "TransformerEncoder(4)", "[12, 64]", 49_984, "nn.TransformerEncoderLayer(64, 4, 256, batch_first=True)" },
        // three layers of d = 30, ff = 60: 3 * (3,600 + 3,600 + 270 + 60)
        { "[12, 30]", "TransformerEncoder(5, FeedForward = 60, NormFirst = true, Activation = FeedForwardActivation.GELU, Layers = 3)", "[12, 30]", 22_590,
          "nn.TransformerEncoder(nn.TransformerEncoderLayer(30, 5, 60, activation='gelu', norm_first=True, batch_first=True), 3)" },
        // a learned table T x d
        { "[12, 32]", "PositionalEncoding(Kind = PositionalEncodingKind.Learned)", "[12, 32]", 384, "nn.ParameterList([nn.Parameter(torch.zeros(12, 32))])" },
        { "[12, 32]", "PositionalEncoding", "[12, 32]", 0, "nn.Identity()" },
        { "[12, 32]", "PoolOverTime(TimePooling.Max)", "[32]", 0, "nn.Identity()" },
        // (12 - 5) / 3 + 1 = 3 windows
        { "[12, 32]", "PoolOverTime(TimePooling.Mean, Kernel = 5, Stride = 3)", "[3, 32]", 0, "nn.Identity()" },
        { "[12, 32]", "PoolOverTime(TimePooling.Mean, Kernel = 4)", "[3, 32]", 0, "nn.Identity()" },
        // floor((12 + 2 - 3) / 2) + 1 = 6; floor((12 - 4) / 4) + 1 = 3
        { "[3, 12]", "AvgPool1d(3, Stride = 2, Padding = 1)", "[3, 6]", 0, "nn.AvgPool1d(3, stride=2, padding=1)" },
        { "[3, 12]", "MaxPool1d(4)", "[3, 3]", 0, "nn.MaxPool1d(4)" },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Shapes_and_parameter_counts_follow_the_formulas(string input, string layer, string output, long parameters, string pyTorch)
    {
        var model = Resolve(input, layer);

        Assert.Equal(output, ShapeText.Format(model.OutputShape));
        Assert.Equal(parameters, model.ParameterCount);
        Assert.NotEmpty(pyTorch);
    }

    [Fact]
    public void Parameter_counts_equal_PyTorch_modules()
    {
        var cases = Layers.Select(row => ((string)row[0], (string)row[1], (string)row[4])).ToList();
        var counts = PyTorchParameterCounts(cases.Select(c => c.Item3).ToList());
        if (counts is null) return; // python3-torch is not installed (a CI run requires it: see PyTorchParameterCounts)
        Assert.Equal(cases.Count, counts.Count);

        for (var i = 0; i < cases.Count; i++)
            Assert.True(Resolve(cases[i].Item1, cases[i].Item2).ParameterCount == counts[i],
                $"[{cases[i].Item2}] on {cases[i].Item1}: DslKd counts {Resolve(cases[i].Item1, cases[i].Item2).ParameterCount}, PyTorch's {cases[i].Item3} has {counts[i]}");
    }

    public static TheoryData<string, string, string> TensorLists => new()
    {
        { "[12, 5]", "LSTM(7, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true)", "nn.LSTM(5, 7, num_layers=2, bidirectional=True, batch_first=True)" },
        { "[12, 5]", "GRU(9, RecurrentOutput.LastState)", "nn.GRU(5, 9, batch_first=True)" },
        { "[12, 30]", "TransformerEncoder(5, FeedForward = 60, Layers = 2)", "nn.TransformerEncoder(nn.TransformerEncoderLayer(30, 5, 60, batch_first=True), 2)" },
        { "[12, 32]", "TransformerEncoder(4)", "nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 128, batch_first=True), 1)" },
    };

    [Theory]
    [MemberData(nameof(TensorLists))]
    public void Listed_tensors_are_the_PyTorch_modules_state_dict_names_and_shapes(string input, string layer, string pyTorch)
    {
        var model = Resolve(input, layer);
        var tensors = new List<DslKd.Generators.Import.TensorSpec>();
        var unlisted = new List<string>();
        DslKd.Generators.Import.ImportParser.ListTensors(model, tensors, unlisted);
        Assert.Empty(unlisted);
        var ours = tensors.Select(t => t.Name + ":" + string.Join("x", t.Shape)).ToList();

        var theirs = PyTorchStateDict(pyTorch);
        if (theirs is null) return; // python3-torch is not installed (a CI run requires it)
        // Our names sit under the block and the layer's index ("Net.0."); PyTorch's module is the layer itself.
        Assert.Equal(theirs, ours.Select(name => name["Net.0.".Length..]).ToList());
    }

    private static List<string>? PyTorchStateDict(string module)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c \"import torch\"").ExitCode != 0)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "python3-torch is not installed; .ci/run installs it (apt-get install python3-torch).");
            return null;
        }
        var (exitCode, output) = Run(python, "-c \"import torch\nfrom torch import nn\nfor k, v in (" + module.Replace("'", "\\'") +
            ").state_dict().items(): print(k + ':' + 'x'.join(str(d) for d in v.shape))\"");
        Assert.True(exitCode == 0, "python3 failed:\n" + output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(line => line.Contains(':')).ToList();
    }

    [Fact]
    public void Rows_of_an_image_read_as_a_sequence_by_a_GRU_student_generate_clean_code()
    {
        // Fashion-MNIST as 28 steps of 28 pixels: the anchor (GRU + SVM, 89.7%).
        var outcome = GeneratorHarness.Run("""
            using DslKd;

            [Student(InputShape = [28, 28], Classes = 10)]
            public partial class RowGru
            {
                [GRU(128, RecurrentOutput.LastState)] public partial Block Rows { get; }
                [Linear(10)] public partial Block Logits { get; }
            }
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        var generated = outcome.GeneratedSource("RowGru.g.cs");
        Assert.Contains("public const long ParameterCount = 61962L;", generated); // 3*128*(28+128) + 6*128 + 128*10 + 10
        Assert.DoesNotContain("SequenceMask", generated); // real values: no padding to mask
        Assert.DoesNotContain("InputKind.Tokens", generated);
    }

    [Fact]
    public void A_token_model_describes_its_input_and_runs_in_a_mask_scope()
    {
        var outcome = GeneratorHarness.Run(Sources.GruStudent);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        var generated = outcome.GeneratedSource("Text.GruStudent.g.cs");
        Assert.Contains("Summary) { Input = global::DslKd.InputKind.Tokens, Vocabulary = 10000L };", generated);
        Assert.Equal(2, generated.Split("using var sequenceMask = global::DslKd.SequenceMask.Enter();").Length - 1);
        Assert.Contains("\"Input (token ids)                      [64]\\n\"", generated);
    }

    [Fact]
    public void A_residual_recurrent_unit_on_the_declared_rows_gets_a_per_step_linear_shortcut()
    {
        var model = Resolve("[28, 28]", "LSTM(32, RecurrentOutput.Sequence), AddInput, LayerNorm");

        var unit = Assert.Single(model.Blocks[0].Units);
        var shortcut = Assert.Single(unit.Shortcut);
        Assert.Equal("Linear", shortcut.Layer.Kind);
        Assert.Equal("[28, 32]", ShapeText.Format(shortcut.OutputShape));
        Assert.Equal(28 * 32, shortcut.ParameterCount); // bias-free
        Assert.Equal(TensorLayout.Sequence, model.Blocks[0].Layout);
    }

    [Fact]
    public void A_block_named_SequenceMask_keeps_the_mask_scope_apart()
    {
        var outcome = GeneratorHarness.Run("""
            using DslKd;

            [Model(InputShape = [8], Classes = 2)]
            public partial class Net
            {
                [Embedding(50, 4), LSTM(4, RecurrentOutput.Sequence)] public partial Block SequenceMask { get; }
                [PoolOverTime(TimePooling.Max), Linear(2)] public partial Block Input { get; }
            }
            """);

        Assert.Empty(outcome.Diagnostics);
        Assert.Empty(outcome.CompilationProblems);
        Assert.Contains("using var sequenceMaskBlock = _sequenceMask.call(input);", outcome.GeneratedSource("Net.g.cs"));
    }

    [Fact]
    public void Import_checks_list_the_embedding_weight_and_the_recurrent_tensors_by_PyTorch_s_names()
    {
        var model = Resolve("[12]", "Embedding(1000, 16), GRU(8, RecurrentOutput.LastState)");
        var tensors = new List<DslKd.Generators.Import.TensorSpec>();
        var unknown = new List<string>();

        DslKd.Generators.Import.ImportParser.ListTensors(model, tensors, unknown);

        Assert.Equal(["Net.0.weight:[1000, 16]", "Net.1.weight_ih_l0:[24, 16]", "Net.1.weight_hh_l0:[24, 8]", "Net.1.bias_ih_l0:[24]", "Net.1.bias_hh_l0:[24]"],
            tensors.Select(t => t.Name + ":" + ShapeText.Format(t.Shape)));
        Assert.Empty(unknown);
    }

    private static ResolvedModel Resolve(string input, string layers)
    {
        var compilation = GeneratorHarness.Compile($$"""
            using DslKd;
            [Model(InputShape = {{input}})]
            public partial class M
            {
                [{{layers}}] public partial Block Net { get; }
            }
            """);
        var parsed = ModelParser.ParseAnyRole(compilation.GetTypeByMetadataName("M")!, CancellationToken.None)!;
        var validated = ModelValidator.Validate(parsed);
        Assert.True(validated.Model is not null, string.Join("\n", validated.Diagnostics.Select(d => d.ToDiagnostic().GetMessage(System.Globalization.CultureInfo.InvariantCulture))));
        return validated.Model!;
    }

    /// <summary>
    /// The parameter count of each PyTorch module expression, from Debian's python3-torch; null when it is not installed
    /// (outside CI, which installs it: .ci/run).
    /// </summary>
    private static List<long>? PyTorchParameterCounts(IReadOnlyList<string> modules)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c \"import torch\"").ExitCode != 0)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "python3-torch is not installed; .ci/run installs it (apt-get install python3-torch).");
            return null;
        }
        var script = Path.Combine(Path.GetTempPath(), $"dslkd-sequence-counts-{Environment.ProcessId}.py");
        File.WriteAllText(script, "import torch\nfrom torch import nn\n" +
            string.Concat(modules.Select(m => $"print(sum(p.numel() for p in ({m}).parameters()))\n")));
        try
        {
            var (exitCode, output) = Run(python, $"\"{script}\"");
            Assert.True(exitCode == 0, "python3 failed:\n" + output);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => line.All(char.IsDigit)).Select(long.Parse).ToList();
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static (int ExitCode, string Output) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
