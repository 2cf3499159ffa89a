using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>The generated training loops on a small synthetic task: they learn, distil, resume, and guard.</summary>
[Collection("Training")] // the NaN-guard recipe has static state; runs in this class must not interleave
public class TrainingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));
    private static readonly LabeledDataset Train = QuadrantData.Create(800, seed: 10);
    private static readonly LabeledDataset Test = QuadrantData.Create(400, seed: 11);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static QuadrantTeacher TrainedTeacher()
    {
        var teacher = new QuadrantTeacher(seed: 1);
        new TrainQuadrantTeacher(teacher).Train(Train);
        return teacher;
    }

    [Fact]
    public void Supervised_training_learns_the_task_and_reports_full_metrics()
    {
        var teacher = new QuadrantTeacher(seed: 1);

        var result = new TrainQuadrantTeacher(teacher).Train(Train, Test);

        Assert.Equal(TrainQuadrantTeacher.DefaultOptions.Epochs, result.Epochs.Count);
        var evaluation = result.Final.Evaluation!;
        Assert.True(evaluation.Accuracy > 0.95, $"accuracy {evaluation.Accuracy}");
        Assert.True(result.Final.TrainLoss < result.Epochs[0].TrainLoss);
        Assert.Equal(400, evaluation.ConfusionMatrix.Sum(row => row.Sum()));
        Assert.Equal(4, evaluation.PerClassAccuracy.Count);
        Assert.Equal(evaluation.Accuracy, evaluation.ConfusionMatrix.Select((row, c) => row[c]).Sum() / 400.0, 12);
        Assert.False(teacher.training);
    }

    [Fact]
    public void Distillation_moves_the_student_toward_the_teacher_and_leaves_the_teacher_bit_identical()
    {
        var teacher = TrainedTeacher();
        var before = teacher.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var student = new QuadrantStudent(seed: 3);
        var recipe = new DistilQuadrants(teacher, student, seed: 4);
        var gapBefore = Disagreement(teacher, student);

        var result = recipe.Train(Train, Test);

        var gapAfter = Disagreement(teacher, student);
        Assert.True(gapAfter < gapBefore / 4, $"KL(teacher || student) on the test set went from {gapBefore} to {gapAfter}");
        Assert.True(result.Final.Evaluation!.Accuracy > 0.9, $"student accuracy {result.Final.Evaluation.Accuracy}");
        Assert.Equal(["SoftTargets", "HardLabels", "HiddenHint"], result.Final.TrainTerms.Keys);
        foreach (var (key, value) in teacher.state_dict())
            Assert.True(before[key].equal(value).all().item<bool>(), $"teacher tensor {key} changed");
    }

    [Fact]
    public void The_same_seed_gives_identical_metrics()
    {
        var teacher = TrainedTeacher();
        TrainingResult Run() => new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Train, Test);

        var first = Run();
        var second = Run();

        Assert.Equal(first.Epochs.Select(e => e.TrainLoss), second.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(first.Epochs.Select(e => e.Evaluation!.Loss), second.Epochs.Select(e => e.Evaluation!.Loss));
    }

    [Fact]
    public void Live_tensors_do_not_grow_across_epochs()
    {
        var teacher = TrainedTeacher();
        var live = new List<long>();
        var progress = new SynchronousProgress<TrainingEvent>(e =>
        {
            if (e is EpochCompleted) live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });

        new DistilQuadrants(teacher, new QuadrantStudent(seed: 3)).Train(Train, Test, DistilQuadrants.DefaultOptions with { Epochs = 6 }, progress);

        Assert.Equal(6, live.Count);
        Assert.True(live[^1] <= live[1], $"live tensors after each epoch: {string.Join(", ", live)}");
    }

    [Fact]
    public void An_interrupted_run_resumes_from_its_checkpoint_and_ends_like_an_uninterrupted_one()
    {
        var teacher = TrainedTeacher();
        var options = DistilQuadrants.DefaultOptions with { CheckpointDirectory = Path.Combine(_directory, "resume") };
        var uninterrupted = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4)
            .Train(Train, Test, DistilQuadrants.DefaultOptions with { CheckpointDirectory = Path.Combine(_directory, "straight") });

        var interrupt = new SynchronousProgress<TrainingEvent>(e =>
        {
            if (e is EpochCompleted { Result.Epoch: 2 }) throw new OperationCanceledException("simulated interruption");
        });
        Assert.Throws<OperationCanceledException>(() =>
            new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Train, Test, options, interrupt));
        Assert.Equal(2, Checkpoint.ReadHeader(Path.Combine(options.CheckpointDirectory!, Checkpoint.FileName)).CompletedEpochs);

        var events = new List<TrainingEvent>();
        var freshStudent = new QuadrantStudent(seed: 99); // different weights: the checkpoint must replace them
        var resumed = new DistilQuadrants(teacher, freshStudent, seed: 98).Train(Train, Test, options, new SynchronousProgress<TrainingEvent>(events.Add));

        Assert.Contains(events, e => e is Resumed { CompletedEpochs: 2 });
        Assert.Equal(2, events.OfType<EpochStarted>().Count());
        Assert.Equal(uninterrupted.Epochs.Select(e => e.TrainLoss), resumed.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(uninterrupted.Epochs.Select(e => e.Evaluation!.Accuracy), resumed.Epochs.Select(e => e.Evaluation!.Accuracy));

        // A retrained (other) teacher makes it another run: its checkpoint is refused, not resumed.
        var otherTeacher = Assert.Throws<InvalidOperationException>(() =>
            new DistilQuadrants(new QuadrantTeacher(seed: 5), new QuadrantStudent(seed: 3), seed: 4).Train(Train, Test, options));
        Assert.Contains("belongs to another run", otherTeacher.Message);
    }

    [Fact]
    public void A_nan_loss_stops_with_the_term_epoch_and_step_and_keeps_the_last_good_checkpoint()
    {
        var teacher = TrainedTeacher();
        var options = ExplodingRecipe.DefaultOptions with { CheckpointDirectory = _directory };
        var checkpoint = Path.Combine(_directory, Checkpoint.FileName);
        var stepsPerEpoch = (int)Train.BatchCount(options.BatchSize);
        ExplodingRecipe.Calls = 0;
        ExplodingRecipe.NaNFromCall = stepsPerEpoch + 3; // epoch 2, step 3
        byte[]? afterEpochOne = null;
        var progress = new SynchronousProgress<TrainingEvent>(e =>
        {
            if (e is CheckpointSaved { Epoch: 1 }) afterEpochOne = File.ReadAllBytes(checkpoint);
        });

        var error = Assert.Throws<NonFiniteLossException>(() =>
            new ExplodingRecipe(teacher, new QuadrantStudent(seed: 3)).Train(Train, null, options, progress));

        Assert.Equal("Exploding", error.Term);
        Assert.Equal(2, error.Epoch);
        Assert.Equal(3, error.Step);
        Assert.Contains("'Exploding'", error.Message);
        Assert.Equal(afterEpochOne, File.ReadAllBytes(checkpoint));
        // The message says where the last good state is, not "the last checkpoint (if any)".
        Assert.Equal((_directory, 1), (error.CheckpointDirectory, error.CompletedEpochs));
        Assert.Contains($"nothing of epoch 2 was saved: the checkpoint in {_directory} holds the state after epoch 1, the last good one", error.Message);

        // Without a checkpoint directory it says that nothing is kept.
        ExplodingRecipe.Calls = 0;
        var unsaved = Assert.Throws<NonFiniteLossException>(() =>
            new ExplodingRecipe(teacher, new QuadrantStudent(seed: 3)).Train(Train, null, options with { CheckpointDirectory = null }));
        Assert.Null(unsaved.CheckpointDirectory);
        Assert.Contains("the run keeps no checkpoint (no CheckpointDirectory), so its progress is lost", unsaved.Message);
        ExplodingRecipe.NaNFromCall = int.MaxValue;
    }

    [Theory]
    [InlineData("Epochs", 0)]
    [InlineData("BatchSize", -1)]
    [InlineData("LearningRate", 0)]
    public void Bad_run_time_overrides_are_refused_with_the_option_named(string option, double value)
    {
        var options = option switch
        {
            "Epochs" => TrainQuadrantTeacher.DefaultOptions with { Epochs = (int)value },
            "BatchSize" => TrainQuadrantTeacher.DefaultOptions with { BatchSize = (int)value },
            _ => TrainQuadrantTeacher.DefaultOptions with { Optimizer = new OptimizerSettings(OptimizerKind.Adam, value) },
        };

        var error = Assert.Throws<ArgumentException>(() => new TrainQuadrantTeacher(new QuadrantTeacher()).Train(Train, null, options));

        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_run_or_a_corrupt_one_is_refused_clearly()
    {
        var options = TrainQuadrantTeacher.DefaultOptions with { CheckpointDirectory = _directory, Epochs = 1 };
        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, options);

        var otherRun = Assert.Throws<InvalidOperationException>(() =>
            new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, options with { Seed = 7 }));
        Assert.Contains("belongs to another run", otherRun.Message);
        // Same options, but other data: also another run.
        var otherData = Assert.Throws<InvalidOperationException>(() =>
            new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(QuadrantData.Create(800, seed: 99), null, options));
        Assert.Contains("belongs to another run", otherData.Message);
        Assert.Single(new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, options).Epochs); // the run itself still resumes

        var path = Path.Combine(_directory, Checkpoint.FileName);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);
        var corrupt = Assert.Throws<InvalidDataException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, options));
        Assert.Contains(path, corrupt.Message);
    }

    [Fact]
    public void TensorBoard_scalars_are_written_when_asked()
    {
        var options = TrainQuadrantTeacher.DefaultOptions with { TensorBoardDirectory = _directory, Epochs = 1 };

        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Test, options);

        var events = Directory.GetFiles(_directory, "events.out.tfevents.*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        Assert.True(new FileInfo(events[0]).Length > 100);
    }

    [Fact]
    public void Teacher_cache_is_created_reused_and_rebuilt_when_stale_and_trains_like_the_online_teacher()
    {
        var teacher = TrainedTeacher();
        var cachePath = Path.Combine(_directory, "teacher.cache");
        var options = DistilQuadrants.DefaultOptions with { Epochs = 2, TeacherCachePath = cachePath };
        TeacherCacheOutcome? Run(QuadrantTeacher t, LabeledDataset data, out TrainingResult result)
        {
            TeacherCacheOutcome? outcome = null;
            var progress = new SynchronousProgress<TrainingEvent>(e => { if (e is TeacherCacheUsed used) outcome = used.Outcome; });
            result = new DistilQuadrants(t, new QuadrantStudent(seed: 3), seed: 4).Train(data, Test, options, progress);
            return outcome;
        }

        Assert.Equal(TeacherCacheOutcome.Created, Run(teacher, Train, out var cached));
        Assert.Equal(TeacherCacheOutcome.Reused, Run(teacher, Train, out var reused));
        Assert.Equal(cached.Epochs.Select(e => e.TrainLoss), reused.Epochs.Select(e => e.TrainLoss));

        var online = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Train, Test, options with { TeacherCachePath = null });
        Assert.Equal(online.Final.TrainLoss, cached.Final.TrainLoss, 4);

        using (no_grad()) teacher.Logits.Layers[0].parameters().First().add_(0.01); // a retrained teacher
        Assert.Equal(TeacherCacheOutcome.Rebuilt, Run(teacher, Train, out _));
        Assert.Equal(TeacherCacheOutcome.Rebuilt, Run(teacher, QuadrantData.Create(800, seed: 12), out _)); // other data
    }

    [Fact]
    public void Teacher_cache_over_every_shift_trains_like_the_online_teacher_on_the_same_shifted_batches()
    {
        var teacher = TrainedTeacher();
        var options = DistilQuadrants.DefaultOptions with { Epochs = 2, EnumerableAugmentation = new RandomShift(1) };
        var cachePath = Path.Combine(_directory, "shifted.cache");
        var events = new List<TrainingEvent>();

        var cached = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4)
            .Train(Train, Test, options with { TeacherCachePath = cachePath }, new SynchronousProgress<TrainingEvent>(events.Add));
        var online = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Train, Test, options);

        Assert.Equal(TeacherCacheOutcome.Created, Assert.Single(events.OfType<TeacherCacheUsed>()).Outcome);
        // The build reports every teacher batch of every shift, before the cache is announced.
        var total = 9 * Train.BatchCount(Math.Max(options.BatchSize, 256));
        var building = events.OfType<TeacherCacheBuilding>().ToList();
        Assert.Equal(Enumerable.Range(1, (int)total).Select(done => (long)done), building.Select(b => b.Done));
        Assert.All(building, b => Assert.Equal(total, b.Total));
        Assert.True(events.IndexOf(building[^1]) < events.FindIndex(e => e is TeacherCacheUsed));
        // 9 shifts of 800 samples, for the two features the terms read (Hidden [64] and Logits [4]).
        Assert.True(new FileInfo(cachePath).Length > 9 * 800 * (64 + 4) * sizeof(float));
        // The same random shifts in the same order: only float rounding of the batched teacher passes differs.
        for (var epoch = 0; epoch < 2; epoch++)
            Assert.Equal(online.Epochs[epoch].TrainLoss, cached.Epochs[epoch].TrainLoss, 4);
        Assert.Equal(online.Final.Evaluation!.Accuracy, cached.Final.Evaluation!.Accuracy, 2);

        // Another augmentation is another cache.
        events.Clear();
        new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4)
            .Train(Train, null, options with { Epochs = 1, TeacherCachePath = cachePath, EnumerableAugmentation = new RandomShift(2) }, new SynchronousProgress<TrainingEvent>(events.Add));
        Assert.Equal(TeacherCacheOutcome.Rebuilt, Assert.Single(events.OfType<TeacherCacheUsed>()).Outcome);
    }

    [Fact]
    public void Teacher_cache_with_an_augmentation_it_cannot_enumerate_or_without_a_teacher_is_refused()
    {
        var withAugmentation = DistilQuadrants.DefaultOptions with { TeacherCachePath = Path.Combine(_directory, "c"), Augmentation = x => x };
        var error = Assert.Throws<ArgumentException>(() => new DistilQuadrants(new QuadrantTeacher(), new QuadrantStudent()).Train(Train, null, withAugmentation));
        Assert.Contains("cannot be combined with this Augmentation: its variants cannot be enumerated", error.Message);
        // A shift as a plain function is not looked into: the cache needs it as an EnumerableAugmentation.
        var shiftFunction = withAugmentation with { Augmentation = RandomShift.Create(1) };
        Assert.Contains("EnumerableAugmentation", Assert.Throws<ArgumentException>(() => new DistilQuadrants(new QuadrantTeacher(), new QuadrantStudent()).Train(Train, null, shiftFunction)).Message);
        var both = DistilQuadrants.DefaultOptions with { Augmentation = x => x, EnumerableAugmentation = new RandomShift(1) };
        Assert.Contains("set one of them", Assert.Throws<ArgumentException>(() => new DistilQuadrants(new QuadrantTeacher(), new QuadrantStudent()).Train(Train, null, both)).Message);

        var supervised = TrainQuadrantTeacher.DefaultOptions with { TeacherCachePath = Path.Combine(_directory, "c") };
        Assert.Contains("has no teacher", Assert.Throws<ArgumentException>(() => new TrainQuadrantTeacher(new QuadrantTeacher()).Train(Train, null, supervised)).Message);
    }

    /// <summary>Mean KL(teacher || student) of the predicted class distributions on the test set.</summary>
    private static double Disagreement(QuadrantTeacher teacher, QuadrantStudent student)
    {
        using var noGrad = no_grad();
        student.eval();
        return DistillationLosses.SoftTargets(student.call(Test.Inputs), teacher.call(Test.Inputs), 1).item<float>();
    }
}
