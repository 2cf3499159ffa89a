using System.Text.Json;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Every loss term against values computed by real PyTorch (Fixtures/make_loss_fixtures.py wrote them), plus analytic
/// cases and finite-difference gradient checks.
/// </summary>
public class DistillationLossNumericsTests
{
    private const double RelativeTolerance = 1e-5;

    public static TheoryData<string> CaseNames =>
        new(LoadCases().Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Term_matches_pytorch_reference(string name)
    {
        var fixture = LoadCases().Single(c => c.GetProperty("name").GetString() == name);
        var inputs = fixture.GetProperty("inputs");
        var args = fixture.GetProperty("args");
        var standardize = args.TryGetProperty("standardize", out var flag) && flag.GetBoolean();
        if (fixture.GetProperty("term").GetString() == nameof(DistillationLosses.Standardize))
        {
            var output = DistillationLosses.Standardize(ToTensor(inputs.GetProperty("logits")));
            var expectedOutput = ToTensor(fixture.GetProperty("expectedOutput"));
            Assert.True(output.allclose(expectedOutput, rtol: RelativeTolerance, atol: 1e-12),
                $"standardized logits differ from PyTorch's by up to {(output - expectedOutput).abs().max().item<double>()}");
            return;
        }
        var expected = fixture.GetProperty("expected").GetDouble();

        var student = inputs.TryGetProperty("student", out var s) ? ToTensor(s).requires_grad_() : null;
        Tensor Teacher() => ToTensor(inputs.GetProperty("teacher"));

        var actual = fixture.GetProperty("term").GetString() switch
        {
            "SoftTargets" => DistillationLosses.SoftTargets(student!, Teacher(), args.GetProperty("temperature").GetDouble(), standardize),
            "SoftTargetCrossEntropy" => DistillationLosses.SoftTargetCrossEntropy(student!, Teacher(), args.GetProperty("temperature").GetDouble(), standardize),
            "DecoupledKnowledgeDistillation" => DistillationLosses.DecoupledKnowledgeDistillation(student!, Teacher(), ToLabels(fixture.GetProperty("labels")),
                args.GetProperty("temperature").GetDouble(), args.GetProperty("alpha").GetDouble(), args.GetProperty("beta").GetDouble(), standardize),
            "HardLabels" => DistillationLosses.HardLabels(student!, ToLabels(fixture.GetProperty("labels")), args.GetProperty("labelSmoothing").GetDouble()),
            "LogitMatching" => DistillationLosses.LogitMatching(student!, Teacher()),
            "FeatureHint" => DistillationLosses.FeatureHint(student!, Teacher()),
            "CosineFeature" => DistillationLosses.CosineFeature(student!, Teacher()),
            "AttentionTransfer" => DistillationLosses.AttentionTransfer(student!, Teacher(), args.GetProperty("p").GetDouble()),
            "RelationalKD" => DistillationLosses.RelationalKD(student!, Teacher(), args.GetProperty("distanceWeight").GetDouble(), args.GetProperty("angleWeight").GetDouble()),
            "ProbabilisticTransfer" => DistillationLosses.ProbabilisticTransfer(student!, Teacher()),
            "ParameterAnchoring" => DistillationLosses.ParameterAnchoring(
            [
                (ToTensor(inputs.GetProperty("student0")), ToTensor(inputs.GetProperty("teacher0"))),
                (ToTensor(inputs.GetProperty("student1")), ToTensor(inputs.GetProperty("teacher1"))),
            ]),
            var term => throw new InvalidOperationException($"unknown term {term}"),
        };

        AssertClose(expected, actual.item<double>());

        if (fixture.TryGetProperty("expectedStudentGradient", out var gradient))
        {
            actual.backward();
            var expectedGradient = ToTensor(gradient);
            Assert.True(student!.grad!.allclose(expectedGradient, rtol: RelativeTolerance, atol: 1e-12),
                $"gradient differs from PyTorch's by up to {(student.grad - expectedGradient).abs().max().item<double>()}");
        }
    }

    public static TheoryData<string> DecoupledCaseNames =>
        new(LoadCases().Where(c => c.TryGetProperty("expectedTeacherGradient", out _)).Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(DecoupledCaseNames))]
    public void Decoupled_kd_gradient_for_the_teacher_is_finite_and_matches_pytorch(string name)
    {
        // Online and mutual distillation train the teacher with the same term, so its gradient must be right too.
        var fixture = LoadCases().Single(c => c.GetProperty("name").GetString() == name);
        var inputs = fixture.GetProperty("inputs");
        var args = fixture.GetProperty("args");
        var student = ToTensor(inputs.GetProperty("student")).requires_grad_();
        var teacher = ToTensor(inputs.GetProperty("teacher")).requires_grad_();

        var standardize = args.TryGetProperty("standardize", out var flag) && flag.GetBoolean();
        var loss = DistillationLosses.DecoupledKnowledgeDistillation(student, teacher, ToLabels(fixture.GetProperty("labels")),
            temperature: args.GetProperty("temperature").GetDouble(), alpha: args.GetProperty("alpha").GetDouble(), beta: args.GetProperty("beta").GetDouble(),
            standardize: standardize);
        loss.backward();

        Assert.True(double.IsFinite(loss.item<double>()));
        Assert.True(student.grad!.isfinite().all().item<bool>(), $"student gradient: {student.grad!.ToString(TorchSharp.TensorStringStyle.Julia)}");
        Assert.True(teacher.grad!.isfinite().all().item<bool>(), $"teacher gradient: {teacher.grad!.ToString(TorchSharp.TensorStringStyle.Julia)}");
        var expected = ToTensor(fixture.GetProperty("expectedTeacherGradient"));
        Assert.True(teacher.grad!.allclose(expected, rtol: RelativeTolerance, atol: 1e-12),
            $"teacher gradient differs from PyTorch's by up to {(teacher.grad - expected).abs().max().item<double>()}");
    }

    [Fact]
    public void Every_term_has_a_reference_case()
    {
        var terms = LoadCases().Select(c => c.GetProperty("term").GetString()).ToHashSet();
        var publicTerms = typeof(DistillationLosses).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(m => m.Name).Where(n => n != nameof(DistillationLosses.AttentionMap)).ToHashSet();
        Assert.Subset(terms!, publicTerms);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void Identical_teacher_and_student_give_zero_kl_and_cross_entropy_equal_to_the_teacher_entropy(double temperature)
    {
        var logits = randn(8, 10, dtype: ScalarType.Float64) * 3;

        Assert.Equal(0, DistillationLosses.SoftTargets(logits, logits, temperature).item<double>(), 12);

        var probabilities = nn.functional.softmax(logits / temperature, 1);
        var entropy = -(probabilities * probabilities.log()).sum(1).mean().item<double>();
        AssertClose(entropy, DistillationLosses.SoftTargetCrossEntropy(logits, logits, temperature).item<double>());
        Assert.Equal(0, DistillationLosses.LogitMatching(logits, logits).item<double>(), 12);
        Assert.Equal(0, DistillationLosses.CosineFeature(logits, logits).item<double>(), 12);
    }

    [Fact]
    public void Decoupled_kd_with_the_teacher_weighting_of_plain_kd_equals_soft_targets()
    {
        // Zhao et al.: KD = TCKD + (1 - p_t of the teacher) * NCKD, per sample. With a single sample, alpha = 1 and
        // beta = 1 - p_t, DKD must reproduce the soft-target loss exactly.
        var student = randn(1, 6, dtype: ScalarType.Float64) * 2;
        var teacher = randn(1, 6, dtype: ScalarType.Float64) * 2;
        var label = tensor(new long[] { 2 });
        const double temperature = 3;
        var teacherTarget = nn.functional.softmax(teacher / temperature, 1)[0, 2].item<double>();

        var dkd = DistillationLosses.DecoupledKnowledgeDistillation(student, teacher, label, temperature, alpha: 1, beta: 1 - teacherTarget).item<double>();

        AssertClose(DistillationLosses.SoftTargets(student, teacher, temperature).item<double>(), dkd);
    }

    [Fact]
    public void Soft_targets_stay_finite_for_extreme_logits()
    {
        var student = tensor(new[] { 1000.0, -1000.0, 0.0, 500.0, -500.0, 1e4 }, [2, 3]);
        var teacher = tensor(new[] { -1000.0, 1000.0, 0.0, -500.0, 500.0, -1e4 }, [2, 3]);

        var value = DistillationLosses.SoftTargets(student, teacher, 1.0).item<double>();

        Assert.True(double.IsFinite(value) && value > 0, $"got {value}");
    }

    [Fact]
    public void Decoupled_kd_gradients_stay_finite_for_extreme_logits()
    {
        var student = tensor(new[] { 1000.0, -1000.0, 0.0, 500.0, -500.0, 1e4 }, [2, 3]).requires_grad_();
        var teacher = tensor(new[] { -1000.0, 1000.0, 0.0, -500.0, 500.0, -1e4 }, [2, 3]).requires_grad_();

        var loss = DistillationLosses.DecoupledKnowledgeDistillation(student, teacher, tensor(new long[] { 0, 2 }), temperature: 1, alpha: 1, beta: 8);
        loss.backward();

        Assert.True(double.IsFinite(loss.item<double>()), $"got {loss.item<double>()}");
        Assert.True(student.grad!.isfinite().all().item<bool>() && teacher.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Standardized_logits_have_zero_mean_and_unit_unbiased_deviation_per_sample()
    {
        var logits = randn(5, 7, dtype: ScalarType.Float64) * tensor(new[] { 0.1, 1, 10, 100, 1000 }, [5, 1], ScalarType.Float64) + 3;

        var standardized = DistillationLosses.Standardize(logits);

        Assert.True(standardized.mean([1L]).abs().max().item<double>() < 1e-12);
        Assert.True((standardized.std(1, unbiased: true) - 1).abs().max().item<double>() < 1e-5);
        Assert.False((standardized.std(1, unbiased: false) - 1).abs().max().item<double>() < 1e-5, "the population std of a row is sqrt(6/7), not 1");
        Assert.Equal(0, DistillationLosses.Standardize(full(2, 4, 5.0, dtype: ScalarType.Float64)).abs().max().item<double>());
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void Logit_standardization_makes_the_logit_terms_ignore_each_samples_shift_and_scale(double temperature)
    {
        var student = randn(6, 5, dtype: ScalarType.Float64);
        var teacher = randn(6, 5, dtype: ScalarType.Float64) * 3;
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 0 });
        var scale = rand(6, 1, dtype: ScalarType.Float64) * 20 + 0.5;
        var shift = randn(6, 1, dtype: ScalarType.Float64) * 10;
        var moved = student * scale + shift;

        AssertClose(DistillationLosses.SoftTargets(student, teacher, temperature, standardize: true).item<double>(),
            DistillationLosses.SoftTargets(moved, teacher, temperature, standardize: true).item<double>());
        AssertClose(DistillationLosses.SoftTargetCrossEntropy(student, teacher, temperature, standardize: true).item<double>(),
            DistillationLosses.SoftTargetCrossEntropy(moved, teacher, temperature, standardize: true).item<double>());
        AssertClose(DistillationLosses.DecoupledKnowledgeDistillation(student, teacher, labels, temperature, 1, 8, standardize: true).item<double>(),
            DistillationLosses.DecoupledKnowledgeDistillation(moved, teacher, labels, temperature, 1, 8, standardize: true).item<double>());
        // Without it, the scale matters (the flag is not ignored).
        Assert.NotEqual(DistillationLosses.SoftTargets(student, teacher, temperature).item<double>(),
            DistillationLosses.SoftTargets(moved, teacher, temperature).item<double>(), 3);
    }

    [Fact]
    public void Relational_kd_is_zero_when_the_student_keeps_the_teachers_geometry_in_another_width()
    {
        // Distances are divided by their mean and angles ignore scale and translation, so a scaled, shifted copy of
        // the teacher padded with constant columns has exactly the teacher's relations.
        var teacher = randn(6, 4, dtype: ScalarType.Float64);
        var student = cat([teacher * 3 + 1, full(6, 3, 2.0, dtype: ScalarType.Float64)], 1);

        Assert.True(DistillationLosses.RelationalKD(student, teacher, 1, 2).item<double>() < 1e-12);
        Assert.True(DistillationLosses.RelationalKD(randn(6, 7, dtype: ScalarType.Float64), teacher, 1, 2).item<double>() > 1e-3);
        Assert.True(DistillationLosses.RelationalKD(randn(6, 7, dtype: ScalarType.Float64), teacher, 0, 0).item<double>() == 0);
    }

    [Fact]
    public void Probabilistic_transfer_is_zero_for_the_teachers_directions_and_positive_otherwise()
    {
        // Only the cosines between samples count: a positively rescaled teacher feature transfers perfectly.
        var teacher = randn(5, 2, 3, dtype: ScalarType.Float64);
        var student = teacher.reshape(5, 6) * rand(5, 1, dtype: ScalarType.Float64).add(0.5);

        Assert.True(Math.Abs(DistillationLosses.ProbabilisticTransfer(student, teacher).item<double>()) < 1e-12);
        Assert.True(DistillationLosses.ProbabilisticTransfer(randn(5, 9, dtype: ScalarType.Float64), teacher).item<double>() > 1e-4);
    }

    [Fact]
    public void Relational_kd_gradient_matches_finite_differences() =>
        AssertGradientMatchesFiniteDifferences(
            randn(5, 2, 2, dtype: ScalarType.Float64),
            randn(5, 7, dtype: ScalarType.Float64),
            (s, t) => DistillationLosses.RelationalKD(s, t, 1, 2));

    [Fact]
    public void Probabilistic_transfer_gradient_matches_finite_differences() =>
        AssertGradientMatchesFiniteDifferences(
            randn(4, 5, dtype: ScalarType.Float64),
            randn(4, 8, dtype: ScalarType.Float64),
            DistillationLosses.ProbabilisticTransfer);

    [Fact]
    public void Standardized_decoupled_kd_gradient_matches_finite_differences() =>
        AssertGradientMatchesFiniteDifferences(
            randn(3, 5, dtype: ScalarType.Float64) * 2,
            randn(3, 5, dtype: ScalarType.Float64) * 2,
            (s, t) => DistillationLosses.DecoupledKnowledgeDistillation(s, t, tensor(new long[] { 1, 4, 0 }), temperature: 2, alpha: 1, beta: 8, standardize: true));

    [Fact]
    public void Soft_targets_gradient_matches_finite_differences() =>
        AssertGradientMatchesFiniteDifferences(
            randn(4, 6, dtype: ScalarType.Float64) * 2,
            randn(4, 6, dtype: ScalarType.Float64) * 2,
            (s, t) => DistillationLosses.SoftTargets(s, t, 3.0));

    [Fact]
    public void Feature_hint_gradient_matches_finite_differences() =>
        AssertGradientMatchesFiniteDifferences(
            randn(3, 2, 3, 3, dtype: ScalarType.Float64),
            randn(3, 2, 3, 3, dtype: ScalarType.Float64),
            DistillationLosses.FeatureHint);

    [Fact]
    public void Attention_transfer_gradient_matches_finite_differences() =>
        AssertGradientMatchesFiniteDifferences(
            randn(2, 3, 4, 4, dtype: ScalarType.Float64),
            randn(2, 5, 4, 4, dtype: ScalarType.Float64),
            (s, t) => DistillationLosses.AttentionTransfer(s, t, p: 2));

    [Fact]
    public void Bad_arguments_are_refused_with_clear_errors()
    {
        var logits = randn(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SoftTargets(logits, logits, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.SoftTargetCrossEntropy(logits, logits, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.HardLabels(logits, tensor(new long[] { 0, 1 }), 1.0));
        Assert.Throws<ArgumentException>(() => DistillationLosses.AttentionTransfer(logits, logits, p: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.AttentionTransfer(randn(2, 3, 4, 4), randn(2, 3, 4, 4), p: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.DecoupledKnowledgeDistillation(logits, logits, tensor(new long[] { 0, 1 }), 4, -1, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.RelationalKD(randn(3, 4), randn(3, 4), -1, 2));
        Assert.Throws<ArgumentException>(() => DistillationLosses.ParameterAnchoring([]));
        Assert.Throws<ArgumentException>(() => DistillationLosses.Standardize(randn(2, 1)));
        Assert.Throws<ArgumentException>(() => DistillationLosses.DecoupledKnowledgeDistillation(randn(2, 1), randn(2, 1), tensor(new long[] { 0, 0 }), 4, 1, 8));
        Assert.Throws<ArgumentException>(() => DistillationLosses.RelationalKD(randn(1, 4), randn(1, 4), 1, 2));
        Assert.Throws<ArgumentException>(() => DistillationLosses.RelationalKD(randn(3, 4), randn(2, 4), 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationLosses.RelationalKD(randn(3, 4), randn(3, 4), double.NaN, 2));
        Assert.Throws<ArgumentException>(() => DistillationLosses.ProbabilisticTransfer(randn(3, 4), randn(4, 4)));
    }

    private static void AssertGradientMatchesFiniteDifferences(Tensor student, Tensor teacher, Func<Tensor, Tensor, Tensor> loss)
    {
        var variable = student.clone().requires_grad_();
        loss(variable, teacher).backward();
        var analytic = variable.grad!.reshape(-1);

        const double step = 1e-6;
        var flat = student.reshape(-1);
        for (var i = 0; i < flat.shape[0]; i++)
        {
            var plus = flat.clone();
            plus[i] += step;
            var minus = flat.clone();
            minus[i] -= step;
            var numeric = (loss(plus.reshape(student.shape), teacher).item<double>() - loss(minus.reshape(student.shape), teacher).item<double>()) / (2 * step);
            Assert.True(Math.Abs(numeric - analytic[i].item<double>()) <= 1e-6 + 1e-4 * Math.Abs(numeric),
                $"element {i}: finite differences {numeric}, autograd {analytic[i].item<double>()}");
        }
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= RelativeTolerance * Math.Max(Math.Abs(expected), 1e-12),
            $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), 1e-300):E2})");

    private static Tensor ToTensor(JsonElement element) =>
        tensor(element.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            element.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray(), ScalarType.Float64);

    private static Tensor ToLabels(JsonElement element) =>
        tensor(element.GetProperty("data").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
            element.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());

    private static List<JsonElement> LoadCases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "loss_fixtures.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    }
}
