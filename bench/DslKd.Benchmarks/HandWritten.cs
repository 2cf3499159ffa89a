using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslKd.Benchmarks;

/// <summary>The same models and steps written directly in TorchSharp, the way a careful engineer would by hand.</summary>
public static class HandWritten
{
    public static nn.Module<Tensor, Tensor> BigMlp() => nn.Sequential(
        nn.Linear(784, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(), nn.Linear(1200, 10));

    public static nn.Module<Tensor, Tensor> SmallMlp() => nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));

    public static nn.Module<Tensor, Tensor> ImageMlp() => nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));

    public static nn.Module<Tensor, Tensor> WideCnn() => nn.Sequential(
        nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10));

    /// <summary>One KD step: KL(p_T || p_S) * T^2 batch-mean, weighted with cross-entropy.</summary>
    public static void DistillationStep(nn.Module<Tensor, Tensor> teacher, nn.Module<Tensor, Tensor> student, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Tensor teacherLogits;
        using (no_grad()) teacherLogits = teacher.call(x);
        var studentLogits = student.call(x);
        const double t = 4;
        var kl = F.kl_div(F.log_softmax(studentLogits / t, 1), F.log_softmax(teacherLogits / t, 1), log_target: true, reduction: nn.Reduction.Sum)
                 * (t * t / x.shape[0]);
        var loss = 0.5 * kl + 0.5 * F.cross_entropy(studentLogits, y);
        _ = loss.item<float>();
        loss.backward();
        optimizer.step();
    }

    /// <summary>One supervised step.</summary>
    public static void SupervisedStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = F.cross_entropy(model.call(x), y);
        _ = loss.item<float>();
        loss.backward();
        optimizer.step();
    }
}
