using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>Early stopping on a validation split: stops after the patience runs out and keeps the best epoch's weights.</summary>
[Collection("Training")]
public class EarlyStoppingTests : IDisposable
{
    private static readonly LabeledDataset Train = QuadrantData.Create(48, seed: 20);
    private static readonly LabeledDataset Validation = QuadrantData.Create(200, seed: 21);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static TrainingOptions Options => TrainQuadrantTeacher.DefaultOptions with { Epochs = 30, BatchSize = 16, EarlyStoppingPatience = 2 };

    [Fact]
    public void Stops_once_validation_accuracy_has_not_improved_for_the_patience_and_keeps_the_best_weights()
    {
        var model = new QuadrantTeacher(seed: 1);
        var events = new List<TrainingEvent>();

        var result = new TrainQuadrantTeacher(model).Train(Train, Validation, Options, new SynchronousProgress<TrainingEvent>(events.Add));

        Assert.True(result.StoppedEarly, "48 samples should stop improving well before 30 epochs");
        var accuracies = result.Epochs.Select(e => e.Evaluation!.Accuracy).ToList();
        var best = accuracies.IndexOf(accuracies.Max()) + 1;
        Assert.Equal(best, result.BestEpoch);
        Assert.Equal(best + 2, result.Epochs.Count);
        Assert.Equal(result.Kept, result.Epochs[best - 1]);
        // The model holds the best epoch's weights, not the last epoch's.
        var now = Evaluator.Evaluate(model.call, Validation, 256);
        Assert.Equal(accuracies.Max(), now.Accuracy);
        var stopped = Assert.Single(events.OfType<StoppedEarly>());
        Assert.Equal((best + 2, best, 2), (stopped.Epoch, stopped.BestEpoch, stopped.Patience));
    }

    [Fact]
    public void A_resumed_run_ends_with_the_same_best_weights_as_an_uninterrupted_one()
    {
        var uninterrupted = new QuadrantTeacher(seed: 1);
        var expected = new TrainQuadrantTeacher(uninterrupted).Train(Train, Validation, Options);

        var options = Options with { CheckpointDirectory = _directory };
        // Interrupted one epoch after its best, so the resumed run must get the best weights back from the checkpoint folder.
        var resumed = new QuadrantTeacher(seed: 1);
        InterruptAfter(resumed, options, expected.BestEpoch!.Value + 1);

        var result = new TrainQuadrantTeacher(resumed).Train(Train, Validation, options);

        Assert.Equal(expected.BestEpoch, result.BestEpoch);
        Assert.Equal(expected.Epochs.Select(e => e.Evaluation!.Accuracy), result.Epochs.Select(e => e.Evaluation!.Accuracy));
        foreach (var (name, tensor) in uninterrupted.state_dict())
            Assert.True(tensor.equal(resumed.state_dict()[name]).all().item<bool>(), $"{name} differs from the uninterrupted run's best weights");
    }

    [Fact]
    public void A_crash_between_writing_new_best_weights_and_the_checkpoint_loses_nothing()
    {
        var uninterrupted = new QuadrantTeacher(seed: 1);
        var expected = new TrainQuadrantTeacher(uninterrupted).Train(Train, Validation, Options);

        var options = Options with { CheckpointDirectory = _directory };
        var resumed = new QuadrantTeacher(seed: 1);
        var cut = expected.BestEpoch!.Value + 1;
        InterruptAfter(resumed, options, cut);
        // What a crash right after the next epoch's best weights were written, before its checkpoint, leaves behind.
        new QuadrantTeacher(seed: 5).save(Path.Combine(_directory, $"best-{cut + 1}.dkd"));

        var result = new TrainQuadrantTeacher(resumed).Train(Train, Validation, options);

        Assert.Equal(expected.BestEpoch, result.BestEpoch);
        foreach (var (name, tensor) in uninterrupted.state_dict())
            Assert.True(tensor.equal(resumed.state_dict()[name]).all().item<bool>(), $"{name} differs from the uninterrupted run's best weights");
        Assert.Equal([$"best-{expected.BestEpoch}.dkd"], Directory.GetFiles(_directory, "best-*.dkd").Select(Path.GetFileName));
    }

    private static void InterruptAfter(QuadrantTeacher model, TrainingOptions options, int epoch)
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingEvent>(e => { if (e is EpochCompleted { Result.Epoch: var done } && done == epoch) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => new TrainQuadrantTeacher(model).Train(Train, Validation, options, progress, cts.Token));
    }

    [Fact]
    public void Early_stopping_without_an_evaluation_set_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, Options));
        Assert.Contains("EarlyStoppingPatience needs an evaluation set", error.Message);
        Assert.Throws<ArgumentException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Validation, Options with { EarlyStoppingPatience = 0 }));
    }
}
