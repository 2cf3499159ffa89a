using System.Text.Json;
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

    private (int ExitCode, string Output, string Error) Run(string? data = null) =>
        ExampleProcess.Run("FashionMnist", "fashion-mnist",
        [
            "run", "--output", _output, "--data", data ?? EmbeddedSubset, "--limit-train", "600", "--limit-test", "200",
            "--teacher-epochs", "1", "--student-epochs", "2", "--distil-epochs", "2", "--threads", "2",
        ]);

    [Fact]
    public void Main_job_trains_three_models_and_writes_the_report_and_plots()
    {
        var (exitCode, output, error) = Run();

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains("600 class-balanced train samples", output);
        foreach (var file in new[] { "results.md", "results.json", "training-curves.png", "confusion-distilled.png", "teacher.dkd", "student-alone.dkd", "distilled.dkd" })
            Assert.True(File.Exists(Path.Combine(_output, file)), $"{file} is missing");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_output, "results.json")));
        foreach (var model in new[] { "Teacher", "StudentAlone", "Distilled" })
        {
            var accuracy = json.RootElement.GetProperty(model).GetProperty("Test").GetProperty("Accuracy").GetDouble();
            Assert.InRange(accuracy, 0.3, 1.0); // far above the 10% of guessing even after 1-2 epochs on 600 images
        }
        Assert.Contains("Distillation gain over the student alone", File.ReadAllText(Path.Combine(_output, "results.md")));
    }

    [Fact]
    public void Augmented_training_runs_the_teacher_online_and_retrains_instead_of_reusing()
    {
        Assert.Equal(0, Run().ExitCode);

        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            "distill", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600", "--limit-test", "200",
            "--teacher-epochs", "1", "--distil-epochs", "2", "--threads", "2", "--augment");

        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("reusing", output); // augmented models are other models
        Assert.DoesNotContain("teacher outputs", output); // no cache with augmentation
    }

    [Fact]
    public void A_second_run_reuses_the_trained_models()
    {
        Assert.Equal(0, Run().ExitCode);

        var (exitCode, output, _) = Run();

        Assert.Equal(0, exitCode);
        Assert.Contains("teacher: reusing", output);
        Assert.Contains("distilled: reusing", output);
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
