using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// One epoch: a shuffled pass over the training set by index_select, one dispose scope per step (only scalars leave it),
/// <see cref="TrainingCallback.OnStepEnd"/> after each step, then the evaluation.
/// </summary>
internal sealed class EpochRunner
{
    private readonly TrainingContext _context;
    private readonly CallbackList _callbacks;
    private readonly StepRunner _steps;
    private readonly TrainingStep _step;
    private readonly Stopwatch _epochClock = new();

    /// <param name="context">The run.</param>
    /// <param name="callbacks">The run's callbacks, for <see cref="TrainingCallback.OnStepEnd"/>.</param>
    /// <param name="runClock">Started when the first epoch of this process starts, for the time remaining.</param>
    public EpochRunner(TrainingContext context, CallbackList callbacks, Stopwatch runClock)
    {
        var options = context.Options;
        (_context, _callbacks) = (context, callbacks);
        _steps = new StepRunner(context, new LearningRateSchedule(options.Schedule, options.Optimizer.LearningRate, context.StepsPerEpoch, options.Epochs));
        _step = new TrainingStep(context.StepsPerEpoch, options.Epochs, runClock, _epochClock);
    }

    public EpochResult Run(int epoch)
    {
        var (options, train, trainable, stepsPerEpoch) = (_context.Options, _context.Train, _context.Trainable, _context.StepsPerEpoch);
        _epochClock.Restart();
        _step.StartEpoch(epoch);
        trainable.train();
        double lossSum = 0;
        var termSums = new Dictionary<string, double>();
        var learningRate = 0.0;
        long samples = 0, termSamples = 0;

        // Each epoch's order depends only on the seed and the epoch, so a resumed run shuffles exactly as an uninterrupted one.
        using (var shuffle = new Generator((ulong)(options.Seed * 1_000_003 + epoch)))
        using (var order = randperm(train.Count, generator: shuffle))
        {
            for (var step = 1L; step <= stepsPerEpoch; step++)
            {
                using var scope = NewDisposeScope();
                _context.CancellationToken.ThrowIfCancellationRequested();
                var (inputs, labels, indices) = train.Batch(step - 1, options.BatchSize, order);
                var (loss, total, rate) = _steps.Run(inputs, labels, indices, epoch, step);
                learningRate = rate;
                var batch = labels.shape[0];
                samples += batch;
                lossSum += total * batch;
                var reporting = step % options.ReportEverySteps == 0 || step == stepsPerEpoch;
                _step.Begin(loss, total, step, _context.GlobalStep, rate, batch, reporting);
                try
                {
                    _callbacks.StepEnd(_context, _step);
                    // Terms are read on reporting steps (each read is a sync) and on steps a callback read them, so their epoch means are over those steps.
                    if (reporting || _step.TermsRead)
                    {
                        foreach (var (name, value) in _step.Terms) termSums[name] = termSums.GetValueOrDefault(name) + value * batch;
                        termSamples += batch;
                    }
                }
                finally
                {
                    _step.End();
                }
            }
        }

        EvaluationResult? metrics = null;
        if (_context.Evaluation is { } evaluation)
        {
            trainable.eval();
            var device = _context.Device;
            var task = _context.Task;
            // With ChannelsLast the model is channels-last: its evaluation inputs too (the values are the same either way).
            Func<Tensor, Tensor> predict = options.ChannelsLast ? inputs => task.Predict(ChannelsLast.ImagesToChannelsLast(inputs)) : task.Predict;
            metrics = Evaluator.Evaluate(predict, evaluation, Math.Max(options.BatchSize, 256), device.type == DeviceType.CPU ? null : device);
        }

        var sampledTerms = termSums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, termSamples));
        return new EpochResult(epoch, lossSum / samples, sampledTerms, learningRate, metrics, _epochClock.Elapsed);
    }
}
