using System.Text.Json;
using System.Text.RegularExpressions;
using FashionMnistExample;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>The main job on a tiny slice of the embedded data: it must run end to end and produce its report.</summary>
public class FashionMnistCliTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "dslkd-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    private static readonly string EmbeddedSubset = Path.Combine(ExampleProcess.RepositoryRoot, "data", "fashion-mnist-subset");

    private (int ExitCode, string Output, string Error) Run(string? data = null, params string[] extra) =>
        ExampleProcess.Run("FashionMnist", "fashion-mnist",
        [
            "run", "--output", _output, "--data", data ?? EmbeddedSubset, "--limit-train", "600", "--limit-test", "200",
            "--teacher-epochs", "1", "--student-epochs", "2", "--distil-epochs", "2", "--threads", "2", .. extra,
        ]);

    private static readonly string[] TinyTuning =
        ["--limit-train", "600", "--teacher-epochs", "1", "--tune-epochs", "2", "--axis", "SoftTargets.Temperature=1,4", "--threads", "2"];

    [Fact]
    public void Main_job_trains_four_models_and_writes_the_report_and_plots()
    {
        var (exitCode, output, error) = Run();

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("600 class-balanced train samples; 540 to train, 60 to validate", output);
        foreach (var file in new[] { "results.md", "results.json", "training-curves.png", "confusion-distilled.png", "teacher.dkd", "student-alone.dkd", "textbook-distilled.dkd", "distilled.dkd", "distilled.onnx", "distilled.int8.onnx" })
            Assert.True(File.Exists(Path.Combine(_output, file)), $"{file} is missing");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "results.json")));
        foreach (var model in new[] { "Teacher", "StudentAlone", "TextbookDistilled", "Distilled" })
        {
            var accuracy = json.RootElement.GetProperty(model).GetProperty("Test").GetProperty("Accuracy").GetDouble();
            Assert.InRange(accuracy, 0.3, 1.0); // far above the 10% of guessing even after 1-2 epochs on 600 images
        }
        var markdown = File.ReadAllText(Path.Combine(_output, "results.md"));
        Assert.Contains("Distillation gain over the student alone", markdown);
        // Times with their spread, and what else the machine ran while they were taken.
        Assert.Contains("| Latency (batch 1), median (middle half) |", markdown);
        Assert.Matches(@"\| \d+ us \(\d+-\d+\) \| [\d,]+ /s \([\d,]+-[\d,]+\) \|", markdown);
        Assert.Matches(@"Timing: other processes used \d+\.\d\d of \d+ cores while the models were timed", markdown);
        Assert.Equal(2, json.RootElement.GetProperty("OnnxRuntime").GetArrayLength()); // the student in ONNX Runtime, float32 and int8

        // The command reproduces the run, in the configuration the program was built in.
#if DEBUG
        Assert.Contains("Command: `dotnet run --project examples/FashionMnist -- run ", markdown);
#else
        Assert.Contains("Command: `dotnet run -c Release --project examples/FashionMnist -- run ", markdown);
#endif
        // Which recipe, loss settings, epochs and seed made each model, in the markdown and the JSON.
        Assert.Contains("## How each model was trained", markdown);
        Assert.Contains("| Distilled student (MLP) | Distil (teacher: TrainTeacher) | SoftTargets.Temperature = 2, SoftTargets.Weight = 0.5, HardLabels.Weight = 0.5 | ", markdown);
        Assert.Contains("| Teacher (CNN) | TrainTeacher | cross-entropy with the labels | 1 / 1 | 1 (last) | 1 | Adam 0.001, cosine, batch 128, RandomShift(2) |", markdown);
        var training = json.RootElement.GetProperty("Distilled").GetProperty("Training");
        Assert.Equal("Distil", training.GetProperty("Recipe").GetString());
        Assert.Equal(2, training.GetProperty("Loss").GetProperty("SoftTargets.Temperature").GetDouble());
        Assert.Equal(2, training.GetProperty("EpochsAsked").GetInt32());
        Assert.Equal(2, training.GetProperty("Seed").GetInt64());
        Assert.Equal("Adam", training.GetProperty("Options").GetProperty("Optimizer").GetProperty("Kind").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("Seed").GetInt64());

        // The saved descriptions are structured JSON, not records' ToString() ("OptimizerSettings { ... WeightDecay = , ... }").
        foreach (var model in new[] { "teacher", "student-alone", "textbook-distilled", "distilled" })
        {
            var text = File.ReadAllText(Path.Combine(_output, model + ".dkd.json"));
            Assert.DoesNotMatch(@"\w+ \{ \w+ = ", text);
            using var description = JsonDocument.Parse(text);
            var options = description.RootElement.GetProperty("Options");
            Assert.Equal(0.001, options.GetProperty("Optimizer").GetProperty("LearningRate").GetDouble());
            Assert.Equal("Cosine", options.GetProperty("Schedule").GetProperty("Kind").GetString());
        }

        // Each model is a DslKd model file another program can load (docs/use-your-model.md), and says how it was made.
        var distilled = new FashionMlp();
        var info = ModelFile.Load(distilled, Path.Combine(_output, "distilled.dkd"));
        using var metadata = JsonDocument.Parse(info.Metadata!);
        Assert.Equal("Distil", metadata.RootElement.GetProperty("Training").GetProperty("Recipe").GetString());
        Assert.Equal(0.5, metadata.RootElement.GetProperty("Training").GetProperty("Loss").GetProperty("HardLabels.Weight").GetDouble());
    }

    /// <summary>What each sub-command's --help must list: its own options, and no other command's.</summary>
    public static TheoryData<string, string[]> CommandOptions()
    {
        string[] data = ["--pair", "--data", "--output", "--seed", "--threads", "--channels-last", "--limit-train", "--validation-fraction", "--retrain"];
        string[] teacher = ["--teacher-epochs", "--teacher-shift", "--teacher-label-smoothing"];
        string[] students = ["--student-shift", "--student-flip", "--student-mixup", "--student-erasing", "--student-learning-rate", "--patience"];
        string[] distil = ["--distil-epochs", "--loss"];
        string[] alone = ["--student-epochs", "--alone-label-smoothing"];
        string[] everything = [.. data, .. teacher, .. students, .. alone, .. distil, "--limit-test"];
        return new TheoryData<string, string[]>
        {
            { "", [.. everything, "--version"] },
            { "run", everything },
            { "evaluate", everything },
            { "train-teacher", [.. data, .. teacher] },
            { "train-student", [.. data, .. students, .. alone] },
            { "distill", [.. data, .. teacher, .. students, .. distil] },
            { "tune", [.. data, .. teacher, .. students, .. distil, "--axis", "--tune-epochs", "--recipe"] },
            { "export", [.. everything, "--model"] },
            { "compare", [.. everything, "--student-seeds", "--recipes"] },
            { "summary", ["--pair"] },
        };
    }

    [Theory]
    [MemberData(nameof(CommandOptions))]
    public void Each_command_help_lists_only_its_own_options(string command, string[] expected)
    {
        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist", command.Length == 0 ? ["--help"] : [command, "--help"]);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var options = output[output.IndexOf("Options:", StringComparison.Ordinal)..].Split('\n').Skip(1)
            .TakeWhile(line => line.StartsWith("  ", StringComparison.Ordinal))
            .Select(line => Regex.Match(line, @"--[a-z-]+").Value)
            .Where(option => option.Length > 0 && option != "--help")
            .ToList();
        Assert.Equal(expected.Order(), options.Order());
    }

    [Fact]
    public void Both_recipes_share_the_teacher_cache_and_shifted_student_batches_are_another_model()
    {
        var (firstExit, firstOutput, _) = Run();
        Assert.Equal(0, firstExit);
        Assert.Contains("textbook-distilled: teacher outputs created", firstOutput);
        Assert.Contains("distilled: teacher outputs reused", firstOutput);

        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            "distill", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600",
            "--teacher-epochs", "1", "--distil-epochs", "2", "--threads", "2", "--student-shift", "1");

        Assert.True(exitCode == 0, error);
        Assert.Contains("teacher: reusing", output); // the teacher did not change
        Assert.DoesNotContain("distilled: reusing", output); // a student trained on shifted images is another model
        Assert.Contains("teacher outputs rebuilt", output); // now for each of the 9 shifts of every image
    }

    [Fact]
    public void Tune_never_opens_the_test_files_and_prints_the_winner_as_attributes_and_as_an_override()
    {
        // Only the training files: a tuning that touched the test set would fail here.
        var trainOnly = Path.Combine(_output, "train-only");
        Directory.CreateDirectory(trainOnly);
        foreach (var file in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" })
            File.Copy(Path.Combine(EmbeddedSubset, file), Path.Combine(trainOnly, file));

        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            ["tune", "--output", _output, "--data", trainOnly, .. TinyTuning]);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("(10,000 train) from", output);
        foreach (var file in new[] { "tuning.md", "tuning.png", "tuning.json" })
            Assert.True(File.Exists(Path.Combine(_output, "tuning", file)), $"{file} is missing");
        var markdown = File.ReadAllText(Path.Combine(_output, "tuning", "tuning.md"));
        var best = markdown.Contains("| 1 (best) |") ? "1" : "4";
        Assert.Contains($"[SoftTargets(Temperature = {best}, Weight = 0.5)]", output);
        Assert.Contains($"--loss \"SoftTargets.Temperature={best};SoftTargets.Weight=0.5;HardLabels.Weight=0.5\"", output);

        // The same tuning again reads every trial back instead of training it.
        var (againExit, again, _) = ExampleProcess.Run("FashionMnist", "fashion-mnist", ["tune", "--output", _output, "--data", trainOnly, .. TinyTuning]);
        Assert.Equal(0, againExit);
        Assert.Equal(2, again.Split('\n').Count(line => line.Contains("(from the results file)")));

        // The main job does need the test set, and says which file is missing.
        var (runExit, _, runError) = ExampleProcess.Run("FashionMnist", "fashion-mnist", "run", "--output", _output, "--data", trainOnly);
        Assert.Equal(1, runExit);
        Assert.Contains("t10k-images-idx3-ubyte.gz", runError);
    }

    [Fact]
    public void A_malformed_loss_override_is_a_clear_error()
    {
        var (exitCode, _, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            "distill", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600", "--teacher-epochs", "1", "--loss", "SoftTargets.Temprature=2");

        Assert.Equal(1, exitCode);
        Assert.Contains("no loss setting 'SoftTargets.Temprature'; it has SoftTargets.Temperature, SoftTargets.Weight, HardLabels.Weight", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Mixed_inputs_distil_with_the_teacher_online()
    {
        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            "distill", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600", "--teacher-epochs", "1", "--distil-epochs", "1",
            "--threads", "2", "--student-mixup", "0.7");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("distilled: epoch 1/1", output);
        Assert.DoesNotContain("teacher outputs", output); // blends cannot be cached: no cache is built or read
        Assert.False(File.Exists(Path.Combine(_output, "teacher-outputs.cache")));
    }

    [Fact]
    public void Flips_and_shifts_together_are_refused_before_anything_trains()
    {
        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            "run", "--output", _output, "--data", EmbeddedSubset, "--student-flip", "--student-shift", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("--student-flip, --student-shift and --student-mixup cannot be combined; pick one.", error);
        Assert.DoesNotContain("teacher: epoch", output);
        Assert.False(File.Exists(Path.Combine(_output, "teacher.dkd")));
    }

    [Fact]
    public void A_second_run_reuses_the_trained_models()
    {
        Assert.Equal(0, Run().ExitCode);

        var (exitCode, output, _) = Run();

        Assert.Equal(0, exitCode);
        Assert.Contains("teacher: reusing", output);
        Assert.Contains("distilled: reusing", output);

        // Another teacher: it retrains, and so do the students distilled from it; the student alone does not depend on it.
        var (changedExit, changed, _) = Run(null, "--teacher-shift", "0");
        Assert.Equal(0, changedExit);
        Assert.Contains("teacher: epoch 1/1", changed);
        Assert.Contains("student-alone: reusing", changed);
        Assert.DoesNotContain("distilled: reusing", changed);
    }

    [Fact]
    public void A_missing_data_folder_is_a_clear_error()
    {
        var (exitCode, _, error) = Run(data: Path.Combine(_output, "nowhere"));

        Assert.Equal(1, exitCode);
        Assert.Contains("nowhere", error);
        Assert.DoesNotContain("   at ", error); // a message, not a stack trace
    }

    [Fact]
    public void Summary_prints_compile_time_facts_without_training()
    {
        var (exitCode, output, _) = ExampleProcess.Run("FashionMnist", "fashion-mnist", "summary");

        Assert.Equal(0, exitCode);
        Assert.Contains("Trainable params: 824,650", output);
        Assert.Contains("Compression: 8.1x", output);
    }
}
