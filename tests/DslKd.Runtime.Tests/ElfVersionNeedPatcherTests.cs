using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DslKd.Build;
using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The ELF patch behind DslKd.targets, run on a copy of the real libLibTorchSharp.so from the NuGet cache
/// (the copy in this project's own output is already patched by that build step).
/// </summary>
public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private const string Version = ElfVersionNeedTestFiles.MissingVersion;

    private readonly string _directory = Directory.CreateTempSubdirectory("dslkd-elf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [UnpatchedLibTorchSharpFact]
    public void MarkVersionNeedWeak_SetsOnlyTheWeakBitOfTheRequiredEntry()
    {
        string library = CopyOfUnpatchedLibrary();
        byte[] before = File.ReadAllBytes(library);

        PatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(library, Version);

        Assert.Equal(PatchResult.Patched, result);
        Assert.Equal(VersionNeedState.Weak, ElfVersionNeedPatcher.GetVersionNeedState(library, Version));
        byte[] after = File.ReadAllBytes(library);
        Assert.Equal(before.Length, after.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        int offset = Assert.Single(changed);
        Assert.Equal(0x2, before[offset] ^ after[offset]); // VER_FLG_WEAK, and nothing else
    }

    [UnpatchedLibTorchSharpFact]
    public void MarkVersionNeedWeak_SecondRunReportsAlreadyWeakAndLeavesBytesIdentical()
    {
        string library = CopyOfUnpatchedLibrary();
        ElfVersionNeedPatcher.MarkVersionNeedWeak(library, Version);
        byte[] patched = File.ReadAllBytes(library);

        PatchResult second = ElfVersionNeedPatcher.MarkVersionNeedWeak(library, Version);

        Assert.Equal(PatchResult.AlreadyWeak, second);
        Assert.Equal(patched, File.ReadAllBytes(library));
    }

    [UnpatchedLibTorchSharpFact]
    public void MarkVersionNeedWeak_KeepsTheLastWriteTimeSoIncrementalCopiesSkipTheFile()
    {
        string library = CopyOfUnpatchedLibrary();
        var timestamp = new DateTime(2026, 5, 7, 10, 3, 28, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(library, timestamp);

        ElfVersionNeedPatcher.MarkVersionNeedWeak(library, Version);

        Assert.Equal(timestamp, File.GetLastWriteTimeUtc(library));
    }

    [UnpatchedLibTorchSharpFact]
    public void MarkVersionNeedWeak_ReplacesASymbolicLinkInsteadOfWritingThroughIt()
    {
        string target = CopyOfUnpatchedLibrary();
        byte[] targetBefore = File.ReadAllBytes(target);
        string link = Path.Combine(_directory, "linked-libLibTorchSharp.so");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(PatchResult.Patched, ElfVersionNeedPatcher.MarkVersionNeedWeak(link, Version));

        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(VersionNeedState.Weak, ElfVersionNeedPatcher.GetVersionNeedState(link, Version));
        Assert.Equal(targetBefore, File.ReadAllBytes(target));
    }

    [UnpatchedLibTorchSharpFact]
    public void MarkVersionNeedWeak_OnACopyLeavesTheNuGetCacheFileUntouched()
    {
        string original = ElfVersionNeedTestFiles.UnpatchedLibTorchSharp!;
        string hashBefore = Sha256(original);

        ElfVersionNeedPatcher.MarkVersionNeedWeak(CopyOfUnpatchedLibrary(), Version);

        Assert.Equal(hashBefore, Sha256(original));
        Assert.Equal(VersionNeedState.Required, ElfVersionNeedPatcher.GetVersionNeedState(original, Version));
    }

    [UnpatchedLibTorchSharpTheory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(1024 * 1024)]
    public void MarkVersionNeedWeak_ReportsATruncatedLibraryAsNotElfAndLeavesItUnchanged(int length)
    {
        string truncated = Path.Combine(_directory, "truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(ElfVersionNeedTestFiles.UnpatchedLibTorchSharp!).Take(length).ToArray());
        byte[] before = File.ReadAllBytes(truncated);

        Assert.Equal(PatchResult.NotElf, ElfVersionNeedPatcher.MarkVersionNeedWeak(truncated, Version));
        Assert.Equal(before, File.ReadAllBytes(truncated));
    }

    [Fact]
    public void MarkVersionNeedWeak_ReportsGarbageAsNotElfAndLeavesItUnchanged()
    {
        string text = Path.Combine(_directory, "not-a-library.so");
        File.WriteAllText(text, "this is not an ELF file\n");
        string fakeElf = Path.Combine(_directory, "elf-header-then-garbage.so");
        File.WriteAllBytes(fakeElf, new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1 }.Concat(Enumerable.Repeat((byte)0xff, 4096)).ToArray());

        foreach (string file in new[] { text, fakeElf })
        {
            byte[] before = File.ReadAllBytes(file);
            Assert.Equal(PatchResult.NotElf, ElfVersionNeedPatcher.MarkVersionNeedWeak(file, Version));
            Assert.Equal(before, File.ReadAllBytes(file));
        }
    }

    [LinuxFact]
    public void MarkVersionNeedWeak_LeavesAnElfWithoutTheRequirementUnchanged()
    {
        string program = Path.Combine(_directory, "ls");
        File.Copy("/bin/ls", program);
        byte[] before = File.ReadAllBytes(program);

        Assert.Equal(PatchResult.NotNeeded, ElfVersionNeedPatcher.MarkVersionNeedWeak(program, Version));
        Assert.Equal(before, File.ReadAllBytes(program));
    }

    [LinuxFact]
    public void DefinesVersion_ReadsTheVersionDefinitionsOfTheHostLibStdCxx()
    {
        ushort machine = ElfVersionNeedPatcher.GetMachine("/bin/ls")!.Value;
        string? libStdCxx = ElfVersionNeedPatcher.FindHostLibStdCxx(machine);

        Assert.NotNull(libStdCxx);
        Assert.True(ElfVersionNeedPatcher.DefinesVersion(libStdCxx, "GLIBCXX_3.4"));
        Assert.False(ElfVersionNeedPatcher.DefinesVersion(libStdCxx, "GLIBCXX_999.0"));
    }

    [LinuxFact]
    public void FindHostLibStdCxx_IgnoresLibrariesBuiltForAnotherArchitecture()
    {
        const ushort noSuchMachine = 0xBEEF;

        Assert.Null(ElfVersionNeedPatcher.FindHostLibStdCxx(noSuchMachine));
    }

    [OutputLibTorchSharpOnOlderLibStdCxxFact]
    public void BuildOutputCopy_IsMarkedWeakWhenTheHostLibStdCxxLacksTheVersion()
    {
        Assert.Equal(VersionNeedState.Weak, ElfVersionNeedPatcher.GetVersionNeedState(ElfVersionNeedTestFiles.OutputLibTorchSharp, Version));
    }

    private string CopyOfUnpatchedLibrary()
    {
        string copy = Path.Combine(_directory, "libLibTorchSharp.so");
        File.Copy(ElfVersionNeedTestFiles.UnpatchedLibTorchSharp!, copy);
        return copy;
    }

    private static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}

internal static class ElfVersionNeedTestFiles
{
    public const string MissingVersion = "GLIBCXX_3.4.32";

    private const string LibraryName = "libLibTorchSharp.so";

    /// <summary>A libLibTorchSharp.so in the NuGet cache that still requires the version, or null.</summary>
    public static readonly string? UnpatchedLibTorchSharp = FindUnpatchedLibTorchSharp();

    /// <summary>The copy the build put into this test project's output.</summary>
    public static readonly string OutputLibTorchSharp =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LibraryName);

    public static bool HostLibStdCxxLacksMissingVersion()
    {
        ushort? machine = ElfVersionNeedPatcher.GetMachine(OutputLibTorchSharp);
        string? libStdCxx = machine == null ? null : ElfVersionNeedPatcher.FindHostLibStdCxx(machine.Value);
        return libStdCxx != null && !ElfVersionNeedPatcher.DefinesVersion(libStdCxx, MissingVersion);
    }

    private static string? FindUnpatchedLibTorchSharp()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string torchSharp = Path.Combine(packages, "torchsharp");
        if (!Directory.Exists(torchSharp))
        {
            return null;
        }

        return Directory.EnumerateDirectories(torchSharp)
            .Select(version => Path.Combine(version, "runtimes", "linux-x64", "native", LibraryName))
            .Where(File.Exists)
            .OrderByDescending(path => path, StringComparer.Ordinal)
            .FirstOrDefault(path => ElfVersionNeedPatcher.GetVersionNeedState(path, MissingVersion) == VersionNeedState.Required);
    }
}

public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            Skip = "Needs Linux ELF binaries.";
        }
    }
}

public sealed class UnpatchedLibTorchSharpFactAttribute : FactAttribute
{
    public UnpatchedLibTorchSharpFactAttribute() => Skip = UnpatchedLibTorchSharpSkipReason.Value;
}

public sealed class UnpatchedLibTorchSharpTheoryAttribute : TheoryAttribute
{
    public UnpatchedLibTorchSharpTheoryAttribute() => Skip = UnpatchedLibTorchSharpSkipReason.Value;
}

public sealed class OutputLibTorchSharpOnOlderLibStdCxxFactAttribute : FactAttribute
{
    public OutputLibTorchSharpOnOlderLibStdCxxFactAttribute()
    {
        if (!File.Exists(ElfVersionNeedTestFiles.OutputLibTorchSharp))
        {
            Skip = $"No libLibTorchSharp.so in the test output ({ElfVersionNeedTestFiles.OutputLibTorchSharp}).";
        }
        else if (!ElfVersionNeedTestFiles.HostLibStdCxxLacksMissingVersion())
        {
            Skip = $"The host libstdc++ defines {ElfVersionNeedTestFiles.MissingVersion}, so the build leaves the library alone.";
        }
    }
}

internal static class UnpatchedLibTorchSharpSkipReason
{
    public static string? Value => ElfVersionNeedTestFiles.UnpatchedLibTorchSharp == null
        ? $"No libLibTorchSharp.so requiring {ElfVersionNeedTestFiles.MissingVersion} in the NuGet cache (restore TorchSharp 0.107.0 first)."
        : null;
}
