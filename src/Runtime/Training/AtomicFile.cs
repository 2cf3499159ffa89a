using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace DslKd;

/// <summary>
/// Writes a file so that a crash at any moment leaves either the old file or the complete new one, never a torn one:
/// the content goes to a temporary file in the same folder (<c>.&lt;name&gt;.&lt;pid&gt;.&lt;random&gt;.tmp</c>), is
/// flushed to disk, and is renamed over the target. A temporary file a killed process left behind is deleted by the
/// next write into the same folder, once its process is gone (see <see cref="DeleteStaleTemporaryFiles"/>).
/// </summary>
public static partial class AtomicFile
{
    // Tests wrap the temporary file's stream (a full disk, a crash mid-write) for the code running in their flow only.
    private static readonly AsyncLocal<Func<Stream, Stream>?> InjectedStream = new();

    // Before this version the random part was a 32-digit GUID and there was no process id: such files cannot be matched
    // to a process, so they are deleted only once nobody has written them for a while.
    private static readonly TimeSpan LegacyTemporaryAge = TimeSpan.FromMinutes(10);

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <exception cref="IOException">The file could not be written (a full disk, a read-only folder); names the file. The previous file, if any, is unchanged.</exception>
    public static void Write(string path, Action<BinaryWriter> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temporary = Path.Combine(directory, TemporaryName(Path.GetFileName(fullPath)));
        try
        {
            Directory.CreateDirectory(directory);
            DeleteStaleTemporaryFiles(directory);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                var stream = InjectedStream.Value is { } inject ? inject(file) : file;
                using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    write(writer);
                    writer.Flush();
                }
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (IOException e)
        {
            throw new IOException($"Could not write '{path}': {e.Message} The previous file, if any, is unchanged.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Could not write '{path}': {e.Message} Check that the folder is writable.", e);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="path"/> as UTF-8 (without a byte-order mark), atomically: a
    /// reader sees the old text or the new text, never part of it, even if the process is killed or the disk fills up
    /// during the write (the temporary file is removed and the exception propagates; the old file is untouched).
    /// </summary>
    /// <param name="path">The file to write; its folder is created if missing.</param>
    /// <param name="contents">The text.</param>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents);
        Write(path, writer => writer.Write(bytes));
    }

    /// <summary>
    /// Deletes the temporary files of <see cref="Write"/> in <paramref name="directory"/> whose writer is gone: a process
    /// killed mid-write (or a machine that lost power) leaves one behind, which may be large (a teacher cache). A file is
    /// deleted only when it matches DslKd's naming pattern and the process id in its name belongs to no live process, or
    /// to one started after the file was last written (the id was reused); a live writer's file is never touched.
    /// Files of other programs are never touched. Errors are ignored: this is housekeeping.
    /// </summary>
    /// <returns>How many files were deleted.</returns>
    public static int DeleteStaleTemporaryFiles(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        var deleted = 0;
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                if (IsStale(file) && TryDelete(file)) deleted++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder went away or cannot be listed: nothing to clean here.
        }
        return deleted;
    }

    /// <summary>Wraps the temporary file's stream of every write in this asynchronous flow (tests: a full disk, a crash mid-write).</summary>
    internal static IDisposable InjectStream(Func<Stream, Stream> wrap)
    {
        var previous = InjectedStream.Value;
        InjectedStream.Value = wrap;
        return new Restore(() => InjectedStream.Value = previous);
    }

    /// <summary>The temporary name for <paramref name="fileName"/>: hidden, with this process's id and a random part.</summary>
    internal static string TemporaryName(string fileName) =>
        $".{fileName}.{Environment.ProcessId}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";

    private static bool IsStale(string file)
    {
        var name = Path.GetFileName(file);
        DateTime lastWrite;
        try
        {
            lastWrite = File.GetLastWriteTimeUtc(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        if (TemporaryPattern().Match(name) is { Success: true } match)
            return int.TryParse(match.Groups["pid"].ValueSpan, out var pid) && !WriterMayBeAlive(pid, lastWrite);
        return LegacyTemporaryPattern().IsMatch(name) && DateTime.UtcNow - lastWrite > LegacyTemporaryAge;
    }

    /// <summary>Whether process <paramref name="pid"/> may still be writing a file last written at <paramref name="lastWriteUtc"/>.</summary>
    private static bool WriterMayBeAlive(int pid, DateTime lastWriteUtc)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // Process ids are reused (small containers reuse them quickly, even for this very process): a process started
            // after the file was last written cannot have written it. A second of margin for clock granularity.
            return process.StartTime.ToUniversalTime() <= lastWriteUtc.AddSeconds(1);
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // cannot tell: leave it
        }
    }

    private static bool TryDelete(string file)
    {
        try
        {
            if (!File.Exists(file)) return false;
            File.Delete(file);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\..+\.(?<pid>[0-9]{1,10})\.[0-9a-f]{16}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryPattern();

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyTemporaryPattern();

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
