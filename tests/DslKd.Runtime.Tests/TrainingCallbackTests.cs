using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>The loop's callbacks (hooks, order, replacing the defaults, early stopping on any metric) and the global state a run leaves behind.</summary>
[Collection("Training")]
public class TrainingCallbackTests : IDisposable
{
    private static readonly LabeledDataset Train = QuadrantData.Create(800, seed: 10);
    private static readonly LabeledDataset Test = QuadrantData.Create(400, seed: 11);
    private static readonly LabeledDataset SmallTrain = QuadrantData.Create(48, seed: 20);
    private static readonly LabeledDataset Validation = QuadrantData.Create(200, seed: 21);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Overfits in a few epochs, so the validation loss turns up well before 30 epochs.</summary>
    private static TrainingOptions Overfitting => TrainQuadrantTeacher.DefaultOptions with { Epochs = 30, BatchSize = 16 };

    [Fact]
    public void A_run_seeds_the_global_generator_for_itself_and_leaves_the_callers_state_as_it_was()
    {
        manual_seed(123);
        var before = GeneratorState();
        manual_seed(TrainQuadrantTeacher.DefaultOptions.Seed);
        var seeded = GeneratorState();
        manual_seed(123);
        byte[]? atRunStart = null;
        var probe = new HookProbe { RunStart = _ => atRunStart = GeneratorState() };

        TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), Train, null, TrainQuadrantTeacher.DefaultOptions with { Epochs = 1 }, [probe]);

        Assert.Equal(seeded, atRunStart);
        Assert.Equal(before, GeneratorState());

        // A failed run restores it too.
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, TrainQuadrantTeacher.DefaultOptions, cancellationToken: cancelled.Token));
        Assert.Equal(before, GeneratorState());
    }

    [Fact]
    public void A_run_with_threads_uses_them_and_restores_the_previous_count()
    {
        var before = get_num_threads();
        var threads = before == 1 ? 2 : 1;
        int? duringRun = null;
        var probe = new HookProbe { RunStart = _ => duringRun = get_num_threads() };

        TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), Train, null,
            TrainQuadrantTeacher.DefaultOptions with { Epochs = 1, Threads = threads }, [probe]);

        Assert.Equal(threads, duringRun);
        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void A_user_callback_sees_every_hook_in_order_with_the_published_events()
    {
        var options = TrainQuadrantTeacher.DefaultOptions with { Epochs = 2, BatchSize = 400, CheckpointDirectory = _directory };
        var recorder = new Recorder();

        var result = TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), Train, Test, options, [.. TrainingLoop.DefaultCallbacks(options), recorder]);

        Assert.Equal(
        [
            "run start",
            "epoch 1 start", "step 1.1 (global 1)", "step 1.2 (global 2, reporting)", "CheckpointSaved 1", "epoch 1 end (history 1)",
            "epoch 2 start", "step 2.1 (global 3)", "step 2.2 (global 4, reporting)", "CheckpointSaved 2", "epoch 2 end (history 2)",
            "run end", "teardown",
        ], recorder.Calls);
        Assert.Equal(["HardLabels"], recorder.TermNames.Distinct()); // the supervised recipe's one term, read by the callback
        Assert.Equal(2, result.Epochs.Count);

        // Run again on the finished checkpoint: it resumes with nothing left to train.
        recorder.Calls.Clear();
        TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), Train, Test, options, [.. TrainingLoop.DefaultCallbacks(options), recorder]);
        Assert.Equal(["Resumed 2", "run start", "run end", "teardown"], recorder.Calls);
    }

    [Fact]
    public void A_second_run_on_a_checkpoint_folder_in_use_is_refused_naming_it_and_the_folder_is_free_after_the_first()
    {
        var options = TrainQuadrantTeacher.DefaultOptions with { Epochs = 1, BatchSize = 400, CheckpointDirectory = _directory };
        using (FolderLock.Acquire(_directory, "another run"))
        {
            var refused = Assert.Throws<IOException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Test, options));
            Assert.Contains(Path.GetFullPath(_directory), refused.Message);
            Assert.Contains("another run", refused.Message);
            Assert.False(File.Exists(Path.Combine(_directory, Checkpoint.FileName)));
        }

        var result = new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Test, options);

        Assert.Single(result.Epochs);
        using var free = FolderLock.Acquire(_directory, "after the run"); // the run released it
    }

    [Fact]
    public void Early_stopping_on_the_evaluation_loss_in_min_mode_stops_once_it_has_not_fallen_for_the_patience()
    {
        var losses = new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(SmallTrain, Validation, Overfitting).Epochs.Select(e => e.Evaluation!.Loss).ToList();
        var (expectedStop, expectedBest) = WhereEarlyStoppingStops(losses, patience: 2);
        Assert.True(expectedStop < Overfitting.Epochs, "the validation loss should turn up well before 30 epochs");
        var model = new QuadrantTeacher(seed: 1);
        var events = new List<TrainingEvent>();
        var earlyStopping = new EarlyStoppingCallback(patience: 2, EpochMetric.EvaluationLoss);

        var result = TrainingLoop.Run(new TrainQuadrantTeacher(model), SmallTrain, Validation, Overfitting,
            [earlyStopping, new ProgressCallback(new SynchronousProgress<TrainingEvent>(events.Add))]);

        Assert.Equal(MetricMode.Min, earlyStopping.Metric.Mode);
        Assert.True(result.StoppedEarly);
        Assert.Equal(expectedStop, result.Epochs.Count);
        Assert.Equal(expectedBest, result.BestEpoch);
        Assert.Equal(losses.Take(expectedStop), result.Epochs.Select(e => e.Evaluation!.Loss));
        Assert.Equal(losses[expectedBest - 1], Evaluator.Evaluate(model.call, Validation, 256).Loss, 12); // the best epoch's weights
        var stopped = Assert.Single(events.OfType<StoppedEarly>());
        Assert.Equal((expectedStop, expectedBest, "evaluation loss", losses[expectedBest - 1]), (stopped.Epoch, stopped.BestEpoch, stopped.Metric, stopped.BestValue));
    }

    [Fact]
    public void Replacing_a_default_callback_changes_only_what_it_did()
    {
        var options = Overfitting with { EarlyStoppingPatience = 2, CheckpointDirectory = _directory };
        var events = new List<TrainingEvent>();
        var callbacks = TrainingLoop.DefaultCallbacks(options, new SynchronousProgress<TrainingEvent>(events.Add));
        callbacks[callbacks.FindIndex(c => c is EarlyStoppingCallback)] = new EarlyStoppingCallback(2, EpochMetric.EvaluationLoss);
        var losses = new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(SmallTrain, Validation, Overfitting).Epochs.Select(e => e.Evaluation!.Loss).ToList();

        var result = TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), SmallTrain, Validation, options, callbacks);

        Assert.Equal(WhereEarlyStoppingStops(losses, patience: 2), (result.Epochs.Count, result.BestEpoch!.Value)); // the loss decided, not the accuracy
        Assert.Equal(result.Epochs.Count, Checkpoint.ReadHeader(Path.Combine(_directory, Checkpoint.FileName)).CompletedEpochs); // the defaults still ran
        Assert.Equal([$"best-{result.BestEpoch}.dkd"], Directory.GetFiles(_directory, "best-*.dkd").Select(Path.GetFileName));
        Assert.Equal(result.Epochs.Count, events.OfType<EpochCompleted>().Count());

        // Without the checkpoint callback in the list, the checkpoint directory is not written to.
        var elsewhere = Path.Combine(_directory, "unused");
        var withoutCheckpoints = options with { CheckpointDirectory = elsewhere, EarlyStoppingPatience = null, Epochs = 1 };
        TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), SmallTrain, Validation, withoutCheckpoints,
            TrainingLoop.DefaultCallbacks(withoutCheckpoints).Where(c => c is not CheckpointCallback));
        Assert.False(Directory.Exists(elsewhere));
    }

    [Fact]
    public void The_default_callbacks_follow_the_options_in_order()
    {
        var everything = DistilQuadrants.DefaultOptions with
        {
            EarlyStoppingPatience = 3, CheckpointDirectory = "checkpoints", TeacherCachePath = "teacher.cache", TensorBoardDirectory = "logs",
        };

        var callbacks = TrainingLoop.DefaultCallbacks(everything, new SynchronousProgress<TrainingEvent>(_ => { }));

        Assert.Equal([typeof(EarlyStoppingCallback), typeof(CheckpointCallback), typeof(TeacherCacheCallback), typeof(TensorBoardCallback), typeof(DivergenceWarningCallback), typeof(ProgressCallback)],
            callbacks.Select(c => c.GetType()));
        Assert.Equal((3, EpochMetric.EvaluationAccuracy), (((EarlyStoppingCallback)callbacks[0]).Patience, ((EarlyStoppingCallback)callbacks[0]).Metric));
        Assert.Empty(TrainingLoop.DefaultCallbacks(DistilQuadrants.DefaultOptions));
    }

    [Fact]
    public void A_run_that_diverges_with_finite_losses_is_warned_about_once_and_a_healthy_run_never()
    {
        // A learning rate a million times too high: the losses climb by orders of magnitude but stay finite, so the NaN
        // guard never fires and the run would end as if it had succeeded.
        var diverging = TrainQuadrantTeacher.DefaultOptions with { Epochs = 3, Optimizer = new OptimizerSettings(OptimizerKind.Adam, 1e6) };
        var events = new List<TrainingEvent>();

        var result = new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, diverging, new SynchronousProgress<TrainingEvent>(events.Add));

        var warning = Assert.Single(events.OfType<DivergenceWarning>());
        Assert.True(result.Epochs.All(e => double.IsFinite(e.TrainLoss)));
        Assert.Equal(result.Epochs[warning.Epoch - 1].TrainLoss, warning.TrainLoss);
        Assert.True(warning.TrainLoss > DivergenceWarningCallback.DefaultFactor * warning.ReferenceLoss);
        Assert.InRange(warning.ReferenceLoss, 0.5 * Math.Log(4), 2 * Math.Log(4)); // the untrained model's cross-entropy over 4 classes
        Assert.Contains($"TrainQuadrantTeacher: training is diverging: the mean training loss of epoch {warning.Epoch} is", warning.Message);
        // Published before the epoch it concerns is reported, like a checkpoint.
        Assert.IsType<EpochCompleted>(events[events.IndexOf(warning) + 1]);

        var healthy = new List<TrainingEvent>();
        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, TrainQuadrantTeacher.DefaultOptions, new SynchronousProgress<TrainingEvent>(healthy.Add));
        Assert.Empty(healthy.OfType<DivergenceWarning>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DivergenceWarningCallback(1));
    }

    [Fact]
    public void Early_stopping_after_the_checkpoint_callback_is_refused()
    {
        var options = Overfitting with { Epochs = 2, CheckpointDirectory = _directory };

        var error = Assert.Throws<InvalidOperationException>(() => TrainingLoop.Run(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)), SmallTrain, Validation, options,
            [new CheckpointCallback(_directory), new EarlyStoppingCallback(2)]));

        Assert.Contains("must come before the checkpoint callback", error.Message);
    }

    /// <summary>Where early stopping on a falling metric must stop: (epochs trained, best epoch).</summary>
    private static (int Stop, int Best) WhereEarlyStoppingStops(IReadOnlyList<double> losses, int patience)
    {
        var best = 1;
        for (var epoch = 2; epoch <= losses.Count; epoch++)
        {
            if (losses[epoch - 1] < losses[best - 1]) best = epoch;
            else if (epoch - best >= patience && epoch < losses.Count) return (epoch, best);
        }
        return (losses.Count, best);
    }

    private static byte[] GeneratorState()
    {
        using var state = random.get_rng_state();
        return state.data<byte>().ToArray();
    }

    private sealed class HookProbe : TrainingCallback
    {
        public Action<TrainingContext>? RunStart { get; init; }

        public override void OnRunStart(TrainingContext context) => RunStart?.Invoke(context);
    }

    private sealed class Recorder : TrainingCallback
    {
        public List<string> Calls { get; } = [];
        public List<string> TermNames { get; } = [];

        public override void OnRunStart(TrainingContext context) => Calls.Add("run start");

        public override void OnEpochStart(TrainingContext context) => Calls.Add($"epoch {context.Epoch} start");

        public override void OnStepEnd(TrainingContext context, TrainingStep step)
        {
            Assert.Equal(context.GlobalStep, step.GlobalStep);
            Calls.Add($"step {step.Epoch}.{step.Step} (global {step.GlobalStep}{(step.IsReportingStep ? ", reporting" : "")})");
            TermNames.AddRange(step.Terms.Keys);
        }

        public override void OnEpochEnd(TrainingContext context, EpochResult result) => Calls.Add($"epoch {result.Epoch} end (history {context.History.Count})");

        public override void OnRunEnd(TrainingContext context) => Calls.Add("run end");

        public override void OnEvent(TrainingContext context, TrainingEvent trainingEvent) => Calls.Add(trainingEvent switch
        {
            CheckpointSaved saved => $"CheckpointSaved {saved.Epoch}",
            Resumed resumed => $"Resumed {resumed.CompletedEpochs}",
            _ => trainingEvent.GetType().Name,
        });

        public override void OnTeardown(TrainingContext context) => Calls.Add("teardown");
    }
}
