using System;
using System.IO;
using System.Text;

namespace DslKd;

/// <summary>
/// Writes a file so that a crash at any moment leaves either the old file or the complete new one, never a torn one:
/// the content goes to a temporary file in the same folder, is flushed to disk, and is renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<BinaryWriter> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                write(writer);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
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
}
