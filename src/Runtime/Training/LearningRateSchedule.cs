using System;

namespace DslKd;

/// <summary>
/// The learning rate as a pure function of the step, so a resumed run needs only the step count to continue exactly.
/// </summary>
public sealed class LearningRateSchedule(ScheduleSettings settings, double baseLearningRate, long stepsPerEpoch, int epochs)
{
    private readonly long _totalSteps = Math.Max(1, stepsPerEpoch * epochs);

    /// <summary>The learning rate for the optimizer step numbered <paramref name="step"/> (0-based, over the whole run).</summary>
    public double At(long step)
    {
        var progress = Math.Clamp((double)step / _totalSteps, 0, 1);
        switch (settings.Kind)
        {
            case ScheduleKind.Step:
                var epoch = step / Math.Max(1, stepsPerEpoch);
                return baseLearningRate * Math.Pow(settings.Gamma, epoch / settings.StepEpochs);
            case ScheduleKind.Cosine:
                return settings.MinLearningRate + (baseLearningRate - settings.MinLearningRate) * (1 + Math.Cos(Math.PI * progress)) / 2;
            case ScheduleKind.OneCycle:
                var peak = settings.MaxLearningRate > 0 ? settings.MaxLearningRate : 10 * baseLearningRate;
                const double warmupFraction = 0.3;
                var start = peak / 25; // PyTorch's div_factor
                var end = start / 1e4; // PyTorch's final_div_factor
                return progress < warmupFraction
                    ? start + (peak - start) * (1 - Math.Cos(Math.PI * progress / warmupFraction)) / 2
                    : end + (peak - end) * (1 + Math.Cos(Math.PI * (progress - warmupFraction) / (1 - warmupFraction))) / 2;
            case ScheduleKind.LinearWarmup:
                var warmupSteps = settings.WarmupEpochs * stepsPerEpoch;
                return step < warmupSteps ? baseLearningRate * (step + 1) / warmupSteps : baseLearningRate;
            default:
                return baseLearningRate;
        }
    }
}
