using DslKd;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

[Teacher(InputShape = [1, 8, 8], Classes = 4)]
public partial class QuadrantTeacher
{
    [Flatten, Linear(64), ReLU]
    public partial Block Hidden { get; }

    [Linear(4)]
    public partial Block Logits { get; }
}

[Student(InputShape = [1, 8, 8], Classes = 4)]
public partial class QuadrantStudent
{
    [Flatten, Linear(6), ReLU]
    public partial Block Hidden { get; }

    [Linear(4)]
    public partial Block Logits { get; }
}

[Supervised<QuadrantTeacher>]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
[Epochs(4), BatchSize(32), Seed(1)]
public partial class TrainQuadrantTeacher;

[Distillation<QuadrantTeacher, QuadrantStudent>]
[SoftTargets(Temperature = 2, Weight = 0.7)]
[HardLabels(Weight = 0.3)]
[FeatureHint(nameof(QuadrantTeacher.Hidden), nameof(QuadrantStudent.Hidden), Weight = 0.1)]
[Optimizer(OptimizerKind.AdamW, LearningRate = 1e-2)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(4), BatchSize(32), Seed(2)]
public partial class DistilQuadrants;

/// <summary>A recipe whose custom term turns NaN on a chosen call, to exercise the NaN guard.</summary>
[Distillation<QuadrantTeacher, QuadrantStudent>]
[HardLabels]
[Epochs(3), BatchSize(50)]
public partial class ExplodingRecipe
{
    public static int Calls;
    public static int NaNFromCall = int.MaxValue;

    [CustomLoss(Weight = 0.5)]
    private static Tensor Exploding(QuadrantTeacher.Features teacher, QuadrantStudent.Features student, Tensor labels) =>
        ++Calls >= NaNFromCall ? student.Logits.sum() * double.NaN : student.Logits.pow(2).mean();
}

/// <summary>
/// 4 classes of 1x8x8 images: class c raises quadrant c by 1, on Gaussian noise of standard deviation 1. Separable
/// (the quadrant means differ by 4 standard errors), so a small model should exceed 95% accuracy in a few epochs.
/// </summary>
public static class QuadrantData
{
    public static LabeledDataset Create(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var labels = randint(0, 4, [count], generator: generator);
        var images = randn([count, 1, 8, 8], generator: generator);
        for (var c = 0; c < 4; c++)
        {
            var (row, column) = (c / 2 * 4, c % 2 * 4);
            var mask = zeros(1, 1, 8, 8);
            mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(row, row + 4), TensorIndex.Slice(column, column + 4)] = 1;
            images += (labels == c).to(ScalarType.Float32).reshape(count, 1, 1, 1) * mask;
        }
        return new LabeledDataset(images, labels, classes: 4);
    }
}

/// <summary>DistilQuadrants with other numbers in its attributes: run-time loss settings must reproduce one from the other.</summary>
[Distillation<QuadrantTeacher, QuadrantStudent>]
[SoftTargets(Temperature = 4, Weight = 0.2)]
[HardLabels(Weight = 0.8)]
[FeatureHint(nameof(QuadrantTeacher.Hidden), nameof(QuadrantStudent.Hidden), Weight = 0.5)]
[Optimizer(OptimizerKind.AdamW, LearningRate = 1e-2)]
[Epochs(2), BatchSize(32), Seed(2)]
public partial class DistilQuadrantsOtherNumbers;

/// <summary>Decoupled KD ramped in over 4 epochs, as mdistiller ramps it over 20.</summary>
[Distillation<QuadrantTeacher, QuadrantStudent>]
[DecoupledKD(Temperature = 2, Weight = 0.8, WarmupEpochs = 4)]
[HardLabels(Weight = 0.5)]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
[Epochs(5), BatchSize(64), Seed(2)]
public partial class WarmedUpDistilQuadrants;
