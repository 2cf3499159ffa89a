using System.Diagnostics;
using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>One run per folder: a second is refused with a message naming the first, and a dead run holds nothing.</summary>
public sealed class FolderLockTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-lock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_second_acquire_is_refused_naming_the_folder_and_the_holder_until_the_first_is_released()
    {
        var first = FolderLock.Acquire(_directory, "training the teacher");
        var full = Path.GetFullPath(_directory);

        // In the same process too: each acquisition is its own open file, and the lock is the file's.
        var error = Assert.Throws<IOException>(() => FolderLock.Acquire(_directory, "a second run"));

        Assert.Contains($"The folder {full} is in use by another run (process {Environment.ProcessId} on {Environment.MachineName}, started ", error.Message);
        Assert.Contains("Z: training the teacher)", error.Message);
        Assert.Contains("wait for that run to finish or stop it, or give this one another folder", error.Message);
        Assert.Contains(Path.Combine(full, FolderLock.FileName), error.Message);
        Assert.Equal((full, "training the teacher"), (first.Directory, first.Purpose));
        Assert.Contains("purpose: training the teacher", ReadShared(Path.Combine(full, FolderLock.OwnerFileName)));

        first.Dispose();
        first.Dispose(); // twice is harmless
        Assert.False(File.Exists(Path.Combine(full, FolderLock.OwnerFileName)));
        using var second = FolderLock.Acquire(_directory, "a second run");
        Assert.Contains("purpose: a second run", ReadShared(Path.Combine(full, FolderLock.OwnerFileName)));
    }

    [Fact]
    public void A_lock_held_by_another_process_is_refused_and_released_by_the_system_when_that_process_dies()
    {
        Directory.CreateDirectory(_directory);
        var lockFile = Path.Combine(_directory, FolderLock.FileName);
        // util-linux flock(1) takes the same exclusive flock .NET takes for FileShare.None, in another process that
        // says nothing about itself.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--close", lockFile, "sleep", "60"]) { UseShellExecute = false })!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IOException? refused = null;
        while (refused is null && DateTime.UtcNow < deadline)
        {
            try
            {
                FolderLock.Acquire(_directory, "probe").Dispose(); // flock has not taken it yet
                Thread.Sleep(50);
            }
            catch (IOException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("is in use by another run (which has not said who it is", refused.Message);

        holder.Kill(entireProcessTree: true); // SIGKILL: nothing of the holder runs any more
        holder.WaitForExit();
        using var acquired = FolderLock.Acquire(_directory, "after the holder died");
        Assert.Equal(Path.GetFullPath(_directory), acquired.Directory);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}
