using System.Diagnostics;
using System.Text.Json;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// PyTorch weights into DslKd models and back (PyTorchWeights, SafetensorsFile, TensorNameMap), TorchScript teachers,
/// against the files Fixtures/make_import_fixtures.py wrote with PyTorch 1.13.
/// </summary>
public class PyTorchImportTests : IDisposable
{
    internal static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "import");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-import-" + Guid.NewGuid().ToString("N"));

    public PyTorchImportTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    internal static string Fixture(string name) => Path.Combine(Fixtures, name);

    internal static (Tensor Input, Tensor Logits) InputsAndLogits(string model)
    {
        var io = SafetensorsFile.Load(Fixture(model + ".io.safetensors")).ToDictionary(t => t.Name, t => t.Tensor);
        return (io["input"], io["logits"]);
    }

    private static nn.Module<Tensor, Tensor> Declared(string model) =>
        model == "small_cnn" ? new ImportedCnn(seed: 5) : new ImportedTinyResNet(seed: 5);

    internal static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [InlineData("small_cnn", ".safetensors")]
    [InlineData("small_cnn", ".pt")]
    [InlineData("tiny_resnet", ".safetensors")]
    [InlineData("tiny_resnet", ".pt")]
    public void A_pytorch_state_dict_loads_through_the_declared_names_and_reproduces_pytorchs_logits(string model, string extension)
    {
        var declared = Declared(model);
        PyTorchWeights.Load(declared, Fixture(model + extension));
        declared.eval();
        var (input, expected) = InputsAndLogits(model);

        using (no_grad())
            Assert.True(MaxDifference(declared.call(input), expected) < 1e-5, $"logits differ by {MaxDifference(declared.call(input), expected)}");
        // BatchNorm running statistics came along, num_batches_tracked included (three training-mode passes in PyTorch).
        var state = declared.state_dict();
        var counters = state.Where(p => p.Key.EndsWith("num_batches_tracked")).ToList();
        Assert.NotEmpty(counters);
        Assert.All(counters, p => Assert.Equal(3L, p.Value.item<long>()));
        Assert.Contains(state, p => p.Key.EndsWith("running_var") && MaxDifference(p.Value, ones_like(p.Value)) > 1e-3);
    }

    [Fact]
    public void The_mapping_names_each_pytorch_module_as_the_declaration_does()
    {
        var names = TensorNameMap.Of(typeof(ImportedTinyResNet));
        Assert.Equal("Stem.0.weight", names.ToDslKd("conv1.weight"));
        Assert.Equal("Stem.1.running_mean", names.ToDslKd("bn1.running_mean"));
        Assert.Equal("Layer2.1.3.weight", names.ToDslKd("layer2.1.conv2.weight"));
        Assert.Equal("Layer2.0.Shortcut.1.num_batches_tracked", names.ToDslKd("layer2.0.downsample.1.num_batches_tracked"));
        Assert.Equal("Logits.2.bias", names.ToDslKd("fc.bias"));
        Assert.Equal("layer2.0.downsample.0.weight", names.ToPyTorch("Layer2.0.Shortcut.0.weight"));
        Assert.Equal("layer1.0.bn2.running_var", names.ToPyTorch("Layer1.0.4.running_var"));
        Assert.Equal("unmapped.weight", names.ToDslKd("unmapped.weight"));
    }

    [Fact]
    public void The_zoo_ResNet8x4_takes_mdistillers_state_dict_names_and_shapes()
    {
        // mdistiller's own resnet8x4 (names, dtypes, shapes; no values), written by the fixture script from its code.
        using var header = JsonDocument.Parse(File.ReadAllText(Fixture("mdistiller_resnet8x4.header.json")));
        var file = header.RootElement.EnumerateObject()
            .Select(p => new TensorEntry(p.Name, p.Value.GetProperty("dtype").GetString()!, p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToList();
        var model = new ModelZoo.ResNet8x4();

        Assert.Empty(WeightsComparison.Compare(PyTorchWeights.ModelTensors(model), file, TensorNameMap.Of(typeof(ModelZoo.ResNet8x4))));
        Assert.Equal(file.Count, model.state_dict().Count);
    }

    [Fact]
    public void A_file_that_does_not_fit_names_every_problem_with_both_shapes_and_leaves_the_model_unchanged()
    {
        var state = SafetensorsFile.Load(Fixture("tiny_resnet.safetensors"))
            .Where(t => t.Name != "layer2.0.downsample.1.running_var")                                       // missing
            .Select(t => t.Name == "fc.weight" ? (t.Name, zeros(6, 8)) : t)                                   // mis-shaped
            .Append(("layer3.0.conv1.weight", zeros(8, 8, 3, 3)))                                           // unexpected
            .ToList();
        var path = Path.Combine(_directory, "broken.safetensors");
        SafetensorsFile.Save(path, state);
        var model = new ImportedTinyResNet(seed: 5);
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(model, path));

        Assert.Contains(path, error.Message);
        Assert.Contains("nothing was loaded. 3 problems", error.Message);
        Assert.Contains("missing: 'layer2.0.downsample.1.running_var' [8] is not in the file (the model's 'Layer2.0.Shortcut.1.running_var')", error.Message);
        Assert.Contains("shape differs: 'fc.weight' is [6, 8] in the file but the model's 'Logits.2.weight' is [5, 8]", error.Message);
        Assert.Contains("unexpected: 'layer3.0.conv1.weight' [8, 8, 3, 3] in the file is not in the model (it maps to 'Layer3.0.0.weight'", error.Message);
        Assert.All(model.state_dict(), p => Assert.True(p.Value.eq(before[p.Key]).all().item<bool>(), $"{p.Key} changed"));
    }

    [Fact]
    public void A_pt_file_that_does_not_fit_is_reported_with_the_same_lines()
    {
        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(new ImportedCnn(), Fixture("tiny_resnet.pt")));

        Assert.Contains("tiny_resnet.pt' does not fit ImportedCnn (2 [PyTorchName] rules)", error.Message);
        Assert.Contains("missing: 'features.0.weight' [4, 1, 3, 3] is not in the file (the model's 'Body.0.weight')", error.Message);
        Assert.Contains("unexpected: 'layer1.0.conv1.weight' [4, 4, 3, 3] in the file is not in the model (no [PyTorchName] rule maps it", error.Message);
        Assert.Equal(PyTorchWeights.Check(new ImportedCnn(), Fixture("tiny_resnet.pt")).Count,
            error.Message.Split('\n').Count(l => l.TrimStart().StartsWith("- ")));
    }

    [Fact]
    public void A_file_without_num_batches_tracked_loads_as_pytorch_loads_files_older_than_0_4_1()
    {
        var path = Path.Combine(_directory, "old.safetensors");
        SafetensorsFile.Save(path, SafetensorsFile.Load(Fixture("small_cnn.safetensors")).Where(t => !t.Name.EndsWith("num_batches_tracked")));
        var model = new ImportedCnn();
        PyTorchWeights.Load(model, path);
        Assert.Equal(0L, model.state_dict()["Body.1.num_batches_tracked"].item<long>());
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("")]
    public void A_damaged_safetensors_file_is_an_error_naming_it(string content)
    {
        var path = Path.Combine(_directory, "damaged.safetensors");
        var json = System.Text.Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(path, content.Length == 0 ? [1, 2, 3] : [.. BitConverter.GetBytes((ulong)json.Length + 100), .. json]);
        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(new ImportedCnn(), path));
        Assert.Contains("damaged.safetensors' is not a readable safetensors file", error.Message);
    }

    [Fact]
    public void A_checkpoint_dict_loads_its_named_entry_and_is_refused_without_it()
    {
        // torch.save({"model": state_dict, ...}) as training scripts write it: DslKd's .pt writer makes one with one entry.
        var state = new System.Collections.Specialized.OrderedDictionary();
        var inner = new System.Collections.Specialized.OrderedDictionary();
        foreach (var (name, tensor) in SafetensorsFile.Load(Fixture("small_cnn.safetensors"))) inner[name] = tensor;
        state["model"] = inner;
        var path = Path.Combine(_directory, "checkpoint.pt");
        using (var stream = File.Create(path)) TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(stream, state);

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(new ImportedCnn(), path));
        Assert.Contains("pass entry: \"model\"", error.Message);
        PyTorchWeights.Load(new ImportedCnn(), path, entry: "model");
    }

    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pt")]
    public void A_saved_model_uses_the_pytorch_names_and_loads_back(string extension)
    {
        var model = new ImportedTinyResNet(seed: 5);
        PyTorchWeights.Load(model, Fixture("tiny_resnet.safetensors"));
        var path = Path.Combine(_directory, "student" + extension);
        PyTorchWeights.Save(model, path);

        Assert.Equal(PyTorchWeights.Read(Fixture("tiny_resnet.safetensors")).Select(t => t.Name).Order(),
            PyTorchWeights.Read(path).Select(t => t.Name).Order());
        var again = new ImportedTinyResNet(seed: 6);
        PyTorchWeights.Load(again, path);
        Assert.All(again.state_dict(), p => Assert.True(p.Value.eq(model.state_dict()[p.Key]).all().item<bool>(), p.Key));
    }

    [PyTorchFact]
    public void A_saved_student_loads_in_pytorch_with_strict_load_state_dict_and_gives_the_same_logits()
    {
        var model = new ImportedTinyResNet(seed: 5);
        PyTorchWeights.Load(model, Fixture("tiny_resnet.pt"));
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(0.01);   // a "trained" student, not the fixture's weights
        model.eval();
        var (input, _) = InputsAndLogits("tiny_resnet");
        Tensor expected;
        using (no_grad()) expected = model.call(input);

        foreach (var extension in new[] { ".pt", ".safetensors" })
        {
            var path = Path.Combine(_directory, "student" + extension);
            PyTorchWeights.Save(model, path);
            using var result = JsonDocument.Parse(PythonTorch.Run(Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_import_fixtures.py"), "--check-student", path));
            var logits = result.RootElement.GetProperty("logits").EnumerateArray()
                .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            var pytorch = tensor(logits.SelectMany(r => r).ToArray(), [logits.Length, logits[0].Length]);
            Assert.True(MaxDifference(pytorch, expected) < 1e-5, $"{extension}: PyTorch's logits differ by {MaxDifference(pytorch, expected)}");
            Assert.Equal(3, result.RootElement.GetProperty("num_batches_tracked").GetInt32());
        }
    }

    [Fact]
    public void Rules_are_checked_and_the_most_specific_wins()
    {
        Assert.Contains("same placeholders", TensorNameRule.Problem("layer{n}.conv1", "Layer.0"));
        Assert.Contains("without its '}'", TensorNameRule.Problem("layer{n.conv1", "Layer{n}.0"));
        Assert.Contains("empty segment", TensorNameRule.Problem("layer..conv1", "Layer.0"));
        Assert.Null(TensorNameRule.Problem("layer{n}.{u}", "Layer{n}.{u}"));

        var map = new TensorNameMap([new("layer{n}.{u}", "Layer{n}.{u}"), new("layer{n}.{u}.downsample", "Layer{n}.{u}.Shortcut"), new("layer1.{u}.downsample", "First.{u}")]);
        Assert.Equal("Layer2.0.conv1.weight", map.ToDslKd("layer2.0.conv1.weight"));
        Assert.Equal("Layer2.0.Shortcut.0.weight", map.ToDslKd("layer2.0.downsample.0.weight"));
        Assert.Equal("First.3.1.bias", map.ToDslKd("layer1.3.downsample.1.bias"));
        Assert.Equal("layer12.0", map.ToPyTorch("Layer12.0"));
        Assert.Equal("layer10x.weight", map.ToDslKd("layer10x.weight"));    // a rule matches whole segments only

        var ambiguous = new TensorNameMap([new("{i}.2", "A.{i}"), new("1.{i}", "B.{i}")]);
        Assert.Contains("equally well", Assert.Throws<ArgumentException>(() => ambiguous.ToDslKd("1.2.weight")).Message);
    }
}

/// <summary>A fact that needs /usr/bin/python3 with PyTorch (Debian's python3-torch); skipped, saying so, where it is missing.</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (!PythonTorch.Available) Skip = "needs /usr/bin/python3 with PyTorch (apt-get install python3-torch)";
    }
}

internal static class PythonTorch
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Probe = new(() =>
    {
        try { Run("-c", "import torch"); return true; }
        catch (Exception) { return false; }
    });

    public static bool Available => File.Exists(Python) && Probe.Value;

    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(); throw new TimeoutException("python3 did not finish in 2 minutes"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"python3 {string.Join(" ", arguments)} failed: {error.Result}");
        return output.Result;
    }
}
