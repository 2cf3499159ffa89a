using System.Diagnostics;
using System.Text;

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

    public static (int ExitCode, string Output, string Error) Run(string project, string assembly, params string[] arguments) =>
        RunWith([], project, assembly, arguments);

    /// <summary>Runs the example through <paramref name="prefix"/> (a program and its arguments that run the rest, such as <c>setpriv ...</c>), or directly when it is empty.</summary>
    public static (int ExitCode, string Output, string Error) RunWith(string[] prefix, string project, string assembly, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(prefix, project, assembly, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>
    /// Runs the example until it prints a line <paramref name="killAt"/> accepts, then kills it with SIGKILL (no clean-up
    /// runs), as a crash or <c>kill -9</c> would.
    /// </summary>
    /// <returns>What it printed, and whether it was killed (false: it ended first).</returns>
    public static (bool Killed, string Output) RunAndKill(string project, string assembly, Func<string, bool> killAt, params string[] arguments)
    {
        using var process = new Process { StartInfo = StartInfo([], project, assembly, arguments) };
        var output = new StringBuilder();
        var killed = false;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (!killed && killAt(e.Data))
            {
                killed = true;
                process.Kill(entireProcessTree: true);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        lock (output) return (killed, output.ToString());
    }

    private static ProcessStartInfo StartInfo(string[] prefix, string project, string assembly, string[] arguments)
    {
        var directory = AppContext.BaseDirectory.Replace(Path.Combine("tests", "DslKd.Examples.Tests"), Path.Combine("examples", project));
        var program = Path.Combine(directory, assembly + ".dll");
        if (!File.Exists(program)) throw new FileNotFoundException($"The example was not built: {program}");
        var start = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in prefix.Skip(1)) start.ArgumentList.Add(argument);
        if (prefix.Length > 0) start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
