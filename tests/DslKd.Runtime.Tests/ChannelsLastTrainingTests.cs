using DslKd.Export;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static DslKd.Runtime.Tests.FaultInjection;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>A small CNN with BatchNorm and no convolution bias (a bias before BatchNorm only carries rounding noise).</summary>
[Model(InputShape = [3, 8, 8], Classes = 4)]
public partial class BatchNormCnn
{
    [Conv2d(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Stem { get; }

    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU, MaxPool2d(2)]
    public partial Block Body { get; }

    [Flatten, Linear(4)]
    public partial Block Logits { get; }
}

[Supervised<BatchNormCnn>]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-2)]
[Epochs(2), BatchSize(16), Seed(3)]
public partial class TrainBatchNormCnn;

/// <summary>
/// <see cref="TrainingOptions.ChannelsLast"/>: the loop trains channels-last to the losses of the default layout, and
/// everything that writes or restores tensors (model files, checkpoints with Adam's moments, best weights, the teacher
/// cache, exported weights) gives the same bytes and values in either layout.
/// </summary>
[Collection("Training")]
public class ChannelsLastTrainingTests : IDisposable
{
    private static readonly LabeledDataset Train = ThreeChannelQuadrants(96, seed: 50);
    private static readonly LabeledDataset Validation = ThreeChannelQuadrants(64, seed: 51);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    public ChannelsLastTrainingTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static TrainingOptions On(TrainingOptions options) => options with { ChannelsLast = true };


    [Fact]
    public void Two_epochs_channels_last_give_the_losses_of_the_default_layout()
    {
        var plain = new TrainBatchNormCnn(new BatchNormCnn(seed: 1)).Train(Train, Validation);
        var model = new BatchNormCnn(seed: 1);
        var channelsLast = new TrainBatchNormCnn(model).Train(Train, Validation, On(TrainBatchNormCnn.DefaultOptions));

        Assert.Equal(2, channelsLast.Epochs.Count);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            AssertClose(plain.Epochs[epoch].TrainLoss, channelsLast.Epochs[epoch].TrainLoss, $"epoch {epoch + 1} training loss");
            AssertClose(plain.Epochs[epoch].Evaluation!.Loss, channelsLast.Epochs[epoch].Evaluation!.Loss, $"epoch {epoch + 1} evaluation loss");
        }
        // The model leaves the run in the layout it came in.
        Assert.All(model.parameters(), p => Assert.True(p.dim() != 4 || (p.is_contiguous() && !p.IsChannelsLast())));
    }

    [Fact]
    public void A_module_already_channels_last_stays_so_after_a_run()
    {
        var model = new BatchNormCnn(seed: 1);
        model.ToChannelsLast();
        new TrainBatchNormCnn(model).Train(Train, null, On(TrainBatchNormCnn.DefaultOptions with { Epochs = 1 }));
        Assert.True(model.Body.Layers[0].parameters().First().IsChannelsLast());
    }

    [Fact]
    public void Weights_trained_channels_last_save_load_and_export_as_in_the_default_layout()
    {
        var model = new BatchNormCnn(seed: 2);
        new TrainBatchNormCnn(model).Train(Train, null, On(TrainBatchNormCnn.DefaultOptions with { Epochs = 1 }));
        Assert.False(model.Body.Layers[0].parameters().First().IsChannelsLast(), "the run converts the model back");
        // Laid out channels-last again, as inside a run (a callback saving it), or by hand.
        model.ToChannelsLast();
        var stem = model.Stem.Layers[0].parameters().First();
        var body = model.Body.Layers[0].parameters().First();
        {
            Assert.True(stem.IsChannelsLast() && !stem.is_contiguous(), "the first convolution's weight [8, 3, 3, 3]");
            Assert.True(body.IsChannelsLast() && !body.is_contiguous(), "the second convolution's weight [16, 8, 3, 3]");
        }
        // The same values in the default layout (load_state_dict copies values into the tensors as they are laid out).
        var plain = new BatchNormCnn(seed: 3);
        plain.load_state_dict(model.state_dict());
        Assert.False(plain.Body.Layers[0].parameters().First().IsChannelsLast());
        Assert.True(SameState(model, plain));

        // Model files: the same bytes, and they load into either layout.
        var (channelsLastFile, plainFile) = (Path.Combine(_directory, "cl.dkd"), Path.Combine(_directory, "plain.dkd"));
        ModelFile.Save(model, channelsLastFile, "metadata");
        ModelFile.Save(plain, plainFile, "metadata");
        Assert.Equal(File.ReadAllBytes(plainFile), File.ReadAllBytes(channelsLastFile));
        var fresh = new BatchNormCnn(seed: 4);
        ModelFile.Load(fresh, channelsLastFile);
        var freshChannelsLast = new BatchNormCnn(seed: 5);
        freshChannelsLast.ToChannelsLast();
        ModelFile.Load(freshChannelsLast, plainFile);
        Assert.True(SameState(plain, fresh));
        Assert.True(SameState(plain, freshChannelsLast));
        Assert.True(freshChannelsLast.Body.Layers[0].parameters().First().IsChannelsLast(), "loading kept the layout");
        foreach (var m in new nn.Module[] { model, plain, fresh, freshChannelsLast }) m.eval();
        using (no_grad())
        {
            var images = Validation.Inputs;
            using var expected = plain.call(images);
            using var fromFile = fresh.call(images);
            using var trained = model.call(images.ToChannelsLast());
            using var loadedChannelsLast = freshChannelsLast.call(images.ToChannelsLast());
            Assert.True(expected.equal(fromFile).all().item<bool>(), "a default-layout model loaded from the channels-last model's file");
            Assert.True(expected.allclose(trained, rtol: 1e-5, atol: 1e-6));
            Assert.True(trained.equal(loadedChannelsLast).all().item<bool>(), "a channels-last model loaded from the default model's file");
        }

        // PyTorch's formats and ONNX: the same bytes.
        foreach (var extension in new[] { ".safetensors", ".pt" })
        {
            var (a, b) = (Path.Combine(_directory, "cl" + extension), Path.Combine(_directory, "plain" + extension));
            PyTorchWeights.Save(model, a);
            PyTorchWeights.Save(plain, b);
            Assert.Equal(File.ReadAllBytes(b), File.ReadAllBytes(a));
        }
        Assert.Equal(OnnxExport.ToBytes(plain), OnnxExport.ToBytes(model));
    }

    [Fact]
    public void A_checkpoint_of_a_channels_last_model_and_its_Adam_moments_has_the_bytes_of_the_default_layout_and_restores_into_either()
    {
        // One default-layout model and optimizer with a non-trivial Adam state.
        var plain = new BatchNormCnn(seed: 6);
        using var plainOptimizer = optim.Adam(plain.parameters(), 1e-2);
        plain.train();
        for (var step = 0; step < 2; step++)
        {
            using var scope = NewDisposeScope();
            plainOptimizer.zero_grad();
            nn.functional.cross_entropy(plain.call(Train.Inputs.narrow(0, 0, 32)), Train.Labels.narrow(0, 0, 32)).backward();
            plainOptimizer.step();
        }
        var header = new Checkpoint.Header("run", "identity", 1, 2, [new EpochResult(1, 1.0, new Dictionary<string, double>(), 1e-2, null, TimeSpan.Zero)]);
        var plainPath = Path.Combine(_directory, "plain.ckpt");
        Checkpoint.Save(plainPath, header, plain, plainOptimizer);

        // A channels-last model whose optimizer is created after the conversion, as the loop does it: channels-last moments.
        var model = new BatchNormCnn(seed: 7);
        model.ToChannelsLast();
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        var moments = Moments(optimizer);
        Assert.Contains(moments, m => m.IsChannelsLast() && !m.is_contiguous());

        Checkpoint.Restore(plainPath, model, optimizer);
        var channelsLastPath = Path.Combine(_directory, "cl.ckpt");
        Checkpoint.Save(channelsLastPath, header, model, optimizer);

        Assert.True(SameState(plain, model));
        Assert.True(moments.Zip(Moments(optimizer)).All(p => ReferenceEquals(p.First, p.Second)), "the moments were replaced, not restored in place");
        foreach (var (restored, original) in Moments(optimizer).Zip(Moments(plainOptimizer)))
        {
            Assert.True(restored.equal(original).all().item<bool>(), "an Adam moment differs from the one saved");
            Assert.Equal(original.dim() == 4 && original.shape[1] > 1, restored.IsChannelsLast() && !restored.is_contiguous());
        }
        Assert.Equal(File.ReadAllBytes(plainPath), File.ReadAllBytes(channelsLastPath));
        // And back into a default-layout model and optimizer.
        var again = new BatchNormCnn(seed: 8);
        using var againOptimizer = optim.Adam(again.parameters(), 1e-2);
        Checkpoint.Restore(channelsLastPath, again, againOptimizer);
        Assert.True(SameState(plain, again));
        Assert.True(Moments(againOptimizer).Zip(Moments(plainOptimizer)).All(p => p.First.equal(p.Second).all().item<bool>()));
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    [InlineData(OptimizerKind.Sgd)]
    public void A_channels_last_run_resumed_from_its_checkpoint_ends_like_an_uninterrupted_one(OptimizerKind optimizer)
    {
        // SGD with momentum: its momentum buffers are created from the (channels-last) gradients at the first step.
        var settings = new OptimizerSettings(optimizer, optimizer == OptimizerKind.Sgd ? 0.05 : 1e-2) { Momentum = optimizer == OptimizerKind.Sgd ? 0.9 : 0 };
        var options = On(TrainBatchNormCnn.DefaultOptions with { Epochs = 3, Optimizer = settings });
        var uninterrupted = new BatchNormCnn(seed: 9);
        var expected = new TrainBatchNormCnn(uninterrupted).Train(Train, Validation, options with { CheckpointDirectory = Path.Combine(_directory, "straight") });

        var resumedOptions = options with { CheckpointDirectory = Path.Combine(_directory, "resumed") };
        using (var cts = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress<TrainingEvent>(e => { if (e is EpochCompleted { Result.Epoch: 1 }) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() =>
                new TrainBatchNormCnn(new BatchNormCnn(seed: 9)).Train(Train, Validation, resumedOptions, progress, cts.Token));
        }
        Assert.Equal(1, Checkpoint.ReadHeader(Path.Combine(resumedOptions.CheckpointDirectory!, Checkpoint.FileName)).CompletedEpochs);
        var events = new List<TrainingEvent>();
        var resumed = new BatchNormCnn(seed: 99); // other weights: the checkpoint replaces them
        var result = new TrainBatchNormCnn(resumed).Train(Train, Validation, resumedOptions, new SynchronousProgress<TrainingEvent>(events.Add));

        Assert.Contains(events, e => e is Resumed { CompletedEpochs: 1 });
        Assert.Equal(expected.Epochs.Select(e => e.TrainLoss), result.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(expected.Epochs.Select(e => e.Evaluation!.Loss), result.Epochs.Select(e => e.Evaluation!.Loss));
        Assert.True(SameState(uninterrupted, resumed), "the resumed run's weights differ from the uninterrupted run's");
    }

    [Fact]
    public void Early_stopping_leaves_a_channels_last_model_with_its_best_weights_also_after_a_resume()
    {
        var train = ThreeChannelQuadrants(48, seed: 52);
        var options = On(TrainBatchNormCnn.DefaultOptions with { Epochs = 30, EarlyStoppingPatience = 2 });
        var model = new BatchNormCnn(seed: 10);

        var result = new TrainBatchNormCnn(model).Train(train, Validation, options);

        Assert.True(result.StoppedEarly, "48 samples should stop improving well before 30 epochs");
        var accuracies = result.Epochs.Select(e => e.Evaluation!.Accuracy).ToList();
        Assert.Equal(accuracies.IndexOf(accuracies.Max()) + 1, result.BestEpoch);
        // The model holds the best epoch's weights (evaluated as the loop does, on channels-last inputs), back in the default layout.
        Assert.Equal(accuracies.Max(), Evaluator.Evaluate(x => model.call(x.ToChannelsLast()), Validation, 256).Accuracy);
        Assert.False(model.Body.Layers[0].parameters().First().IsChannelsLast());

        // Interrupted one epoch after its best: the resumed run gets the best weights back from the best-weights file.
        var checkpointed = options with { CheckpointDirectory = _directory };
        var resumed = new BatchNormCnn(seed: 10);
        using (var cts = new CancellationTokenSource())
        {
            var stopAt = result.BestEpoch!.Value + 1;
            var progress = new SynchronousProgress<TrainingEvent>(e => { if (e is EpochCompleted { Result.Epoch: var done } && done == stopAt) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => new TrainBatchNormCnn(resumed).Train(train, Validation, checkpointed, progress, cts.Token));
        }
        var again = new TrainBatchNormCnn(resumed).Train(train, Validation, checkpointed);

        Assert.Equal(result.BestEpoch, again.BestEpoch);
        Assert.Equal(accuracies, again.Epochs.Select(e => e.Evaluation!.Accuracy));
        Assert.True(SameState(model, resumed), "the resumed run does not end with the uninterrupted run's best weights");
    }

    [Fact]
    public void An_online_teacher_distils_channels_last_to_the_losses_of_the_default_layout_and_is_handed_back_as_it_came()
    {
        var train = Digits();
        var options = CnnToSmallCnn.DefaultOptions with { Epochs = 1, BatchSize = 16 };
        var teacher = new WideCnn(seed: 1);
        var before = Snapshot(teacher);

        var plain = new CnnToSmallCnn(teacher, new SmallCnn(seed: 2), seed: 3).Train(train, null, options);
        var ranChannelsLast = false;
        var channelsLast = new CnnToSmallCnn(teacher, new SmallCnn(seed: 2), seed: 3).Train(train, null, On(options),
            new SynchronousProgress<TrainingEvent>(e => { if (e is EpochStarted) ranChannelsLast = teacher.Body.Layers[0].parameters().First().IsChannelsLast(); }));

        Assert.True(ranChannelsLast, "the online teacher runs channels-last");
        AssertClose(plain.Final.TrainLoss, channelsLast.Final.TrainLoss, "training loss");
        foreach (var (name, value) in plain.Final.TrainTerms) AssertClose(value, channelsLast.Final.TrainTerms[name], name, relative: 1e-3);
        Assert.True(Unchanged(teacher, before), "the teacher's values changed");
        Assert.False(teacher.Body.Layers[0].parameters().First().IsChannelsLast(), "the online teacher is converted back after the run");
    }

    [Fact]
    public void A_cached_teacher_distils_channels_last_to_the_losses_of_the_default_layout_from_the_same_cache_file()
    {
        var train = Digits();
        var options = CnnToSmallCnn.DefaultOptions with { Epochs = 1, BatchSize = 16 };
        var (plainCache, channelsLastCache) = (Path.Combine(_directory, "plain.cache"), Path.Combine(_directory, "cl.cache"));
        var teacher = new WideCnn(seed: 1);

        var plain = new CnnToSmallCnn(teacher, new SmallCnn(seed: 2), seed: 3).Train(train, null, options with { TeacherCachePath = plainCache });
        var events = new List<TrainingEvent>();
        var channelsLast = new CnnToSmallCnn(teacher, new SmallCnn(seed: 2), seed: 3)
            .Train(train, null, On(options with { TeacherCachePath = channelsLastCache }), new SynchronousProgress<TrainingEvent>(events.Add));

        Assert.Equal(TeacherCacheOutcome.Created, Assert.Single(events.OfType<TeacherCacheUsed>()).Outcome);
        // The cached features include the teacher's 4-D maps (Stem, Body): stored in the default layout, computed as a
        // default-layout teacher computes them, so the file is the same.
        Assert.Equal(File.ReadAllBytes(plainCache), File.ReadAllBytes(channelsLastCache));
        AssertClose(plain.Final.TrainLoss, channelsLast.Final.TrainLoss, "training loss");
        Assert.False(teacher.Body.Layers[0].parameters().First().IsChannelsLast(), "a cached teacher is not converted");

        // A channels-last teacher (converted by an earlier online run) builds the same file too.
        teacher.ToChannelsLast();
        var rebuilt = Path.Combine(_directory, "rebuilt.cache");
        new CnnToSmallCnn(teacher, new SmallCnn(seed: 2), seed: 3).Train(train, null, On(options with { TeacherCachePath = rebuilt }));
        Assert.Equal(File.ReadAllBytes(plainCache), File.ReadAllBytes(rebuilt));
        Assert.True(teacher.Body.Layers[0].parameters().First().IsChannelsLast(), "building the cache restored the teacher's layout");
    }

    [Fact]
    public void Token_and_sequence_models_train_with_the_option_exactly_as_without_it()
    {
        // Token ids [B, 12] (int64): a transformer teacher and a GRU student.
        using var tokens = LabeledDataset.FromTokenSequences(
            Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, 3 + i % 9).Select(j => 1 + (i * 7 + j * 3) % 19).ToArray()).ToList(),
            Enumerable.Range(0, 64).Select(i => i % 2).ToList(), length: 12, paddingIndex: 0, classes: 2);
        var tokenOptions = TrainTokenTeacher.DefaultOptions with { Epochs = 1 };
        var tokenPlain = new TrainTokenTeacher(new TokenAttentionTeacher(seed: 1)).Train(tokens, tokens, tokenOptions);
        var tokenOn = new TrainTokenTeacher(new TokenAttentionTeacher(seed: 1)).Train(tokens, tokens, On(tokenOptions));
        Assert.Equal(tokenPlain.Final.TrainLoss, tokenOn.Final.TrainLoss);
        Assert.Equal(tokenPlain.Final.Evaluation!.Loss, tokenOn.Final.Evaluation!.Loss);

        // Float sequences [B, 28, 28] (3-D): LSTM, attention, GRU.
        using var rows = new LabeledDataset(randn([48, 28, 28], generator: new Generator(53)), randint(0, 3, [48], generator: new Generator(54)), classes: 3);
        var rowOptions = new TrainingOptions { Epochs = 1, BatchSize = 16, Seed = 5 };
        TrainingResult Rows(bool on)
        {
            using var seed = SeedScope.Enter(6);
            return TrainingLoop.Run(new ModuleTask(new EverySequenceLayer()), rows, rows, rowOptions with { ChannelsLast = on });
        }
        var rowsPlain = Rows(on: false);
        var rowsOn = Rows(on: true);
        Assert.Equal(rowsPlain.Final.TrainLoss, rowsOn.Final.TrainLoss);
        Assert.Equal(rowsPlain.Final.Evaluation!.Loss, rowsOn.Final.Evaluation!.Loss);
    }

    [Theory]
    [InlineData("small_cnn.traced.pt", "small_cnn")]
    [InlineData("small_cnn.scripted.pt", "small_cnn")]
    [InlineData("tiny_resnet.traced.pt", "tiny_resnet")]
    public void A_torchscript_teacher_converted_channels_last_still_computes_pytorchs_logits(string file, string model)
    {
        nn.Module<Tensor, Tensor> declared = model == "small_cnn" ? new ScriptedCnn() : new ScriptedTinyResNet();
        TorchScriptLayer.Load(declared, PyTorchImportTests.Fixture(file));
        var (input, expected) = PyTorchImportTests.InputsAndLogits(model);

        var converted = declared.ToChannelsLast();

        Assert.True(converted > 0, "the TorchScript module's convolution weights are the model's parameters");
        using (no_grad())
        {
            var difference = PyTorchImportTests.MaxDifference(declared.call(input.ToChannelsLast()), expected);
            Assert.True(difference < 1e-5, $"{file}: logits differ by {difference}");
        }
    }

    [Fact]
    public void Only_4D_floating_point_inputs_are_converted()
    {
        using var scope = NewDisposeScope();
        var images = randn(2, 3, 4, 4);
        var tokens = randint(0, 5, [2, 3, 4, 4]);
        var sequences = randn(2, 5, 7);

        Assert.True(ChannelsLast.ImagesToChannelsLast(images).IsChannelsLast());
        Assert.Same(tokens, ChannelsLast.ImagesToChannelsLast(tokens));
        Assert.Same(sequences, ChannelsLast.ImagesToChannelsLast(sequences));
    }

    [Fact]
    public void A_module_converted_back_to_the_default_format_is_laid_out_as_before_including_single_channel_weights()
    {
        var model = new WideCnn(seed: 11); // Stem's weight is [32, 1, 3, 3]: channels-last by its strides only
        var strides = model.parameters().Select(p => p.stride()).ToList();
        var before = Snapshot(model);

        var converted = model.ToChannelsLast();
        var back = model.ToDefaultFormat();

        Assert.Equal(converted, back);
        Assert.Equal(strides, model.parameters().Select(p => p.stride()));
        Assert.True(Unchanged(model, before));
        // TorchSharp's own save takes it again.
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true)) model.save(writer);
        Assert.Equal(ModelFile.StateOf(model), memory.ToArray());
    }

    private static List<Tensor> Moments(OptimizerHelper optimizer) =>
        optimizer.state_dict().State.Cast<Adam.State>().SelectMany(s => new[] { s.exp_avg, s.exp_avg_sq }).ToList();

    private static void AssertClose(double expected, double actual, string what, double relative = 1e-4) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"{what}: {actual} channels-last, {expected} in the default layout");

    /// <summary>The quadrant task on three channels: the quadrant's signal in every channel, with independent noise.</summary>
    private static LabeledDataset ThreeChannelQuadrants(int count, long seed)
    {
        // Static data may first be touched inside a test's dispose scope: its tensors must not belong to it.
        using var quadrants = QuadrantData.Create(count, seed);
        using var noise = randn([count, 3, 8, 8], generator: new Generator((ulong)seed + 1000)).mul_(0.5);
        var images = quadrants.Inputs.expand(count, 3, 8, 8).add(noise).DetachFromDisposeScope();
        return new LabeledDataset(images, quadrants.Labels.clone().DetachFromDisposeScope(), classes: 4);
    }

    /// <summary>64 random 1x28x28 images in 10 classes, for WideCnn and SmallCnn.</summary>
    private static LabeledDataset Digits() =>
        new(rand([64, 1, 28, 28], generator: new Generator(55)), randint(0, 10, [64], generator: new Generator(56)), classes: 10);
}
