using FashionMnistExample;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>
/// The main job under faults: damaged saved models, a changed architecture, a second run on the same folder, a kill in
/// the middle of a stage, a read-only output folder, a diverging learning rate. Each ends with a clear message and, where
/// it can, with the work recovered rather than lost.
/// </summary>
public sealed class FashionMnistFaultTests : IDisposable
{
    private static readonly string EmbeddedSubset = Path.Combine(ExampleProcess.RepositoryRoot, "data", "fashion-mnist-subset");

    private readonly string _output = Path.Combine(Path.GetTempPath(), "dslkd-cli-faults-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (!Directory.Exists(_output)) return;
        File.SetUnixFileMode(_output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_output, recursive: true);
    }

    private string[] Teacher(int epochs = 1, params string[] extra) =>
        ["train-teacher", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600", "--teacher-epochs", epochs.ToString(), "--threads", "2", .. extra];

    private static (int ExitCode, string Output, string Error) Run(params string[] arguments) => ExampleProcess.Run("FashionMnist", "fashion-mnist", arguments);

    private string Saved(string name) => Path.Combine(_output, name);

    private string[] MovedAside(string name) => Directory.GetFiles(_output, name + ".damaged-*");

    [Fact]
    public void A_torn_or_damaged_saved_model_is_reported_by_name_moved_aside_and_trained_again()
    {
        Assert.Equal(0, Run(Teacher()).ExitCode);
        var description = Saved("teacher.dkd.json");

        // A description cut short, as a kill or a full disk during a non-atomic write leaves it.
        var text = File.ReadAllText(description);
        File.WriteAllText(description, text[..(text.Length / 2)]);
        var (tornExit, torn, tornError) = Run(Teacher());

        Assert.True(tornExit == 0, $"exit {tornExit}\n{torn}\n{tornError}");
        Assert.Contains($"{description} cannot be read", torn);
        Assert.Contains("moved aside to", torn);
        Assert.Contains("teacher: epoch 1/1", torn); // trained again
        Assert.Single(MovedAside("teacher.dkd.json"));
        Assert.Single(MovedAside("teacher.dkd")); // the pair, kept for the user
        Assert.Equal(text.Length / 2, File.ReadAllText(MovedAside("teacher.dkd.json")[0]).Length);
        Assert.True(File.Exists(Saved("teacher.dkd")) && File.Exists(description));

        // A model file that lost its last byte no longer matches the checksum its description records.
        var model = Saved("teacher.dkd");
        File.WriteAllBytes(model, File.ReadAllBytes(model)[..^1]);
        Thread.Sleep(1100); // another second in the moved-aside names
        var (cutExit, cut, cutError) = Run(Teacher());

        Assert.True(cutExit == 0, $"exit {cutExit}\n{cut}\n{cutError}");
        Assert.Contains($"{model} does not match the SHA-256 recorded in teacher.dkd.json", cut);
        Assert.Contains("teacher: epoch 1/1", cut);
        Assert.Equal(2, MovedAside("teacher.dkd").Length);

        // And the model saved now is reused.
        var (againExit, again, _) = Run(Teacher());
        Assert.Equal(0, againExit);
        Assert.Contains("teacher: reusing", again);
    }

    [Fact]
    public void The_identity_of_a_saved_model_includes_its_architecture_not_only_its_weights()
    {
        // ReLU -> GELU changes no weight: the state_dict of the changed model loads into the old one and vice versa.
        var original = FashionCnn.Description;
        var gelu = original with { Summary = original.Summary.Replace("ReLU", "GELU", StringComparison.Ordinal) };
        var pooled = original with { Summary = original.Summary.Replace("MaxPool2d", "AvgPool2d", StringComparison.Ordinal) };

        Assert.NotEqual(original.Summary, gelu.Summary);
        Assert.Equal(ModelStore.ArchitectureOf(original), ModelStore.ArchitectureOf(new FashionCnn(seed: 5)));
        Assert.NotEqual(ModelStore.ArchitectureOf(original), ModelStore.ArchitectureOf(gelu));
        Assert.NotEqual(ModelStore.ArchitectureOf(original), ModelStore.ArchitectureOf(pooled));
        Assert.NotEqual(ModelStore.ArchitectureOf(original), ModelStore.ArchitectureOf(original with { ParameterCount = original.ParameterCount + 1 }));
        Assert.Contains("824650 parameters", ModelStore.ArchitectureOf(original));

        var saved = new TrainedModelInfo("data", 3, 1, "recipe", ModelStore.ArchitectureOf(original), []);
        var changed = saved with { Architecture = ModelStore.ArchitectureOf(gelu) };
        Assert.Empty(saved.Differences(saved with { History = [] }));
        Assert.Equal(["architecture"], changed.Differences(saved));
        Assert.NotEqual(saved.Identity, changed.Identity);
    }

    [Fact]
    public void A_recipe_whose_label_smoothing_changed_trains_again_and_a_model_without_smoothing_keeps_its_identity()
    {
        var plain = new TrainedModelInfo("data", 3, 1, "recipe", "architecture", []);
        var smoothed = plain with { LabelSmoothing = 0.1 };

        Assert.Equal(["label smoothing"], smoothed.Differences(plain));
        Assert.Equal(["label smoothing"], (plain with { LabelSmoothing = 0.2 }).Differences(smoothed));
        Assert.NotEqual(plain.Identity, smoothed.Identity);
        // Models saved before smoothing was recorded (and every unsmoothed one) keep the identity they were saved with.
        Assert.Equal(string.Join('\n', "data", "3", "1", "recipe", "null", "null", "null", "architecture"), plain.Identity);
    }

    [Fact]
    public void A_second_run_on_an_output_folder_in_use_is_refused_naming_the_first()
    {
        using (FolderLock.Acquire(_output, "the test's own run"))
        {
            var (exitCode, output, error) = Run(Teacher());

            Assert.Equal(1, exitCode);
            Assert.Contains($"The folder {_output} is in use by another run (process {Environment.ProcessId} on {Environment.MachineName}, started ", error);
            Assert.Contains("the test's own run", error);
            Assert.Contains("wait for that run to finish or stop it, or give this one another folder", error);
            Assert.DoesNotContain("   at ", error);
            Assert.DoesNotContain("teacher: epoch", output);
            Assert.False(File.Exists(Saved("teacher.dkd")));
        }

        Assert.Equal(0, Run(Teacher()).ExitCode); // released
    }

    [Fact]
    public void A_stage_killed_mid_training_resumes_from_its_checkpoint_and_the_lock_dies_with_the_process()
    {
        var checkpoints = StageCheckpoints.DirectoryOf(_output, "teacher");
        var (killed, before) = ExampleProcess.RunAndKill("FashionMnist", "fashion-mnist",
            line => line.StartsWith("teacher: epoch 1/4", StringComparison.Ordinal), Teacher(epochs: 4));
        Assert.True(killed, before);
        Assert.True(File.Exists(Path.Combine(checkpoints, DslKd.Checkpoint.FileName)), before);
        Assert.True(File.Exists(Path.Combine(_output, FolderLock.FileName))); // left behind by the kill, but no longer held

        var (exitCode, output, error) = Run(Teacher(epochs: 4));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains($"teacher: an earlier run of this stage was interrupted; resuming it from {checkpoints}", output);
        Assert.Contains("teacher: resumed after epoch ", output);
        Assert.DoesNotContain("teacher: epoch 1/4", output);
        Assert.Contains("teacher: epoch 4/4", output);
        Assert.False(Directory.Exists(Path.Combine(_output, "checkpoints"))); // removed once the model is saved

        // A checkpoint of the stage with other settings cannot be resumed: it is discarded, saying so.
        var (_, _) = ExampleProcess.RunAndKill("FashionMnist", "fashion-mnist",
            line => line.StartsWith("teacher: epoch 1/3", StringComparison.Ordinal), Teacher(epochs: 3, "--retrain"));
        var (otherExit, other, otherError) = Run(Teacher(epochs: 2, "--retrain"));
        Assert.True(otherExit == 0, $"exit {otherExit}\n{other}\n{otherError}");
        Assert.Contains($"teacher: discarding the checkpoint in {checkpoints}", other);
        Assert.Contains("teacher: epoch 1/2", other);
    }

    [Fact]
    public void A_read_only_output_folder_is_refused_before_anything_trains()
    {
        Directory.CreateDirectory(_output);
        File.SetUnixFileMode(_output, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        // Root writes anywhere; without the capability to override permissions it is refused like anyone else.
        string[] asOrdinaryUser = Environment.UserName == "root" ? ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] : [];

        var (exitCode, output, error) = ExampleProcess.RunWith(asOrdinaryUser, "FashionMnist", "fashion-mnist", Teacher());

        Assert.Equal(1, exitCode);
        Assert.Contains($"The output folder {_output} cannot be written", error);
        Assert.Contains("nothing was trained", error);
        Assert.DoesNotContain("Data:", output); // refused before even loading the data
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_diverging_learning_rate_is_warned_about_although_every_loss_stays_finite()
    {
        var (exitCode, output, error) = Run("train-student", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600",
            "--student-epochs", "2", "--threads", "2", "--student-learning-rate", "1e6");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("warning: TrainStudentAlone: training is diverging: the mean training loss of epoch 1 is", output);
        Assert.Single(output.Split('\n'), line => line.Contains("diverging", StringComparison.Ordinal)); // once per run
    }

    [Fact]
    public void A_directory_named_like_a_data_file_is_reported_as_a_directory_not_as_missing()
    {
        var data = Path.Combine(_output, "data");
        Directory.CreateDirectory(data);
        foreach (var file in new[] { "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            File.Copy(Path.Combine(EmbeddedSubset, file), Path.Combine(data, file));
        Directory.CreateDirectory(Path.Combine(data, "train-images-idx3-ubyte.gz"));

        var error = Assert.Throws<IOException>(() => DataLocation.Resolve(data));

        Assert.Contains($"{Path.Combine(data, "train-images-idx3-ubyte.gz")} is a directory, not a file", error.Message);
        Assert.IsNotType<FileNotFoundException>(error);
    }
}
