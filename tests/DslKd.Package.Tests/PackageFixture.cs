using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DslKd.Package.Tests;

/// <summary>
/// Packs DslKd and DslKd.Templates once for all the tests of a class, from the current sources, into a temporary folder
/// outside the repository, with a version no other run uses (so no NuGet cache can hold a stale copy). Customer
/// projects are created below <see cref="Root"/>, where a nuget.config adds the packed folder as a package source and a
/// packages folder of their own receives DslKd (TorchSharp is read from the machine's packages folder, never written).
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public PackageFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Root = Path.Combine(Path.GetTempPath(), "dslkd-package-tests", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        if (Path.GetFullPath(Root).StartsWith(RepositoryRoot, StringComparison.Ordinal))
            throw new InvalidOperationException($"The temporary folder {Root} is inside the repository; set TMPDIR elsewhere.");
        Directory.CreateDirectory(Root);
        Version = $"{RepositoryVersion(RepositoryRoot)}-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

        var clock = Stopwatch.StartNew();
        Feed = Pack(Path.Combine(RepositoryRoot, "src", "Runtime", "DslKd.Runtime.csproj"), "feed");
        PackageFile = Path.Combine(Feed, $"DslKd.{Version}.nupkg");
        if (!File.Exists(PackageFile))
            throw new InvalidOperationException($"dotnet pack did not create {PackageFile}; {Feed} holds: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        var templates = Pack(Path.Combine(RepositoryRoot, "templates", "DslKd.Templates.csproj"), "templates");
        TemplatePackageFile = Path.Combine(templates, $"DslKd.Templates.{Version}.nupkg");
        if (!File.Exists(TemplatePackageFile))
            throw new InvalidOperationException($"dotnet pack did not create {TemplatePackageFile}.");
        PackDuration = clock.Elapsed;

        PackagesFolder = Path.Combine(Root, "packages");
        CustomerEnvironment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = PackagesFolder };
        WriteCustomerConfiguration();
    }

    /// <summary>The repository (the folder of DslKd.sln).</summary>
    public string RepositoryRoot { get; }

    /// <summary>This run's temporary folder; deleted at the end unless DSLKD_KEEP_PACKAGE_TESTS=1.</summary>
    public string Root { get; }

    /// <summary>The version both packages were packed with, e.g. 0.1.0-test.20261124172000.1234.</summary>
    public string Version { get; }

    /// <summary>The folder holding DslKd.&lt;Version&gt;.nupkg, a package source of the customer projects.</summary>
    public string Feed { get; }

    public string PackageFile { get; }

    public string TemplatePackageFile { get; }

    /// <summary>The customer projects' NuGet packages folder (NUGET_PACKAGES).</summary>
    public string PackagesFolder { get; }

    /// <summary>Environment of every `dotnet` command run on a customer project.</summary>
    public IReadOnlyDictionary<string, string?> CustomerEnvironment { get; }

    public TimeSpan PackDuration { get; }

    /// <summary>A new, empty folder for one customer project, below the nuget.config.</summary>
    public string NewProjectDirectory(string name)
    {
        var directory = Path.Combine(Root, "projects", name);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Runs `dotnet` on a customer project with the customer environment.</summary>
    public DotNetResult Customer(string directory, TimeSpan timeout, params string[] arguments) =>
        DotNet.Run(directory, CustomerEnvironment, timeout, arguments);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("DSLKD_KEEP_PACKAGE_TESTS") == "1") return;
        try
        {
            Directory.Delete(Root, recursive: true);
            var parent = Path.GetDirectoryName(Root)!;
            if (!Directory.EnumerateFileSystemEntries(parent).Any()) Directory.Delete(parent);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private string Pack(string project, string output)
    {
        var folder = Path.Combine(Root, output);
        // --artifacts-path keeps this build's bin and obj out of the repository, where other builds may be running.
        var result = DotNet.Run(RepositoryRoot, null, BuildTimeout,
            "pack", project, "-c", "Release", "-o", folder, "--artifacts-path", Path.Combine(Root, "artifacts"),
            $"-p:Version={Version}", "-nodeReuse:false");
        if (!result.Succeeded) throw new InvalidOperationException(result.Describe($"Packing {Path.GetFileName(project)} failed."));
        return folder;
    }

    /// <summary>
    /// nuget.config for everything below <see cref="Root"/>: the packed folder as an extra source (the configured ones,
    /// from which TorchSharp restores, stay), and the machine's packages folder as a read-only fallback so that
    /// TorchSharp's native packages (hundreds of MB) are not extracted again. Empty Directory.Build files stop MSBuild
    /// from picking up any further up the tree.
    /// </summary>
    private void WriteCustomerConfiguration()
    {
        var machinePackages = MachinePackagesFolder();
        var fallback = machinePackages is not null && Directory.Exists(machinePackages)
            ? $"""
                <fallbackPackageFolders>
                  <add key="machine" value="{machinePackages}" />
                </fallbackPackageFolders>
              """
            : "";
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{PackagesFolder}" />
              </config>
              <packageSources>
                <add key="dslkd-under-test" value="{Feed}" />
              </packageSources>
            {fallback}
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
    }

    private static string? MachinePackagesFolder()
    {
        var result = DotNet.Run(Path.GetTempPath(), null, TimeSpan.FromMinutes(1), "nuget", "locals", "global-packages", "--list");
        var match = Regex.Match(result.Output, @"global-packages:\s*(.+)");
        return result.Succeeded && match.Success ? match.Groups[1].Value.Trim() : null;
    }

    private static string RepositoryVersion(string repositoryRoot)
    {
        var props = File.ReadAllText(Path.Combine(repositoryRoot, "Directory.Build.props"));
        var match = Regex.Match(props, @"<Version>\s*([0-9]+\.[0-9]+\.[0-9]+)[^<]*</Version>");
        return match.Success ? match.Groups[1].Value : "0.0.0";
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DslKd.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("DslKd.sln not found above the test output folder.");
    }
}
