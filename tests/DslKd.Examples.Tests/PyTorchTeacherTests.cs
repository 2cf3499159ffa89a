using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>The PyTorch-teacher example end to end: PyTorch's weights and TorchScript in, a distilled student out.</summary>
public class PyTorchTeacherTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "dslkd-pytorch-teacher-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    [Theory]
    [InlineData("safetensors")]
    [InlineData("TorchScript")]
    public void The_pytorch_teacher_reproduces_its_accuracy_and_the_student_is_saved_under_pytorch_names(string route)
    {
        string[] arguments = route == "TorchScript" ? ["--epochs", "1", "--out", _out, "--torchscript"] : ["--epochs", "1", "--out", _out];
        var (exitCode, output, error) = ExampleProcess.Run("PyTorchTeacher", "pytorch-teacher", arguments);

        Assert.True(exitCode == 0, output + error);
        var teacher = Regex.Match(output, @$"teacher \({route}\): test accuracy ([\d.]+) % here, ([\d.]+) % in PyTorch [^;]+; largest logit difference (\S+)");
        Assert.True(teacher.Success, output);
        Assert.Equal(teacher.Groups[2].Value, teacher.Groups[1].Value);
        Assert.True(double.Parse(teacher.Groups[3].Value, CultureInfo.InvariantCulture) < 1e-4, teacher.Value);
        Assert.Matches(@"student: test accuracy \d", output);
        Assert.True(File.Exists(Path.Combine(_out, "fashion_mlp.safetensors")));
        Assert.Equal(["hidden.bias", "hidden.weight", "out.bias", "out.weight"],
            PyTorchWeights.Read(Path.Combine(_out, "fashion_mlp.pt")).Select(t => t.Name).Order());
    }
}
