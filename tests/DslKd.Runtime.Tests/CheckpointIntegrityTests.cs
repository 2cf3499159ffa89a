using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static DslKd.Runtime.Tests.FaultInjection;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Damaged, edited, old and half-written checkpoints and best-weights files, in process: each is refused with a managed
/// exception naming the file (never a native abort, never a silent resume with other numbers), and a full disk or a
/// killed writer loses nothing that was saved before.
/// </summary>
[Collection("Training")]
public class CheckpointIntegrityTests : IDisposable
{
    private static readonly LabeledDataset Train = QuadrantData.Create(200, seed: 30);
    private static readonly LabeledDataset Validation = QuadrantData.Create(100, seed: 31);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string CheckpointPath => Path.Combine(_directory, Checkpoint.FileName);

    private TrainingOptions Options => TrainQuadrantTeacher.DefaultOptions with { CheckpointDirectory = _directory, Epochs = 1 };

    public enum Damage
    {
        TruncatedByOneByte,
        TruncatedInTheHeader,
        TruncatedInTheWeights,
        TruncatedToTheMagic,
        Empty,
        HeaderBitFlip,
        HistoryEdited,
        WeightsBitFlip,
        OptimizerBitFlip,
        RandomStateBitFlip,
        ChecksumBitFlip,
        BytesAppended,
    }

    [Theory]
    [InlineData(Damage.TruncatedByOneByte)]
    [InlineData(Damage.TruncatedInTheHeader)]
    [InlineData(Damage.TruncatedInTheWeights)]
    [InlineData(Damage.TruncatedToTheMagic)]
    [InlineData(Damage.Empty)]
    [InlineData(Damage.HeaderBitFlip)]
    [InlineData(Damage.HistoryEdited)]
    [InlineData(Damage.WeightsBitFlip)]
    [InlineData(Damage.OptimizerBitFlip)]
    [InlineData(Damage.RandomStateBitFlip)]
    [InlineData(Damage.ChecksumBitFlip)]
    [InlineData(Damage.BytesAppended)]
    public void A_damaged_checkpoint_is_refused_in_process_naming_the_file_and_the_model_is_left_as_it_was(Damage damage)
    {
        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, Options);
        Apply(damage, CheckpointPath);
        var model = new QuadrantTeacher(seed: 2);
        var before = Snapshot(model);

        var error = Assert.Throws<InvalidDataException>(() => new TrainQuadrantTeacher(model).Train(Train, null, Options));

        Assert.Contains($"'{CheckpointPath}'", error.Message);
        Assert.Contains("delete it to start the run over", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(Unchanged(model, before), "a refused checkpoint changed the model");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(+1)]
    [InlineData(-5056)]
    public void A_random_generator_state_of_the_wrong_length_is_refused_before_it_reaches_native_code(int change)
    {
        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, Options);
        // Sealed again with a right checksum: only the reader's own size check stands between this and libtorch's abort.
        Reseal(CheckpointPath, Checkpoint.Kind, body: body =>
        {
            var parts = Parts(body);
            var rng = parts[2];
            parts[2] = change < 0 ? rng[..(rng.Length + change)] : [.. rng, .. new byte[change]];
            return Join(parts);
        });

        var error = Assert.Throws<InvalidDataException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, Options));

        Assert.Contains($"'{CheckpointPath}'", error.Message);
        Assert.Contains("random generator state", error.Message);
    }

    [Fact]
    public void A_header_that_contradicts_itself_is_refused_even_with_a_right_checksum()
    {
        new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, Options);
        Reseal(CheckpointPath, Checkpoint.Kind, header: text =>
        {
            var json = JsonNode.Parse(text)!;
            json["Header"]!["CompletedEpochs"] = 2; // the history holds one epoch
            return json.ToJsonString();
        });

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadHeader(CheckpointPath));

        Assert.Contains($"'{CheckpointPath}'", error.Message);
        Assert.Contains("inconsistent", error.Message);
    }

    [Fact]
    public void A_checkpoint_of_the_earlier_format_is_refused_with_what_to_do()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(CheckpointPath, [.. Encoding.ASCII.GetBytes("DSLKDCK1"), .. new byte[100]]);

        var error = Assert.Throws<InvalidDataException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, null, Options));

        Assert.Contains($"'{CheckpointPath}'", error.Message);
        Assert.Contains("earlier DslKd version", error.Message);
        Assert.Contains("delete it", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_checkpoint_of_a_model_that_differs_only_in_a_parameter_free_layer_belongs_to_another_run()
    {
        static Sequential Model(bool gelu) => nn.Sequential(
            ("flatten", nn.Flatten()), ("hidden", nn.Linear(64, 16)), ("activation", gelu ? nn.GELU() : nn.ReLU()), ("logits", nn.Linear(16, 4)));
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, CheckpointDirectory = _directory };
        var relu = Model(gelu: false);
        TrainingLoop.Run(new ModuleTask(relu), Train, null, options);
        var gelu = Model(gelu: true);
        gelu.load_state_dict(relu.state_dict());

        var error = Assert.Throws<InvalidOperationException>(() => TrainingLoop.Run(new ModuleTask(gelu), Train, null, options));

        Assert.Contains("belongs to another run", error.Message);
        Assert.Single(TrainingLoop.Run(new ModuleTask(relu), Train, null, options).Epochs); // the same model still resumes
    }

    [Fact]
    public void A_full_disk_at_a_checkpoint_fails_the_run_naming_the_file_and_the_previous_checkpoint_resumes_bit_identically()
    {
        var options = Options with { Epochs = 3 };
        var uninterrupted = new QuadrantTeacher(seed: 1);
        var expected = new TrainQuadrantTeacher(uninterrupted).Train(Train, Validation, options with { CheckpointDirectory = null });

        var writes = 0;
        IOException error;
        // Only the checkpoint's writes count: the run also writes its folder lock's owner file.
        using (AtomicFile.InjectStream(file => file is FileStream { Name: var name } && name.Contains(Checkpoint.FileName) && ++writes == 2 ? new FullDisk(file, failAfter: 1000) : file))
            error = Assert.Throws<IOException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Validation, options));

        Assert.Contains($"'{CheckpointPath}'", error.Message);
        Assert.Contains("No space left on device", error.Message);
        Assert.Equal(1, Checkpoint.ReadHeader(CheckpointPath).CompletedEpochs);
        Assert.Empty(Temporaries(_directory));
        var resumed = new QuadrantTeacher(seed: 1);
        var result = new TrainQuadrantTeacher(resumed).Train(Train, Validation, options);
        Assert.Equal(expected.Epochs.Select(e => (e.TrainLoss, e.Evaluation!.Accuracy)), result.Epochs.Select(e => (e.TrainLoss, e.Evaluation!.Accuracy)));
        Assert.True(SameState(uninterrupted, resumed));
    }

    [Fact]
    public void A_torn_temporary_file_of_a_killed_writer_is_deleted_and_a_live_writers_is_left_alone()
    {
        var options = Options with { Epochs = 2 };
        var expected = new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Validation, options with { CheckpointDirectory = null });
        var model = new QuadrantTeacher(seed: 1);
        InterruptAfter(model, options, epoch: 1);
        var torn = LeaveTornTemporary(CheckpointPath, DeadProcessId(), bytes: (int)new FileInfo(CheckpointPath).Length / 2);
        var live = Path.Combine(_directory, $".{Checkpoint.FileName}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..16]}.tmp");
        File.WriteAllBytes(live, [1, 2, 3]); // this process, now: a writer that is still at work
        var foreign = Path.Combine(_directory, ".notes.tmp");
        File.WriteAllBytes(foreign, [1]);

        var result = new TrainQuadrantTeacher(model).Train(Train, Validation, options);

        Assert.Equal(expected.Epochs.Select(e => e.TrainLoss), result.Epochs.Select(e => e.TrainLoss));
        Assert.False(File.Exists(torn));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void A_damaged_best_weights_file_is_refused_on_resume_naming_it()
    {
        var options = Options with { Epochs = 30, EarlyStoppingPatience = 2 };
        InterruptAfter(new QuadrantTeacher(seed: 1), options, epoch: 2);
        var best = Directory.GetFiles(_directory, "best-*.dkd").Single();
        var layout = LayoutOf(best);
        FlipBit(best, (layout.BodyStart + layout.BodyEnd) / 2, bit: 6);

        var error = Assert.Throws<InvalidDataException>(() => new TrainQuadrantTeacher(new QuadrantTeacher(seed: 1)).Train(Train, Validation, options));

        Assert.Contains($"'{best}'", error.Message);
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void Best_weights_files_are_model_files_that_name_their_epoch()
    {
        var options = Options with { Epochs = 3, EarlyStoppingPatience = 2 };
        var model = new QuadrantTeacher(seed: 1);
        var result = new TrainQuadrantTeacher(model).Train(Train, Validation, options);

        var path = Path.Combine(_directory, $"best-{result.BestEpoch}.dkd");
        var loaded = new QuadrantTeacher(seed: 9);
        var info = ModelFile.Load(loaded, path);

        Assert.Equal($"best weights of epoch {result.BestEpoch}", info.Metadata);
        Assert.True(SameState(model, loaded)); // the model ends with its best epoch's weights
    }

    private static void InterruptAfter(QuadrantTeacher model, TrainingOptions options, int epoch)
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingEvent>(e => { if (e is EpochCompleted { Result.Epoch: var done } && done == epoch) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => new TrainQuadrantTeacher(model).Train(Train, Validation, options, progress, cts.Token));
    }

    private static void Apply(Damage damage, string path)
    {
        var layout = LayoutOf(path);
        var parts = Parts(File.ReadAllBytes(path)[(int)layout.BodyStart..(int)layout.BodyEnd]);
        var weights = layout.BodyStart + 8;
        var optimizer = weights + parts[0].Length + 8;
        var rng = optimizer + parts[1].Length + 8;
        switch (damage)
        {
            case Damage.TruncatedByOneByte: Truncate(path, layout.Length - 1); break;
            case Damage.TruncatedInTheHeader: Truncate(path, layout.HeaderStart + 20); break;
            case Damage.TruncatedInTheWeights: Truncate(path, weights + parts[0].Length / 2); break;
            case Damage.TruncatedToTheMagic: Truncate(path, 8); break;
            case Damage.Empty: Truncate(path, 0); break;
            case Damage.HeaderBitFlip: FlipBit(path, layout.HeaderStart + 30, bit: 3); break;
            case Damage.HistoryEdited:
                var bytes = File.ReadAllBytes(path);
                var text = Encoding.UTF8.GetString(bytes, (int)layout.HeaderStart, (int)(layout.BodyStart - layout.HeaderStart));
                var at = text.IndexOf("\"TrainLoss\":", StringComparison.Ordinal) + "\"TrainLoss\":".Length + 2;
                bytes[layout.HeaderStart + Encoding.UTF8.GetByteCount(text[..at])] ^= 1; // one digit of a metric, same length
                File.WriteAllBytes(path, bytes);
                break;
            case Damage.WeightsBitFlip: FlipBit(path, weights + parts[0].Length - 10, bit: 6); break;
            case Damage.OptimizerBitFlip: FlipBit(path, optimizer + parts[1].Length / 2, bit: 6); break;
            case Damage.RandomStateBitFlip: FlipBit(path, rng + 100, bit: 1); break;
            case Damage.ChecksumBitFlip: FlipBit(path, layout.Length - 1, bit: 7); break;
            case Damage.BytesAppended: Append(path, 0, 0, 0, 0); break;
        }
    }

    /// <summary>A checkpoint body's three parts: model state, optimizer state, random generator state.</summary>
    private static List<byte[]> Parts(byte[] body)
    {
        var parts = new List<byte[]>();
        for (var offset = 0; offset < body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(offset));
            parts.Add(body[(offset + 8)..(offset + 8 + length)]);
            offset += 8 + length;
        }
        Assert.Equal(3, parts.Count);
        return parts;
    }

    private static byte[] Join(List<byte[]> parts)
    {
        using var memory = new MemoryStream();
        using var writer = new BinaryWriter(memory);
        foreach (var part in parts)
        {
            writer.Write((long)part.Length);
            writer.Write(part);
        }
        writer.Flush();
        return memory.ToArray();
    }
}
