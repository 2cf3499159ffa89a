using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>
/// The student shipped: `fashion-mnist export` trains a student (briefly) and writes its .onnx files, and
/// examples/DeployStudent, which has neither TorchSharp nor DslKd, classifies the test images with them and reports the
/// accuracy the export measured.
/// </summary>
public class DeployStudentTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "dslkd-deploy-" + Guid.NewGuid().ToString("N"));

    private static readonly string EmbeddedSubset = Path.Combine(ExampleProcess.RepositoryRoot, "data", "fashion-mnist-subset");

    public void Dispose()
    {
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    [Fact]
    public void Exported_student_runs_in_the_deployment_app_with_the_accuracy_the_export_measured()
    {
        var (exitCode, output, error) = ExampleProcess.Run("FashionMnist", "fashion-mnist",
            "export", "--model", "student-alone", "--output", _output, "--data", EmbeddedSubset, "--limit-train", "3000",
            "--student-epochs", "2", "--threads", "2");
        Assert.True(exitCode == 0, $"export: exit {exitCode}\n{output}\n{error}");
        var exported = Regex.Matches(output, @"ONNX Runtime (float32|int8): (\S+) \(\d+ KiB\), accuracy ([\d.]+)% on 2,000 test images, top-1 agreement with TorchSharp ([\d.]+)%")
            .ToDictionary(m => m.Groups[1].Value, m => (Path: m.Groups[2].Value, Accuracy: m.Groups[3].Value, Agreement: double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)));
        Assert.True(exported.Count == 2, output);
        Assert.Equal(100.0, exported["float32"].Agreement);
        Assert.True(exported["int8"].Agreement >= 98, output);

        foreach (var (kind, file) in exported)
        {
            Assert.Equal(Path.Combine(_output, kind == "int8" ? "student-alone.int8.onnx" : "student-alone.onnx"), file.Path);
            var (deployExit, deployOutput, deployError) = ExampleProcess.Run("DeployStudent", "deploy-student", file.Path, "--data", EmbeddedSubset, "--threads", "2");
            Assert.True(deployExit == 0, $"deploy-student: exit {deployExit}\n{deployOutput}\n{deployError}");
            Assert.Contains("(FashionMlp, ", deployOutput);
            Assert.Contains($"Accuracy: {file.Accuracy}% (", deployOutput);
            Assert.InRange(double.Parse(file.Accuracy, CultureInfo.InvariantCulture), 60, 100); // trained, not guessing
        }
    }

    [Fact]
    public void The_deployment_app_carries_no_TorchSharp_and_no_DslKd()
    {
        var folder = AppContext.BaseDirectory.Replace(Path.Combine("tests", "DslKd.Examples.Tests"), Path.Combine("examples", "DeployStudent"));
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();

        Assert.Contains("Microsoft.ML.OnnxRuntime.dll", files);
        Assert.DoesNotContain(files, f => f!.Contains("TorchSharp", StringComparison.OrdinalIgnoreCase) || f.StartsWith("libtorch", StringComparison.Ordinal) || f.StartsWith("DslKd", StringComparison.Ordinal));
        var dependencies = File.ReadAllText(Path.Combine(folder, "deploy-student.deps.json"));
        Assert.DoesNotContain("TorchSharp", dependencies);
        Assert.DoesNotContain("DslKd", dependencies);
    }

    [Fact]
    public void The_deployment_app_explains_a_missing_model()
    {
        var (exitCode, _, error) = ExampleProcess.Run("DeployStudent", "deploy-student", Path.Combine(_output, "none.onnx"), "--data", EmbeddedSubset);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", error);
    }
}
