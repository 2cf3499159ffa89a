using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using L = DslKd.DistillationLosses;

namespace DslKd.Runtime.Tests;

/// <summary>The generated recipes, run in TorchSharp: the composed loss, the adapters and the frozen teacher.</summary>
public class GeneratedRecipeTests
{
    private static (Tensor Input, Tensor Labels) Batch(int size = 8) => (randn(size, 1, 28, 28), randint(0, 10, size));

    [Fact]
    public void Compile_time_constants_describe_the_compression()
    {
        const double ratio = CnnToMlp.CompressionRatio;

        Assert.Equal(WideCnn.ParameterCount, CnnToMlp.TeacherParameterCount);
        Assert.Equal(SmallMlp.ParameterCount, CnnToMlp.StudentParameterCount);
        Assert.Equal((double)WideCnn.ParameterCount / SmallMlp.ParameterCount, ratio);
        Assert.Equal(128 * 256 + 256, CnnToMlp.AdapterParameterCount);
    }

    [Fact]
    public void Total_is_the_weighted_sum_of_the_terms_computed_independently()
    {
        using var scope = NewDisposeScope();
        var recipe = new CnnToMlp(new WideCnn(seed: 1), new SmallMlp(seed: 2), seed: 3);
        var (input, labels) = Batch();

        var losses = recipe.ComputeLoss(input, labels);

        var teacher = recipe.Teacher.ForwardFeatures(input);
        var student = recipe.Student.ForwardFeatures(input);
        var adapter = recipe.named_children().Single(c => c.name == "HiddenHintAdapter").module as nn.Module<Tensor, Tensor>;
        var soft = L.SoftTargets(student.Logits, teacher.Logits, 4).item<float>();
        var hard = L.HardLabels(student.Logits, labels).item<float>();
        var hint = L.FeatureHint(adapter!.call(student.Hidden), teacher.Hidden).item<float>();

        Assert.Equal(soft, losses.SoftTargets.item<float>(), 5);
        Assert.Equal(hard, losses.HardLabels.item<float>(), 5);
        Assert.Equal(hint, losses.HiddenHint.item<float>(), 5);
        Assert.Equal(0.9 * soft + 0.1 * hard + 0.5 * hint, losses.Total.item<float>(), 4);
        Assert.Equal(["SoftTargets", "HardLabels", "HiddenHint"], losses.Terms.Select(t => t.Name));
        Assert.Equal([0.9, 0.1, 0.5], losses.Terms.Select(t => t.Weight));
    }

    [Fact]
    public void Relational_terms_and_standardized_soft_targets_compute_what_the_loss_functions_compute()
    {
        using var scope = NewDisposeScope();
        var recipe = new RelationalCnnToMlp(new WideCnn(seed: 1), new SmallMlp(seed: 2));
        var (input, labels) = Batch();

        var losses = recipe.ComputeLoss(input, labels);

        var teacher = recipe.Teacher.ForwardFeatures(input);
        var student = recipe.Student.ForwardFeatures(input);
        var soft = L.SoftTargets(student.Logits, teacher.Logits, 2, standardize: true).item<float>();
        var relations = L.RelationalKD(student.Hidden, teacher.Hidden, distanceWeight: 1, angleWeight: 2).item<float>();
        var similarities = L.ProbabilisticTransfer(student.Hidden, teacher.Hidden).item<float>();
        Assert.NotEqual(L.SoftTargets(student.Logits, teacher.Logits, 2).item<float>(), soft, 3);
        Assert.Equal(soft, losses.SoftTargets.item<float>(), 5);
        Assert.Equal(relations, losses.HiddenRelations.item<float>(), 5);
        Assert.Equal(similarities, losses.HiddenSimilarities.item<float>(), 5);
        Assert.Equal(0.5 * soft + 0.3 * relations + 0.2 * similarities, losses.Total.item<float>(), 4);
        Assert.Equal(0, RelationalCnnToMlp.AdapterParameterCount); // relations compare 256- and 128-long features as they are
    }

    [Fact]
    public void A_term_declared_with_weight_zero_is_skipped_until_the_loss_settings_switch_it_on()
    {
        using var scope = NewDisposeScope();
        var teacherModel = new WideCnn(seed: 1);
        var (input, labels) = Batch();

        var off = new RelationalCnnToMlp(teacherModel, new SmallMlp(seed: 2)).ComputeLoss(input, labels);
        var on = new RelationalCnnToMlp(teacherModel, new SmallMlp(seed: 2),
            loss: RelationalCnnToMlp.DefaultLoss.With("HardLabels.Weight", 0.25)).ComputeLoss(input, labels);

        Assert.Null(off.HardLabels);
        Assert.DoesNotContain("HardLabels", off.Terms.Select(t => t.Name));
        var hard = L.HardLabels(recipeStudentLogits(), labels).item<float>();
        Assert.Equal(hard, on.HardLabels!.item<float>(), 5);
        Assert.Equal(off.Total.item<float>() + 0.25 * hard, on.Total.item<float>(), 4);
        Assert.Equal(["SoftTargets", "HiddenRelations", "HiddenSimilarities", "HardLabels"], on.Terms.Select(t => t.Name));

        Tensor recipeStudentLogits() => new SmallMlp(seed: 2).call(input);
    }

    [Fact]
    public void A_pre_activation_tap_reads_the_residual_sum_before_the_relu_from_both_models()
    {
        using var scope = NewDisposeScope();
        var recipe = new ModelZoo.ResNet20FromResNet8x4(new ModelZoo.ResNet8x4(seed: 1), new ModelZoo.ResNet20(seed: 2));
        var input = randn(4, 3, 32, 32);
        var labels = randint(0, 100, 4);

        var losses = recipe.ComputeLoss(input, labels);

        var teacher = recipe.Teacher.ForwardFeatures(input, withPreActivations: true);
        var student = recipe.Student.ForwardFeatures(input, withPreActivations: true);
        var expected = L.AttentionTransfer(student.Layer3PreActivation!, teacher.Layer3PreActivation!, p: 2).item<float>();
        var afterRelu = L.AttentionTransfer(student.Layer3, teacher.Layer3, p: 2).item<float>();
        Assert.Equal(expected, losses.Layer3Attention.item<float>(), 5);
        Assert.NotEqual(afterRelu, losses.Layer3Attention.item<float>(), 5);
    }

    [Fact]
    public void Teacher_is_frozen_by_construction_and_not_among_the_trainable_parameters()
    {
        var teacher = new WideCnn(seed: 1);
        teacher.train();
        var recipe = new CnnToMlp(teacher, new SmallMlp(seed: 2));

        Assert.False(teacher.training);
        Assert.All(teacher.parameters(), p => Assert.False(p.requires_grad));
        var trainable = recipe.parameters().ToList();
        Assert.DoesNotContain(trainable, p => teacher.parameters().Any(t => ReferenceEquals(t, p)));
        Assert.Equal(SmallMlp.ParameterCount + CnnToMlp.AdapterParameterCount, trainable.Sum(p => p.numel()));
    }

    [Fact]
    public void Distillation_steps_leave_the_teacher_bit_identical_and_lower_the_loss()
    {
        var teacher = new WideCnn(seed: 1);
        var before = teacher.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var recipe = new CnnToMlp(teacher, new SmallMlp(seed: 2), seed: 3);
        recipe.train();
        var optimizer = optim.Adam(recipe.parameters(), 1e-3);
        var (input, labels) = Batch(32);

        var first = recipe.ComputeLoss(input, labels).Total.item<float>();
        for (var step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            recipe.ComputeLoss(input, labels).Total.backward();
            optimizer.step();
        }
        var last = recipe.ComputeLoss(input, labels).Total.item<float>();

        Assert.True(last < first * 0.7, $"total loss went from {first} to {last}");
        Assert.False(teacher.training);
        foreach (var (key, value) in teacher.state_dict())
            Assert.True(before[key].equal(value).all().item<bool>(), $"teacher tensor {key} changed");
    }

    [Fact]
    public void Every_term_kind_runs_with_adapters_pooling_and_a_custom_loss()
    {
        using var scope = NewDisposeScope();
        var recipe = new CnnToSmallCnn(new WideCnn(seed: 1), new SmallCnn(seed: 2), seed: 3);
        var (input, labels) = Batch();

        var losses = recipe.ComputeLoss(input, labels);

        Assert.Equal(
            ["SoftTargetCrossEntropy", "LogitMatching", "DecoupledKD", "HardLabels", "BodyHint", "StemCosine", "StemAttention", "StemFromBodyAttention", "LogitNorm"],
            losses.Terms.Select(t => t.Name));
        Assert.All(losses.Terms, t => Assert.True(float.IsFinite(t.Value.item<float>()), $"{t.Name} is not finite"));
        var weighted = losses.Terms.Sum(t => t.Weight * t.Value.item<float>());
        Assert.Equal(weighted, losses.Total.item<float>(), 3);
        Assert.Equal(
            (16 * 64 + 64) + (8 * 32 + 32), // Body hint: 1x1 conv 16 -> 64; Stem cosine: 1x1 conv 8 -> 32
            CnnToSmallCnn.AdapterParameterCount);

        losses.Total.backward();
        Assert.All(recipe.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void Parameter_anchoring_pairs_every_parameter_of_identical_models_and_measures_their_distance()
    {
        using var scope = NewDisposeScope();
        var teacher = new SmallMlp(seed: 1);
        var student = new SmallMlp(seed: 2);
        var recipe = new SelfAnchored(teacher, student);

        Assert.Equal(student.named_parameters().Select(p => p.name), SelfAnchored.AnchoredParameters);
        var expected = student.parameters().Zip(teacher.parameters()).Sum(p => (p.First - p.Second).pow(2).sum().item<float>());
        var (input, labels) = Batch();
        Assert.Equal(expected, recipe.ComputeLoss(input, labels).ParameterAnchoring.item<float>(), 2);

        var identical = new SelfAnchored(new SmallMlp(seed: 5), new SmallMlp(seed: 5));
        Assert.Equal(0, identical.ComputeLoss(input, labels).ParameterAnchoring.item<float>());
    }

    [Fact]
    public void Moving_a_recipe_keeps_state_dict_keys_and_never_registers_the_teacher()
    {
        var teacher = new WideCnn(seed: 1);
        var student = new SmallMlp(seed: 2);
        var recipe = new CnnToMlp(teacher, student);
        var studentKeys = student.state_dict().Keys.ToList();
        var recipeKeys = recipe.state_dict().Keys.ToList();

        ModuleExtensionMethods.to(recipe, CPU); // TorchSharp walks the children and registers their fields, unless told not to

        Assert.Equal(studentKeys, student.state_dict().Keys);
        Assert.Equal(recipeKeys, recipe.state_dict().Keys);
        Assert.DoesNotContain(recipe.state_dict().Keys, k => k.Contains("teacher", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(SmallMlp.ParameterCount + CnnToMlp.AdapterParameterCount, recipe.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void A_null_model_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new CnnToMlp(null!, new SmallMlp()));
        Assert.Throws<ArgumentNullException>(() => new CnnToMlp(new WideCnn(), null!));
    }
}
