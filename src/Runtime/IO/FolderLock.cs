using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace DslKd;

/// <summary>
/// An exclusive claim on a folder for one run, so two runs sharing an output or checkpoint folder cannot destroy each
/// other's files: the second is refused with a message naming the first. Hold it (<c>using var folder = FolderLock.Acquire(...)</c>)
/// for as long as the run writes to the folder.
/// </summary>
/// <remarks>
/// <para>
/// The lock is the file <see cref="FileName"/> in the folder, held open with <see cref="FileShare.None"/>: on Linux and
/// macOS .NET takes an exclusive <c>flock</c> on it, on Windows the open itself excludes every other. It is released
/// by <see cref="Dispose"/> and, because it is a property of the open file, by the operating system when the process
/// ends in any way (a crash or <c>kill -9</c> leaves no stale lock to clean up). Two acquisitions in the same process
/// exclude each other too.
/// </para>
/// <para>
/// The lock file holds who took it (process id, machine, start time, purpose), for people (<c>cat .dslkd.lock</c>); a
/// held file cannot be opened by another .NET process, so the same text is also written to <see cref="OwnerFileName"/>,
/// which the refusal message quotes. The lock file itself stays in the folder after release: deleting it while another
/// run may be opening it would let two runs each lock a different file of the same name.
/// </para>
/// <para>
/// The lock is advisory: it excludes other <see cref="FolderLock"/>s (and any program locking the file the same way),
/// not a program that writes the folder without asking. .NET's file locking can be switched off process-wide
/// (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1</c>); a process started that way takes no lock.
/// </para>
/// </remarks>
public sealed class FolderLock : IDisposable
{
    /// <summary>The lock file's name in the locked folder.</summary>
    public const string FileName = ".dslkd.lock";

    /// <summary>The name of the file, beside the lock, that says who holds it (readable while the lock is held).</summary>
    public const string OwnerFileName = ".dslkd.lock.owner";

    // errno EWOULDBLOCK (Linux, macOS: flock refused) and ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION (Windows), as
    // .NET reports them in IOException.HResult.
    private static readonly int[] HeldErrors = [11, 35, unchecked((int)0x80070020), unchecked((int)0x80070021)];

    private FileStream? _stream;

    private FolderLock(string directory, string purpose, FileStream stream)
    {
        (Directory, Purpose, _stream) = (directory, purpose, stream);
    }

    /// <summary>The locked folder (full path).</summary>
    public string Directory { get; }

    /// <summary>What the run holding the lock said it is doing.</summary>
    public string Purpose { get; }

    /// <summary>The lock file.</summary>
    public string FilePath => Path.Combine(Directory, FileName);

    /// <summary>
    /// Takes the folder <paramref name="directory"/> (created if missing) for this process, or fails at once if another
    /// run holds it.
    /// </summary>
    /// <param name="directory">The folder to lock.</param>
    /// <param name="purpose">What this run is, shown to a run refused because of it (e.g. the command line).</param>
    /// <returns>The lock; dispose it to release the folder.</returns>
    /// <exception cref="IOException">Another run holds the folder; the message names the folder, that run (process id, machine, start time, purpose) and what to do.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static FolderLock Acquire(string directory, string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(purpose);
        var full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        var path = Path.Combine(full, FileName);

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (Array.IndexOf(HeldErrors, e.HResult) >= 0)
        {
            throw new IOException(
                $"The folder {full} is in use by another run ({DescribeOwner(full)}). Two runs writing one folder destroy each other's " +
                $"files, so this one stops before writing anything: wait for that run to finish or stop it, or give this one another folder. " +
                $"(The lock is {path}; it is released when that process ends, however it ends.)", e);
        }

        var owner = string.Create(CultureInfo.InvariantCulture,
            $"pid: {Environment.ProcessId}\nmachine: {Environment.MachineName}\nstarted: {StartTime():yyyy-MM-dd HH:mm:ss}Z\npurpose: {OneLine(purpose)}\n");
        try
        {
            var bytes = Encoding.UTF8.GetBytes(owner);
            stream.SetLength(0);
            stream.Write(bytes);
            stream.Flush();
            AtomicFile.WriteAllText(Path.Combine(full, OwnerFileName), owner);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new FolderLock(full, purpose, stream);
    }

    /// <summary>Releases the folder (and removes <see cref="OwnerFileName"/>); the lock file stays. Calling it again does nothing.</summary>
    public void Dispose()
    {
        var stream = _stream;
        if (stream is null) return;
        _stream = null;
        // While the lock is still held, so a run that takes it next cannot have written its own owner file yet.
        try
        {
            File.Delete(Path.Combine(Directory, OwnerFileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stale owner file is only misleading text; the next holder overwrites it.
        }
        stream.Dispose();
    }

    private static string DescribeOwner(string directory)
    {
        var ownerPath = Path.Combine(directory, OwnerFileName);
        try
        {
            var fields = new System.Collections.Generic.Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in File.ReadAllLines(ownerPath))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            string Field(string name) => fields.TryGetValue(name, out var value) && value.Length > 0 ? value : "?";
            return $"process {Field("pid")} on {Field("machine")}, started {Field("started")}: {Field("purpose")}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The holder has not written it yet, or it was removed.
            return $"which has not said who it is: {ownerPath} cannot be read";
        }
    }

    private static DateTime StartTime()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return DateTime.UtcNow;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
