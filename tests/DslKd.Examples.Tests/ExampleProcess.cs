using System.Diagnostics;

namespace DslKd.Examples.Tests;

/// <summary>Runs an example program's built output as a separate process and captures what it prints.</summary>
internal static class ExampleProcess
{
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DslKd.sln"))) directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("DslKd.sln not found above the test output folder.");
        }
    }

    public static (int ExitCode, string Output, string Error) Run(string project, string assembly, params string[] arguments)
    {
        var directory = AppContext.BaseDirectory.Replace(Path.Combine("tests", "DslKd.Examples.Tests"), Path.Combine("examples", project));
        var program = Path.Combine(directory, assembly + ".dll");
        if (!File.Exists(program)) throw new FileNotFoundException($"The example was not built: {program}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, output.Result, error.Result);
    }
}
