using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace DslKd.Package.Tests;

/// <summary>
/// The repository stands on its own: what a clean clone holds (the files git tracks) names no document that is not
/// in it and no folder of the machine it was written on, and carries no run output. The strings searched for are put
/// together at run time, so this file does not trip its own check.
/// </summary>
public sealed class RepositoryTests
{
    /// <summary>The tracked folders and files whose text is checked.</summary>
    private static readonly string[] Checked = ["src/", "docs/", "examples/", "bench/", "tests/", "templates/", "README.md"];

    // A design document that was never in the repository; every fact once cited from it is stated where it is used.
    private static readonly string MissingDocument = string.Concat("DESIGN", ".", "md");

    // An absolute path into a home or work folder of the machine: "/" + work-or-root + "/" where no path, word or "~"
    // character comes before the first slash (so a relative "examples/work/..." is not one).
    private static readonly Regex MachinePath = new(@"(?<![\w.~-])/(?:" + string.Join('|', "work", "root") + ")/", RegexOptions.CultureInvariant);

    [Fact]
    public void Tracked_sources_and_docs_name_no_missing_design_document_and_no_machine_path()
    {
        var root = RepositoryRoot();
        var offences = new List<string>();
        foreach (var file in TrackedFiles(root).Where(path => Checked.Any(prefix => prefix.EndsWith('/') ? path.StartsWith(prefix, StringComparison.Ordinal) : path == prefix)))
        {
            var full = Path.Combine(root, file);
            if (!File.Exists(full)) continue; // deleted in the working tree, not yet committed
            var bytes = File.ReadAllBytes(full);
            if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8000)) >= 0) continue; // binary (git's own test)
            var lines = File.ReadAllLines(full);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains(MissingDocument, StringComparison.Ordinal)) offences.Add($"{file}:{i + 1}: names {MissingDocument}, which is not in the repository: {lines[i].Trim()}");
                if (MachinePath.Match(lines[i]) is { Success: true } match) offences.Add($"{file}:{i + 1}: absolute machine path {match.Value}...: {lines[i].Trim()}");
            }
        }

        Assert.True(offences.Count == 0,
            $"State the fact (with its source) or point to a file in the repository; use paths relative to the repository:\n{string.Join('\n', offences)}");
    }

    [Fact]
    public void Nothing_under_runs_is_tracked()
    {
        var tracked = TrackedFiles(RepositoryRoot()).Where(path => path.StartsWith("runs/", StringComparison.Ordinal)).ToList();

        Assert.True(tracked.Count == 0,
            "runs/ is run output (trained models, caches, plots; listed in .gitignore) and must not be tracked; " +
            $"`git rm -r --cached runs/` untracks it and keeps the files:\n{string.Join('\n', tracked)}");
    }

    /// <summary>The repository root: the first folder above the test output that holds .git (a folder, or a file in a worktree).</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var git = Path.Combine(directory.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git)) return directory.FullName;
        }
        throw new InvalidOperationException(
            $"No .git above {AppContext.BaseDirectory}: these tests read the tracked files with `git ls-files` and need a git checkout.");
    }

    /// <summary>Every tracked path, relative to the root with '/' separators, as `git ls-files` lists them.</summary>
    private static List<string> TrackedFiles(string root)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-C", root, "ls-files", "-z" }) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("git did not start.");
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException($"git is not available ({error.Message}): these tests read the tracked files with `git ls-files`; install git.", error);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"`git -C {root} ls-files` exited with code {process.ExitCode}: {error.Result}");
            var files = output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (files.Count == 0) throw new InvalidOperationException($"`git -C {root} ls-files` listed no files.");
            return files;
        }
    }
}
