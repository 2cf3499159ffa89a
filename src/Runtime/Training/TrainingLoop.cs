using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The epoch loop every generated recipe trains with: shuffled batches by index_select, one dispose scope per step (only
/// scalars leave it), the learning-rate schedule, gradient clipping, a NaN/Inf guard, evaluation after each epoch,
/// atomic checkpoints with resume, TensorBoard scalars and progress events.
/// </summary>
public static class TrainingLoop
{
    /// <summary>Trains <paramref name="task"/> on <paramref name="train"/>, evaluating on <paramref name="evaluation"/> after each epoch.</summary>
    public static TrainingResult Run(ITrainingTask task, LabeledDataset train, LabeledDataset? evaluation, TrainingOptions options,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (options.EarlyStoppingPatience is not null && evaluation is null)
            throw new ArgumentException("EarlyStoppingPatience needs an evaluation set to watch: pass a validation split (never the test set).", nameof(evaluation));
        if (options.Threads is { } threads) set_num_threads(threads);

        var device = options.Device ?? CPU;
        task.MoveTo(device);
        manual_seed(options.Seed);
        var trainable = task.Trainable;
        using var optimizer = OptimizerFactory.Create(options.Optimizer, trainable.parameters());
        var stepsPerEpoch = train.BatchCount(options.BatchSize);
        var schedule = new LearningRateSchedule(options.Schedule, options.Optimizer.LearningRate, stepsPerEpoch, options.Epochs);
        var tensorBoard = options.TensorBoardDirectory is { } logDirectory ? new TensorBoardLog(logDirectory) : null;
        var checkpointPath = options.CheckpointDirectory is { } checkpointDirectory ? Path.Combine(checkpointDirectory, Checkpoint.FileName) : null;

        var history = new List<EpochResult>();
        var best = new BestWeights(trainable, options.CheckpointDirectory);
        var globalStep = 0L;
        // A tuned recipe with other loss settings is another run, even with the same options.
        var fingerprint = task is ITunableTask tunable ? options.Fingerprint() + ";loss=" + LossSettingsSupport.Fingerprint(tunable.Loss) : options.Fingerprint();
        // Hashed only for runs with checkpoints: reading the data and the teacher costs a moment.
        if (checkpointPath is not null) fingerprint += ";start=" + RunStart.Hash(task, train, evaluation);
        if (checkpointPath is not null && File.Exists(checkpointPath))
        {
            var header = Checkpoint.ReadHeader(checkpointPath);
            if (header.Run != task.Name || header.OptionsFingerprint != fingerprint)
                throw new InvalidOperationException(
                    $"'{checkpointPath}' belongs to another run ({header.Run}: {header.OptionsFingerprint}); this run is {task.Name}: " +
                    $"{fingerprint}. Use another CheckpointDirectory, or delete the file to start over.");
            Checkpoint.Restore(checkpointPath, trainable, optimizer);
            history.AddRange(header.History);
            globalStep = header.GlobalStep;
            if (options.EarlyStoppingPatience is not null) best.Resume(history);
            progress?.Report(new Resumed(task.Name, header.CompletedEpochs, checkpointPath));
        }

        using var teacherCache = OpenTeacherCache(task, train, options, device, progress);

        var runClock = Stopwatch.StartNew();
        var stepsDoneThisRun = 0L;
        // A resumed run that had already stopped early stays stopped; one that ran every epoch did not stop early.
        var stoppedEarly = options.EarlyStoppingPatience is { } patienceAtStart && best.Epoch is { } bestAtStart
            && history.Count - bestAtStart >= patienceAtStart && history.Count < options.Epochs;
        for (var epoch = history.Count + 1; epoch <= options.Epochs && !stoppedEarly; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new EpochStarted(task.Name, epoch, options.Epochs, stepsPerEpoch));
            var epochClock = Stopwatch.StartNew();
            trainable.train();
            double lossSum = 0;
            var termSums = new Dictionary<string, double>();
            var learningRate = 0.0;
            long step = 0, samples = 0, termSamples = 0;

            // Each epoch's order depends only on the seed and the epoch, so a resumed run shuffles exactly as an uninterrupted one.
            using (var shuffle = new Generator((ulong)(options.Seed * 1_000_003 + epoch)))
            using (var order = randperm(train.Count, generator: shuffle))
            {
                for (var batchIndex = 0L; batchIndex < stepsPerEpoch; batchIndex++)
                {
                    using var scope = NewDisposeScope();
                    cancellationToken.ThrowIfCancellationRequested();
                    var (inputs, labels, indices) = train.Batch(batchIndex, options.BatchSize, order);
                    step++;
                    var (x, y) = device.type == DeviceType.CPU ? (inputs, labels) : (inputs.to(device), labels.to(device));
                    // A cached teacher needs to know which variant each sample got, so the variants are drawn here.
                    Tensor? variants = null;
                    if (teacherCache is not null && options.CacheableAugmentation is { } enumerable) x = enumerable.Apply(x, variants = enumerable.Draw(x.shape[0]));
                    else if (options.Augmentation is { } augment) x = augment(x);
                    learningRate = schedule.At(globalStep);
                    OptimizerFactory.SetLearningRate(optimizer, learningRate);

                    optimizer.zero_grad();
                    var loss = teacherCache is null
                        ? task.ComputeTrainingLoss(x, y)
                        : ((ICachedTeacherTask)task).ComputeTrainingLoss(ToDevice(teacherCache.Select(indices, variants), device), x, y);
                    var total = loss.Total.ToDouble();
                    if (!double.IsFinite(total)) throw NonFinite(task.Name, loss, total, epoch, step);
                    loss.Total.backward();
                    if (options.GradientClipNorm is { } maxNorm) nn.utils.clip_grad_norm_(trainable.parameters(), maxNorm);
                    optimizer.step();

                    globalStep++;
                    stepsDoneThisRun++;
                    var batch = labels.shape[0];
                    samples += batch;
                    lossSum += total * batch;
                    var report = step % options.ReportEverySteps == 0 || step == stepsPerEpoch;
                    if (report || tensorBoard is not null)
                    {
                        var terms = loss.Terms.ToDictionary(t => t.Name, t => t.Value.ToDouble());
                        foreach (var (name, value) in terms) termSums[name] = termSums.GetValueOrDefault(name) + value * batch;
                        termSamples += batch;
                        var elapsed = runClock.Elapsed.TotalSeconds;
                        var remainingSteps = (options.Epochs - epoch) * stepsPerEpoch + (stepsPerEpoch - step);
                        var eta = TimeSpan.FromSeconds(elapsed / stepsDoneThisRun * remainingSteps);
                        var stepEvent = new StepCompleted(task.Name, epoch, step, stepsPerEpoch, total, terms, learningRate,
                            samples / epochClock.Elapsed.TotalSeconds, eta);
                        tensorBoard?.Step(stepEvent, globalStep);
                        if (report) progress?.Report(stepEvent);
                    }
                }
            }

            EvaluationResult? metrics = null;
            if (evaluation is not null)
            {
                trainable.eval();
                metrics = Evaluator.Evaluate(task.Predict, evaluation, Math.Max(options.BatchSize, 256), device.type == DeviceType.CPU ? null : device);
            }

            // Terms are read on reporting steps only (each read is a sync), so their epoch means are over those steps.
            var sampledTerms = termSums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, termSamples));
            var result = new EpochResult(epoch, lossSum / samples, sampledTerms, learningRate, metrics, epochClock.Elapsed);
            history.Add(result);
            tensorBoard?.Epoch(result);
            // The best weights are written before the checkpoint and the old ones deleted after it (BestWeights), so a crash between loses nothing.
            if (options.EarlyStoppingPatience is { } patience && !best.Offer(result) && epoch - best.Epoch >= patience && epoch < options.Epochs)
                stoppedEarly = true;
            if (checkpointPath is not null)
            {
                Checkpoint.Save(checkpointPath, new Checkpoint.Header(task.Name, fingerprint, epoch, globalStep, history), trainable, optimizer);
                best.CheckpointSaved();
                progress?.Report(new CheckpointSaved(task.Name, epoch, checkpointPath));
            }
            progress?.Report(new EpochCompleted(task.Name, result, options.Epochs));
            if (stoppedEarly) progress?.Report(new StoppedEarly(task.Name, epoch, best.Epoch ?? 0, best.Accuracy, options.EarlyStoppingPatience!.Value));
        }

        trainable.eval();
        if (options.EarlyStoppingPatience is null) return new TrainingResult(history);
        best.Restore();
        return new TrainingResult(history) { BestEpoch = best.Epoch, StoppedEarly = stoppedEarly };
    }

    private static TeacherCache? OpenTeacherCache(ITrainingTask task, LabeledDataset train, TrainingOptions options, Device device, IProgress<TrainingEvent>? progress)
    {
        if (options.TeacherCachePath is not { } path) return null;
        if (task is not ICachedTeacherTask cachedTask)
            throw new ArgumentException($"{task.Name} has no teacher, so TeacherCachePath does not apply; it is for distillation recipes.", nameof(options));
        var (cache, outcome) = TeacherCache.LoadOrBuild(path, cachedTask, train, Math.Max(options.BatchSize, 256), device, options.CacheableAugmentation,
            progress is null ? null : (done, total) => progress.Report(new TeacherCacheBuilding(task.Name, done, total)));
        progress?.Report(new TeacherCacheUsed(task.Name, outcome, path));
        return cache;
    }

    private static Tensor[] ToDevice(Tensor[] tensors, Device device) =>
        device.type == DeviceType.CPU ? tensors : tensors.Select(t => t.to(device)).ToArray();

    private static NonFiniteLossException NonFinite(string run, StepLoss loss, double total, int epoch, long step)
    {
        foreach (var term in loss.Terms)
        {
            var value = term.Value.ToDouble();
            if (!double.IsFinite(value)) return new NonFiniteLossException(run, term.Name, value, epoch, step);
        }
        return new NonFiniteLossException(run, "Total", total, epoch, step);
    }
}
