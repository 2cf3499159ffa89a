using System.Diagnostics;
using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>Runs DslKd.TrainingProcess (a fresh process, built beside the tests) to its end.</summary>
internal static class TrainingProcessRunner
{
    /// <summary>The process's program, checked to be built.</summary>
    public static string Program
    {
        get
        {
            var program = Path.Combine(AppContext.BaseDirectory.Replace("DslKd.Runtime.Tests", "DslKd.TrainingProcess"), "DslKd.TrainingProcess.dll");
            Assert.True(File.Exists(program), $"the training process was not built: {program}");
            return program;
        }
    }

    /// <summary>Runs it with <paramref name="arguments"/> and, if given, extra environment variables; returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
