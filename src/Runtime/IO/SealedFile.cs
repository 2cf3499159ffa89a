using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace DslKd;

/// <summary>A kind of file DslKd writes: its magic (kind and format version), what to call it, and what to do when it is unusable.</summary>
/// <param name="Magic">Eight ASCII characters starting with <c>DSLKD</c>; the last ones carry the format version.</param>
/// <param name="Noun">What the file is, for messages ("checkpoint").</param>
/// <param name="Advice">What the user should do with an unusable file ("delete it to start over").</param>
/// <param name="LegacyMagics">Magics of earlier formats of the same kind, which are refused with a message saying so.</param>
internal sealed record SealedFileKind(string Magic, string Noun, string Advice, params string[] LegacyMagics);

/// <summary>
/// The envelope of every binary file DslKd writes (checkpoints, model and best-weights files, the teacher cache):
/// <code>
/// magic          8 bytes   ASCII, kind and format version ("DSLKDCK2")
/// header length  int32     little-endian
/// header         UTF-8     JSON, kind-specific
/// body           bytes     kind-specific
/// body length    int64     little-endian
/// checksum       32 bytes  SHA-256 of every byte before it
/// </code>
/// Written atomically (<see cref="AtomicFile"/>). Reading checks the length, the magic and the checksum of the whole file
/// before a byte of the header or body is interpreted, so a truncated, extended or bit-flipped file is refused with a
/// an <see cref="InvalidDataException"/> naming it and never reaches native code.
/// </summary>
internal static class SealedFile
{
    /// <summary>Bytes of a file with an empty header and body.</summary>
    public const int Overhead = MagicLength + sizeof(int) + TrailerLength;

    private const int MagicLength = 8;
    private const int ChecksumLength = 32;
    private const int TrailerLength = sizeof(long) + ChecksumLength;

    /// <summary>Writes <paramref name="path"/> atomically: the header, the body <paramref name="writeBody"/> writes, the checksum.</summary>
    public static void Write(string path, SealedFileKind kind, string header, Action<BinaryWriter> writeBody) =>
        AtomicFile.Write(path, file =>
        {
            var stream = file.BaseStream;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var hashing = new HashingStream(stream, hash);
            using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Encoding.ASCII.GetBytes(kind.Magic));
                var headerBytes = Encoding.UTF8.GetBytes(header);
                writer.Write(headerBytes.Length);
                writer.Write(headerBytes);
                writer.Flush();
                var bodyStart = hashing.Written;
                writeBody(writer);
                writer.Flush();
                writer.Write(hashing.Written - bodyStart);
                writer.Flush();
            }
            stream.Write(hash.GetHashAndReset());
        });

    /// <summary>Opens a sealed file of <paramref name="kind"/>: checks its length, magic and checksum, and reads its header.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, of an older format or of another kind; the message names it.</exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    public static Reader Open(string path, SealedFileKind kind)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidDataException($"The {kind.Noun} '{path}' cannot be read ({e.Message}); is it a folder, or not readable? {Capitalized(kind.Advice)}.", e);
        }
        try
        {
            var reader = new Reader(path, kind, stream);
            reader.Check();
            return reader;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>A write-through stream that hashes what passes and counts it.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            hash.AppendData(buffer);
            Written += buffer.Length;
        }

        public override void WriteByte(byte value) => Write([value]);
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>An open, checked sealed file: its header and a stream over its body.</summary>
    internal sealed class Reader : IDisposable
    {
        private readonly FileStream _stream;
        private long _bodyStart;

        internal Reader(string path, SealedFileKind kind, FileStream stream) => (Path, Kind, _stream) = (path, kind, stream);

        /// <summary>The file.</summary>
        public string Path { get; }

        /// <summary>Its kind.</summary>
        public SealedFileKind Kind { get; }

        /// <summary>The header (JSON).</summary>
        public string Header { get; private set; } = "";

        /// <summary>Bytes in the body.</summary>
        public long BodyLength { get; private set; }

        /// <summary>The body: a read-only stream over exactly its bytes, starting at its beginning.</summary>
        public Stream Body { get; private set; } = Stream.Null;

        /// <summary>The whole body in memory (for small bodies: a model's or a checkpoint's state).</summary>
        public byte[] ReadBody()
        {
            if (BodyLength > Array.MaxLength) throw Damaged($"has a body of {BodyLength} bytes, too large to read at once");
            var body = new byte[BodyLength];
            _stream.Position = _bodyStart;
            _stream.ReadExactly(body);
            return body;
        }

        /// <summary>An exception for a file that is intact but inconsistent inside (a writer's bug or a crafted file): names it and says what to do.</summary>
        public InvalidDataException Damaged(string problem, Exception? inner = null) =>
            new($"The {Kind.Noun} '{Path}' is damaged: it {problem}. {Capitalize(Kind.Advice)}.", inner);

        /// <summary>An exception for an intact file that does not fit what it is loaded into.</summary>
        public InvalidDataException Mismatch(string problem) =>
            new($"The {Kind.Noun} '{Path}' {problem}. {Capitalize(Kind.Advice)}.");

        /// <inheritdoc />
        public void Dispose() => _stream.Dispose();

        internal void Check()
        {
            var length = _stream.Length;
            Span<byte> magic = stackalloc byte[MagicLength];
            var read = _stream.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false);
            var magicText = Encoding.ASCII.GetString(magic[..read]);
            if (read == MagicLength && Array.IndexOf(Kind.LegacyMagics, magicText) >= 0)
                throw new InvalidDataException($"The {Kind.Noun} '{Path}' was written by an earlier DslKd version, in a format without a checksum that is no longer read. {Capitalize(Kind.Advice)}.");
            if (read == MagicLength && magicText != Kind.Magic)
            {
                var what = magicText.StartsWith("DSLKD", StringComparison.Ordinal)
                    ? $"is a DslKd file of another kind or a newer format ('{magicText}', expected '{Kind.Magic}')"
                    : $"is not a DslKd {Kind.Noun} (nor one of its earlier formats: it may have been written before DslKd's files had a header and a checksum, or by another program)";
                throw new InvalidDataException($"The {Kind.Noun} '{Path}' {what}. {Capitalize(Kind.Advice)}.");
            }
            if (length < Overhead)
                throw Damaged($"is {length} bytes long, shorter than the smallest {Kind.Noun} ({Overhead} bytes): it was truncated");

            Span<byte> field = stackalloc byte[TrailerLength];
            _stream.ReadExactly(field[..sizeof(int)]);
            var headerLength = BinaryPrimitives.ReadInt32LittleEndian(field);
            if (headerLength < 0 || headerLength > length - Overhead)
                throw Damaged($"says its header is {headerLength} bytes, which does not fit in its {length} bytes: it was truncated or changed");
            _stream.Position = length - TrailerLength;
            _stream.ReadExactly(field);
            var bodyLength = BinaryPrimitives.ReadInt64LittleEndian(field);
            var expectedBody = length - Overhead - headerLength;
            if (bodyLength != expectedBody)
                throw Damaged($"is {length} bytes long, which does not match the lengths it records: it was truncated, or something was " +
                              "appended (a torn write or an unfinished copy)");
            var stored = field[sizeof(long)..].ToArray();

            _stream.Position = 0;
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    for (var remaining = length - ChecksumLength; remaining > 0;)
                    {
                        var n = _stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                        if (n == 0) throw Damaged("ended while it was being read (it is being written or truncated by someone else)");
                        hash.AppendData(buffer, 0, n);
                        remaining -= n;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
                    throw Damaged("does not match its checksum: its content changed after it was written (bit flips on a bad disk or in a copy, or an edit)");
            }

            _stream.Position = MagicLength + sizeof(int);
            var header = new byte[headerLength];
            _stream.ReadExactly(header);
            try
            {
                Header = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header);
            }
            catch (DecoderFallbackException e)
            {
                throw Damaged("has a header that is not UTF-8 text", e);
            }
            _bodyStart = _stream.Position;
            BodyLength = bodyLength;
            Body = new BodyStream(_stream, _bodyStart, bodyLength);
        }

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>A read-only window over the body of a sealed file.</summary>
    private sealed class BodyStream(FileStream file, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var available = length - _position;
            if (available <= 0 || buffer.IsEmpty) return 0;
            if (buffer.Length > available) buffer = buffer[..(int)available];
            file.Position = start + _position;
            var n = file.Read(buffer);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
