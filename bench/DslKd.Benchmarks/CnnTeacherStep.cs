using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>Where the CNN teacher's step lays out its values (section 11): libtorch's default NCHW, or channels-last.</summary>
public enum CnnLayout
{
    /// <summary>Model and input in the default format (NCHW).</summary>
    Default,

    /// <summary>Convolution weights and each batch converted to channels-last (NHWC), as PyTorch's channels-last recipe does.</summary>
    ChannelsLast,

    /// <summary>Each batch converted, the weights left NCHW: libtorch then reorders the weights inside every convolution.</summary>
    InputOnly,
}

/// <summary>One training step of the example's CNN teacher (generated, Adam) on a fixed random batch: what sections 8, 9 and 11 time.</summary>
public static class CnnTeacherStep
{
    public static Action Create(int batch, CnnLayout layout = CnnLayout.Default)
    {
        var images = randn(batch, 1, 28, 28);
        var labels = randint(0, 10, batch);
        ITrainingTask task = new TrainWideCnn(new WideCnn(seed: 1));
        if (layout == CnnLayout.ChannelsLast) task.Trainable.ToChannelsLast();
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(), task.Trainable.parameters());
        task.Trainable.train();
        // The batch is converted inside the step, as a training loop fed NCHW batches would: its cost is part of the lever.
        var convert = layout != CnnLayout.Default;
        return () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var inputs = convert ? images.ToChannelsLast() : images;
            var total = task.ComputeTrainingLoss(inputs, labels).Total;
            _ = total.item<float>();
            total.backward();
            optimizer.step();
        };
    }
}
