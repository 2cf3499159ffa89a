using System.Diagnostics;
using System.Text;

namespace DslKd.Package.Tests;

/// <summary>What a `dotnet` child process did: its exit code and everything it printed (stdout and stderr interleaved).</summary>
public sealed record DotNetResult(string CommandLine, string WorkingDirectory, int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>A failure message that says what ran, where, how it ended, and all it printed.</summary>
    public string Describe(string what) =>
        $"{what}\n`{CommandLine}` in {WorkingDirectory} " +
        (TimedOut ? $"timed out after {Elapsed.TotalSeconds:F0} s and was killed" : $"exited with code {ExitCode} after {Elapsed.TotalSeconds:F0} s") +
        $". Its output:\n{Output}";
}

/// <summary>Runs the `dotnet` CLI as a child process, the way a customer runs it in a terminal.</summary>
public static class DotNet
{
    /// <summary>
    /// Variables that `dotnet test` (MSBuild, VSTest) sets for the test process and that must not leak into a
    /// separate, top-level `dotnet` invocation.
    /// </summary>
    private static readonly string[] InheritedBuildVariables =
    [
        "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly",
        "MSBUILDNOINPROCNODE", "_MSBUILDTLENABLED", "VSTEST_HOST_DEBUG", "DOTNET_HOST_PATH",
    ];

    public static DotNetResult Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments) =>
        RunProgram("dotnet", workingDirectory, environment, timeout, arguments);

    /// <summary>Runs a bash script with the environment a `dotnet` command gets here, as a customer runs commands in a terminal.</summary>
    public static DotNetResult RunBash(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, string script) =>
        RunProgram("bash", workingDirectory, environment, timeout, "-c", script);

    private static DotNetResult RunProgram(string program, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in InheritedBuildVariables) start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No MSBuild worker nodes outliving the command (they would also hold its output pipes open).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        var commandLine = program + " " + string.Join(' ', arguments.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExit(timeout);
        if (!exited)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        // Collect the rest of the output, but don't wait forever if a server process (the compiler server) the build
        // started inherited the pipes and keeps them open.
        try { process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { }
        clock.Stop();

        string text;
        lock (output) text = output.ToString();
        return new DotNetResult(commandLine, workingDirectory, exited ? process.ExitCode : -1, text, clock.Elapsed, !exited);
    }
}
