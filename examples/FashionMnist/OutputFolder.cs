using DslKd;

namespace FashionMnistExample;

/// <summary>
/// The output folder, claimed before anything is written: created, checked to be writable (so a read-only folder fails
/// at once, not after the training it could not save), and locked for the whole run (<see cref="FolderLock"/>), so a
/// second run on the same folder is refused instead of overwriting the first one's models, checkpoints and cache.
/// </summary>
public static class OutputFolder
{
    /// <summary>Claims <paramref name="directory"/> for this run; dispose the lock when the run ends.</summary>
    /// <exception cref="IOException">The folder cannot be created or written, or another run holds it.</exception>
    public static FolderLock Claim(string directory, string purpose)
    {
        RequireWritable(directory);
        return FolderLock.Acquire(directory, purpose);
    }

    /// <summary>Creates <paramref name="directory"/> if needed and writes, then deletes, a small probe file in it.</summary>
    /// <exception cref="IOException">The folder cannot be created or written; the message names it and says what to do.</exception>
    public static void RequireWritable(string directory)
    {
        var probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                stream.WriteByte(0);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"The output folder {directory} cannot be written ({e.Message}): nothing was trained, since nothing could be saved. " +
                "Make it writable, or choose another with --output.", e);
        }
    }
}
