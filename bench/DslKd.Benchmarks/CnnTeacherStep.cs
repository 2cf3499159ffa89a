using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>One training step of the example's CNN teacher (generated, Adam) on a fixed random batch: what sections 8 and 9 time.</summary>
public static class CnnTeacherStep
{
    public static Action Create(int batch)
    {
        var images = randn(batch, 1, 28, 28);
        var labels = randint(0, 10, batch);
        ITrainingTask task = new TrainWideCnn(new WideCnn(seed: 1));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(), task.Trainable.parameters());
        task.Trainable.train();
        return () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var total = task.ComputeTrainingLoss(images, labels).Total;
            _ = total.item<float>();
            total.backward();
            optimizer.step();
        };
    }
}
