using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>One optimizer step: augmentation, channels-last input (when asked), learning rate, loss, the NaN/Inf guard, backward, gradient clipping, update.</summary>
internal sealed class StepRunner(TrainingContext context, LearningRateSchedule schedule)
{
    /// <summary>
    /// Runs one step on a batch inside the caller's dispose scope, so the returned loss's tensors live until that scope
    /// ends. Advances <see cref="TrainingContext.GlobalStep"/>.
    /// </summary>
    /// <exception cref="NonFiniteLossException">The loss is NaN or infinite; nothing was updated.</exception>
    public (StepLoss Loss, double Total, double LearningRate) Run(Tensor inputs, Tensor labels, Tensor indices, int epoch, long step)
    {
        var options = context.Options;
        var device = context.Device;
        var (x, y) = device.type == DeviceType.CPU ? (inputs, labels) : (inputs.to(device), labels.to(device));
        // The variants are drawn here rather than inside the augmentation, so a cached teacher can read each sample's own.
        Tensor? variants = null;
        if (options.EnumerableAugmentation is { } enumerable) x = enumerable.Apply(x, variants = enumerable.Draw(x.shape[0]));
        else if (options.Augmentation is { } augment) x = augment(x);
        // After the augmentation (which indexes the batch in the default layout), inside the caller's dispose scope.
        if (options.ChannelsLast) x = ChannelsLast.ImagesToChannelsLast(x);
        var learningRate = schedule.At(context.GlobalStep);
        OptimizerFactory.SetLearningRate(context.Optimizer, learningRate);

        context.Optimizer.zero_grad();
        var loss = context.ComputeLoss(new TrainingBatch(x, y, indices, variants));
        var total = loss.Total.ToDouble();
        if (!double.IsFinite(total)) throw NonFinite(loss, total, epoch, step);
        loss.Total.backward();
        if (options.GradientClipNorm is { } maxNorm) nn.utils.clip_grad_norm_(context.Trainable.parameters(), maxNorm);
        context.Optimizer.step();
        context.GlobalStep++;
        return (loss, total, learningRate);
    }

    private NonFiniteLossException NonFinite(StepLoss loss, double total, int epoch, long step)
    {
        var (term, value) = ("Total", total);
        foreach (var candidate in loss.Terms)
        {
            var candidateValue = candidate.Value.ToDouble();
            if (!double.IsFinite(candidateValue))
            {
                (term, value) = (candidate.Name, candidateValue);
                break;
            }
        }
        // The checkpoint callback sets the directory at run start and writes after every completed epoch.
        return new NonFiniteLossException(context.Task.Name, term, value, epoch, step, context.CheckpointDirectory, context.History.Count);
    }
}
