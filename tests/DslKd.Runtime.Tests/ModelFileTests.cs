using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static DslKd.Runtime.Tests.FaultInjection;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>Model files (.dkd): checked on load (checksum, tensors, architecture), errors naming the file, written atomically.</summary>
public class ModelFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    public ModelFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string FilePath => Path.Combine(_directory, "teacher" + ModelFile.Extension);

    [Fact]
    public void A_saved_model_loads_back_with_its_metadata_architecture_and_tensors()
    {
        var saved = new QuadrantTeacher(seed: 1);
        ModelFile.Save(saved, FilePath, metadata: """{"epochs":4}""");

        var info = ModelFile.Read(FilePath);
        var loaded = new QuadrantTeacher(seed: 2);
        ModelFile.Load(loaded, FilePath);

        Assert.Equal("""{"epochs":4}""", info.Metadata);
        Assert.Equal(ModelArchitecture.Describe(saved), info.Architecture);
        Assert.Equal(saved.state_dict().Keys, info.Tensors.Select(t => t.Name));
        Assert.True(SameState(saved, loaded));
        Assert.Empty(Temporaries(_directory));
    }

    public enum Damage { TruncatedByOneByte, TruncatedInHalf, TruncatedInTheHeader, Empty, HeaderBitFlip, WeightsBitFlip, ExponentBitsFlipped, BytesAppended }

    [Theory]
    [InlineData(Damage.TruncatedByOneByte)]
    [InlineData(Damage.TruncatedInHalf)]
    [InlineData(Damage.TruncatedInTheHeader)]
    [InlineData(Damage.Empty)]
    [InlineData(Damage.HeaderBitFlip)]
    [InlineData(Damage.WeightsBitFlip)]
    [InlineData(Damage.ExponentBitsFlipped)]
    [InlineData(Damage.BytesAppended)]
    public void A_damaged_model_file_is_refused_naming_it_and_the_model_is_left_as_it_was(Damage damage)
    {
        ModelFile.Save(new QuadrantTeacher(seed: 1), FilePath);
        var layout = LayoutOf(FilePath);
        switch (damage)
        {
            case Damage.TruncatedByOneByte: Truncate(FilePath, layout.Length - 1); break;
            case Damage.TruncatedInHalf: Truncate(FilePath, layout.Length / 2); break;
            case Damage.TruncatedInTheHeader: Truncate(FilePath, layout.HeaderStart + 10); break;
            case Damage.Empty: Truncate(FilePath, 0); break;
            case Damage.HeaderBitFlip: FlipBit(FilePath, layout.HeaderStart + 40, bit: 2); break;
            case Damage.WeightsBitFlip: FlipBit(FilePath, layout.BodyEnd - 7, bit: 6); break;
            case Damage.ExponentBitsFlipped:
                // What a failing disk or a bad copy does to a teacher: 2,000 float exponents flipped, all in the weights.
                var bytes = File.ReadAllBytes(FilePath);
                for (var i = 0; i < 2000; i++) bytes[layout.BodyEnd - 4 * (i + 1) + 3] ^= 0x40;
                File.WriteAllBytes(FilePath, bytes);
                break;
            case Damage.BytesAppended: Append(FilePath, 1, 2, 3); break;
        }
        var model = new QuadrantTeacher(seed: 2);
        var before = Snapshot(model);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(model, FilePath));

        Assert.Contains($"'{FilePath}'", error.Message);
        Assert.Contains("train the model again", error.Message);
        Assert.True(Unchanged(model, before));
        Assert.Throws<InvalidDataException>(() => ModelFile.Read(FilePath));
    }

    [Fact]
    public void A_file_saved_by_TorchSharp_alone_is_refused_as_not_a_model_file()
    {
        new QuadrantTeacher(seed: 1).save(FilePath);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new QuadrantTeacher(seed: 2), FilePath));

        Assert.Contains($"'{FilePath}'", error.Message);
        Assert.Contains("is not a DslKd model file", error.Message);
    }

    [Fact]
    public void A_folder_in_place_of_the_file_is_named_as_such()
    {
        Directory.CreateDirectory(FilePath);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(FilePath));

        Assert.Contains($"'{FilePath}'", error.Message);
        Assert.Contains("folder", error.Message);
    }

    [Fact]
    public void Loading_into_a_model_of_other_shapes_names_every_mismatched_tensor_with_both_shapes()
    {
        ModelFile.Save(new QuadrantTeacher(seed: 1), FilePath);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new QuadrantStudent(seed: 1), FilePath));

        Assert.Contains($"'{FilePath}'", error.Message);
        Assert.Contains("Hidden.1.weight is Float32 [64, 64] in the file, Float32 [6, 64] in this model", error.Message);
        Assert.Contains("Hidden.1.bias is Float32 [64] in the file, Float32 [6] in this model", error.Message);
        Assert.Contains("Logits.0.weight is Float32 [4, 64] in the file, Float32 [4, 6] in this model", error.Message);
    }

    [Fact]
    public void Loading_into_a_model_that_differs_only_in_a_parameter_free_layer_is_refused_unless_asked()
    {
        static Sequential Model(bool gelu) => nn.Sequential(("hidden", nn.Linear(8, 8)), ("activation", gelu ? nn.GELU() : nn.ReLU()), ("logits", nn.Linear(8, 2)));
        ModelFile.Save(Model(gelu: false), FilePath);
        var gelu = Model(gelu: true);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(gelu, FilePath));

        Assert.Contains($"'{FilePath}'", error.Message);
        Assert.Contains("another architecture", error.Message);
        Assert.Contains("TorchSharp.Modules.ReLU", error.Message);
        Assert.Contains("TorchSharp.Modules.GELU", error.Message);
        ModelFile.Load(gelu, FilePath, checkArchitecture: false);
    }

    [Fact]
    public void A_full_disk_while_saving_leaves_the_previous_file_and_no_temporary()
    {
        var first = new QuadrantTeacher(seed: 1);
        ModelFile.Save(first, FilePath);

        IOException error;
        using (AtomicFile.InjectStream(file => new FullDisk(file, failAfter: 5000)))
            error = Assert.Throws<IOException>(() => ModelFile.Save(new QuadrantTeacher(seed: 2), FilePath));

        Assert.Contains($"'{FilePath}'", error.Message);
        Assert.Contains("No space left on device", error.Message);
        var loaded = new QuadrantTeacher(seed: 3);
        ModelFile.Load(loaded, FilePath);
        Assert.True(SameState(first, loaded));
        Assert.Empty(Temporaries(_directory));
    }

    [Fact]
    public void The_architecture_text_holds_the_layer_settings_the_generated_summary_leaves_out()
    {
        var text = ModelArchitecture.Describe(new EveryLayer(seed: 1));

        Assert.Contains(EveryLayer.Summary.TrimEnd('\n'), text);
        Assert.Contains("Stem.1: TorchSharp.Modules.BatchNorm2d(", text);
        Assert.Contains("eps=0.001", text);
        Assert.Contains("momentum=0.05", text);
        Assert.Contains("eps=1E-06", text); // the LayerNorm's
        Assert.Contains("Head.5: TorchSharp.Modules.Dropout(inplace=False, p=0.5)", text);
        Assert.Contains("Stem.1.running_mean: Float32 [16]", text);
        // Stable: the same for another instance, in either mode.
        var other = new EveryLayer(seed: 2);
        other.eval();
        Assert.Equal(text, ModelArchitecture.Describe(other));
    }
}
