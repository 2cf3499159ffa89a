using System.Text.Json;
using DslKd;
using ModelZoo;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The zoo's declarations (examples/ModelZoo) against PyTorch's own count of mdistiller's definitions
/// (examples/ModelZoo/reference/parameter_counts.json), and against what TorchSharp builds from the generated code.
/// </summary>
public class ModelZooTests
{
    public static TheoryData<string> Models => new(Zoo.Keys);

    private static readonly Dictionary<string, (long CompileTime, Func<long?, nn.Module<Tensor, Tensor>> Create)> Zoo = new()
    {
        ["ResNet32x4"] = (ResNet32x4.ParameterCount, seed => new ResNet32x4(seed: seed)),
        ["ResNet8x4"] = (ResNet8x4.ParameterCount, seed => new ResNet8x4(seed: seed)),
        ["ResNet56"] = (ResNet56.ParameterCount, seed => new ResNet56(seed: seed)),
        ["ResNet20"] = (ResNet20.ParameterCount, seed => new ResNet20(seed: seed)),
        ["Wrn40x2"] = (Wrn40x2.ParameterCount, seed => new Wrn40x2(seed: seed)),
        ["Wrn16x2"] = (Wrn16x2.ParameterCount, seed => new Wrn16x2(seed: seed)),
        ["Vgg13Bn"] = (Vgg13Bn.ParameterCount, seed => new Vgg13Bn(seed: seed)),
        ["Vgg8Bn"] = (Vgg8Bn.ParameterCount, seed => new Vgg8Bn(seed: seed)),
        ["MobileNetV2Half"] = (MobileNetV2Half.ParameterCount, seed => new MobileNetV2Half(seed: seed)),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Compile_time_parameter_count_equals_pytorchs_count_of_the_reference_model(string name)
    {
        var reference = Reference().GetProperty("models").GetProperty(name).GetProperty("trainableParameters").GetInt64();

        Assert.Equal(reference, Zoo[name].CompileTime);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Built_model_has_the_counted_parameters_and_outputs_one_score_per_class(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Zoo[name].Create(1);
        model.eval();

        Assert.Equal(Zoo[name].CompileTime, model.parameters().Sum(p => p.numel()));
        using (no_grad())
            Assert.Equal([2L, 100L], model.call(randn(2, 3, 32, 32)).shape);
    }

    [Fact]
    public void The_same_seed_builds_the_same_weights()
    {
        using var a = new ResNet8x4(seed: 7);
        using var b = new ResNet8x4(seed: 7);
        using var c = new ResNet8x4(seed: 8);

        var pairs = a.parameters().Zip(b.parameters(), c.parameters()).ToList();
        Assert.All(pairs, p => Assert.True(p.First.allclose(p.Second, rtol: 0, atol: 0)));
        Assert.Contains(pairs, p => !p.First.allclose(p.Third, rtol: 0, atol: 0));
    }

    [Fact]
    public void State_dict_names_follow_the_declaration_block_unit_layer_and_shortcut()
    {
        using var model = new ResNet8x4(seed: 1);
        var keys = model.state_dict().Keys.ToHashSet();

        // mdistiller's layer2.0.conv1.weight, bn1, conv2, downsample.0 (1x1 conv) and downsample.1 (BN):
        Assert.Contains("Layer2.0.0.weight", keys);
        Assert.Contains("Layer2.0.1.running_mean", keys);
        Assert.Contains("Layer2.0.3.weight", keys);
        Assert.Contains("Layer2.0.Shortcut.0.weight", keys);
        Assert.Contains("Layer2.0.Shortcut.1.running_var", keys);
        Assert.Contains("Logits.2.weight", keys);
        Assert.Equal([128L, 64L, 1L, 1L], model.state_dict()["Layer2.0.Shortcut.0.weight"].shape);
    }

    [Fact]
    public void Gradients_reach_the_stem_through_the_shortcuts_when_every_branch_is_cut()
    {
        using var scope = NewDisposeScope();
        using var model = new ResNet20(seed: 3);
        // Zero every branch's last BatchNorm scale: each unit's branch then adds nothing, and the stem can only be reached
        // through the identity shortcuts.
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
                if (name.StartsWith("Layer", StringComparison.Ordinal) && name.EndsWith(".4.weight", StringComparison.Ordinal)) parameter.zero_();
        }
        model.train();

        model.call(randn(4, 3, 32, 32)).sum().backward();

        var stem = model.named_parameters().Single(p => p.name == "Stem.0.weight").parameter;
        Assert.True(stem.grad!.abs().sum().item<float>() > 0);
        var branch = model.named_parameters().Single(p => p.name == "Layer1.1.0.weight").parameter;
        Assert.Equal(0f, branch.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void Pre_activation_output_is_the_sum_before_the_units_relu()
    {
        using var scope = NewDisposeScope();
        using var model = new ResNet8x4(seed: 2);
        model.eval();
        using var noGrad = no_grad();

        var features = model.ForwardFeatures(randn(2, 3, 32, 32), withPreActivations: true);

        Assert.NotNull(features.Layer3PreActivation);
        Assert.True(features.Layer3PreActivation!.lt(0).any().item<bool>());
        Assert.True(nn.functional.relu(features.Layer3PreActivation).allclose(features.Layer3, rtol: 0, atol: 0));
        Assert.Null(model.ForwardFeatures(randn(2, 3, 32, 32)).Layer3PreActivation);
    }

    [Fact]
    public void Live_tensors_stay_flat_across_epochs_of_residual_distillation_with_pre_activation_taps()
    {
        var data = new LabeledDataset(randn(16, 3, 32, 32), randint(0, 100, 16), classes: 100);
        var live = new List<long>();
        var progress = new SynchronousProgress<TrainingEvent>(e =>
        {
            if (e is EpochCompleted) live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
        var recipe = new ResNet20FromResNet8x4(new ResNet8x4(seed: 1), new ResNet20(seed: 2));

        recipe.Train(data, null, ResNet20FromResNet8x4.DefaultOptions with { Epochs = 4, BatchSize = 8 }, progress);

        Assert.Equal(4, live.Count);
        Assert.True(live[^1] <= live[1], $"live tensors after each epoch: {string.Join(", ", live)}");
    }

    private static JsonElement Reference()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DslKd.sln"))) directory = directory.Parent;
        var path = Path.Combine(directory!.FullName, "examples", "ModelZoo", "reference", "parameter_counts.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }
}
