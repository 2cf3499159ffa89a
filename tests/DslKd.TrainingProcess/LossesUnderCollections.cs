using DslKd;
using static TorchSharp.torch;

namespace DslKd.TrainingProcess;

/// <summary>
/// The loss terms and their weighted sum, computed again and again on the same inputs while other threads collect
/// garbage and run finalizers without pause; counts the computations that fail or give another value than the first.
/// Started with DOTNET_TieredCompilation=0, as <see cref="OptimizerUnderCollections"/> is. With "operators" it computes
/// the same kind of weighted sum with TorchSharp's operators (<c>w * t + ...</c>), which shows the race the harness finds.
/// </summary>
public static class LossesUnderCollections
{
    /// <summary>Runs <paramref name="repeats"/> computations and prints "failures N, differences M".</summary>
    public static int Run(bool operators, int repeats)
    {
        var generator = new TorchSharp.torch.Generator(7);
        var student = randn([32, 10], generator: generator);
        var teacher = randn([32, 10], generator: generator);
        var labels = randint(0, 10, [32], generator: generator);
        var studentMap = randn([32, 8, 6, 6], generator: generator);
        var teacherMap = randn([32, 16, 6, 6], generator: generator);
        Func<double> compute = operators
            ? () => Value(OperatorSum(student, teacher))
            : () => Value(Losses(student, teacher, labels, studentMap, teacherMap));
        var expected = compute();

        var collectors = new CollectingThreads();
        var (failures, differences) = (0, 0);
        string? first = null;
        for (var i = 0; i < repeats; i++)
        {
            try
            {
                if (BitConverter.DoubleToInt64Bits(compute()) != BitConverter.DoubleToInt64Bits(expected)) differences++;
            }
            catch (Exception e)
            {
                failures++;
                first ??= e.Message.Split('\n')[0];
            }
        }
        collectors.Dispose();
        Console.WriteLine($"failures {failures}, differences {differences}{(first is null ? "" : $" (first: {first})")}");
        return 0;
    }

    private static double Value(Tensor loss)
    {
        using (loss) return loss.item<float>();
    }

    // Every logit and feature term the CNN pair's recipes use, and the generated total's sum.
    private static Tensor Losses(Tensor student, Tensor teacher, Tensor labels, Tensor studentMap, Tensor teacherMap)
    {
        using var scope = NewDisposeScope();
        return KeptScalarArithmetic.WeightedSum(
            (0.5, DistillationLosses.SoftTargets(student, teacher, 4)),
            (9, DistillationLosses.SoftTargets(student, teacher, 2, standardize: true)),
            (1, DistillationLosses.DecoupledKnowledgeDistillation(student, teacher, labels, 4, 1, 8)),
            (0.1, DistillationLosses.HardLabels(student, labels, 0.1)),
            (1000, DistillationLosses.AttentionTransfer(studentMap, teacherMap, 2)),
            (0.3, DistillationLosses.CosineFeature(student, teacher)),
            (0.5, DistillationLosses.RelationalKD(student, teacher, 1, 2)),
            (0.3, DistillationLosses.ProbabilisticTransfer(student, teacher))).MoveToOuterDisposeScope();
    }

    private static Tensor OperatorSum(Tensor student, Tensor teacher)
    {
        using var scope = NewDisposeScope();
        var total = 0.5 * student.sum() + 2.0 * teacher.sum();
        for (var i = 0; i < 8; i++) total = total + 0.25 * (student - teacher).sum() / 3.0;
        return total.MoveToOuterDisposeScope();
    }
}
