using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>The generated modules, loaded and run in TorchSharp: what the compiler promised must hold at run time.</summary>
public class GeneratedModelTests
{
    public static TheoryData<string> ModelNames => new() { nameof(WideCnn), nameof(SmallMlp), nameof(EveryLayer), nameof(SignalCnn) };

    private static (nn.Module<Tensor, Tensor> Module, ModelDescription Description) Create(string name, long? seed = null) => name switch
    {
        nameof(WideCnn) => (new WideCnn(seed: seed), WideCnn.Description),
        nameof(SmallMlp) => (new SmallMlp(seed: seed), SmallMlp.Description),
        nameof(EveryLayer) => (new EveryLayer(seed: seed), EveryLayer.Description),
        nameof(SignalCnn) => (new SignalCnn(seed: seed), SignalCnn.Description),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Forward_returns_the_declared_output_shape(string name)
    {
        using var scope = NewDisposeScope();
        var (model, description) = Create(name, seed: 1);
        model.eval();

        var output = model.call(randn(description.InputShape.WithBatch(3)));

        Assert.Equal(description.OutputShape.WithBatch(3), output.shape);
    }

    [Fact]
    public void Forward_features_have_every_block_shape_inferred_at_compile_time()
    {
        using var scope = NewDisposeScope();
        var model = new WideCnn(seed: 1);
        model.eval();

        var features = model.ForwardFeatures(randn(WideCnn.InputShape.WithBatch(2)));

        Assert.Equal(WideCnn.Shapes.Stem.WithBatch(2), features.Stem.shape);
        Assert.Equal(WideCnn.Shapes.Body.WithBatch(2), features.Body.shape);
        Assert.Equal(WideCnn.Shapes.Hidden.WithBatch(2), features.Hidden.shape);
        Assert.Equal(WideCnn.Shapes.Logits.WithBatch(2), features.Logits.shape);
        Assert.Equal(model.call(randn(2, 1, 28, 28)).shape, features.Logits.shape);
    }

    [Fact]
    public void Features_and_forward_agree_in_eval_mode()
    {
        using var scope = NewDisposeScope();
        var model = new WideCnn(seed: 3);
        model.eval();
        var input = randn(4, 1, 28, 28);

        var logits = model.call(input);
        var features = model.ForwardFeatures(input);

        Assert.True(logits.allclose(features.Logits));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Parameter_count_constant_equals_the_trainable_parameters(string name)
    {
        var (model, description) = Create(name);

        var actual = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

        Assert.Equal(description.ParameterCount, actual);
        Assert.Equal(description.ParameterCount, description.Blocks.Sum(b => b.ParameterCount));
    }

    [Fact]
    public void Compile_time_constants_are_real_constants()
    {
        const long teacher = WideCnn.ParameterCount;
        const long student = SmallMlp.ParameterCount;
        const string summary = SmallMlp.Summary;

        Assert.Equal(824_650L, teacher);
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, student);
        Assert.Contains("Linear(784, 128)", summary);
        Assert.Contains("Trainable params: 101,770", summary);
    }

    [Fact]
    public void State_dict_keys_are_block_names_with_layer_indices()
    {
        var keys = new SmallMlp().state_dict().Keys.ToList();
        Assert.Equal(["Hidden.1.weight", "Hidden.1.bias", "Logits.0.weight", "Logits.0.bias"], keys);

        var teacherKeys = new WideCnn().state_dict().Keys.ToList();
        Assert.Contains("Stem.0.weight", teacherKeys);
        Assert.Contains("Stem.1.running_mean", teacherKeys);
        Assert.Contains("Body.1.num_batches_tracked", teacherKeys);
        Assert.Contains("Hidden.1.weight", teacherKeys);
        Assert.Equal(teacherKeys, new WideCnn().state_dict().Keys);
    }

    [Fact]
    public void Block_properties_expose_the_registered_blocks()
    {
        var model = new SmallMlp();
        Assert.Same(model.Hidden, model.named_children().Single(c => c.name == "Hidden").module);
        Assert.Equal(3, model.Hidden.Layers.Count);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_same_seed_gives_identical_weights_and_another_seed_different_ones(string name)
    {
        var a = Create(name, seed: 42).Module.parameters().ToList();
        var b = Create(name, seed: 42).Module.parameters().ToList();
        var c = Create(name, seed: 43).Module.parameters().ToList();

        Assert.All(a.Zip(b), pair => Assert.True(SameValues(pair.First, pair.Second)));
        Assert.Contains(a.Zip(c), pair => !SameValues(pair.First, pair.Second));
    }

    [Fact]
    public void Seeding_a_model_leaves_the_global_random_state_alone()
    {
        manual_seed(7);
        var expected = rand(5);
        manual_seed(7);
        _ = new WideCnn(seed: 1);
        var actual = rand(5);

        Assert.True(SameValues(expected, actual));
    }

    [Fact]
    public void Dtype_and_device_reach_every_parameter()
    {
        var model = new EveryLayer(device: CPU, dtype: ScalarType.Float64);

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
    }

    [Fact]
    public void Trains_a_step_through_the_generated_module()
    {
        using var scope = NewDisposeScope();
        var model = new SmallMlp(seed: 0);
        var optimizer = optim.Adam(model.parameters(), 1e-2);
        var input = randn(16, 1, 28, 28);
        var labels = randint(0, 10, 16);

        float Loss() => nn.functional.cross_entropy(model.call(input), labels).item<float>();
        var before = Loss();
        for (var step = 0; step < 20; step++)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(input), labels).backward();
            optimizer.step();
        }

        Assert.True(Loss() < before * 0.5, $"loss went from {before} to {Loss()}");
    }

    [Fact]
    public void Description_matches_the_generated_constants()
    {
        IGeneratedModel model = new WideCnn();
        var description = model.Description;

        Assert.Equal(nameof(WideCnn), description.Name);
        Assert.Equal(ModelRole.Teacher, description.Role);
        Assert.Equal(new Shape(1, 28, 28), description.InputShape);
        Assert.Equal(["Stem", "Body", "Hidden", "Logits"], description.Blocks.Select(b => b.Name));
        Assert.Equal(WideCnn.Summary, description.Summary);
        Assert.Equal("[64, 7, 7]", WideCnn.Shapes.Body.ToString());
    }

    private static bool SameValues(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
