using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type code, the
/// number of dimensions, one int32 size per dimension) followed by the data in row-major order. Files may be
/// gzip-compressed (recognised by their content, not their name) or raw. Only unsigned-byte data (type code 0x08) is
/// supported. Every malformed file is reported as an <see cref="InvalidDataException"/> naming the file, the problem
/// and what was expected.
/// </summary>
/// <remarks>
/// A gzip file is checked whole: the CRC-32 and length in its 8-byte trailer must match the decompressed data, so a
/// file cut anywhere (even inside the trailer, which the decompressor does not need) or with bytes appended is refused;
/// a gzip file of several members (concatenated) is refused the same way. A path that is a directory, or that reports
/// a size of 0 bytes (an empty file, or a named pipe or device, which is not opened because reading it could wait for
/// ever), is refused before opening it.
/// </remarks>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    // Deflate cannot expand data by more than about 1032:1, so a gzip file of n bytes decodes to at most this many
    // times n bytes. A header promising more is known to be truncated before allocating a buffer for it.
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads an image file (3 dimensions: images, rows, columns) into a uint8 tensor [N, rows, cols].</summary>
    /// <param name="path">An IDX file, gzip-compressed or raw.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The path is a directory.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX image file, or not a regular file.</exception>
    public static Tensor ReadImages(string path)
    {
        var (sizes, data) = Read(path, IdxKind.Images);
        return tensor(data, sizes, ScalarType.Byte);
    }

    /// <summary>Reads a label file (1 dimension) into an int64 tensor [N].</summary>
    /// <param name="path">An IDX file, gzip-compressed or raw.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The path is a directory.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX label file, or not a regular file.</exception>
    public static Tensor ReadLabels(string path)
    {
        var (sizes, data) = Read(path, IdxKind.Labels);
        using var bytes = tensor(data, sizes, ScalarType.Byte);
        return bytes.to_type(ScalarType.Int64);
    }

    /// <summary>The number of items (images or labels) the header of <paramref name="path"/> declares, without reading the data.</summary>
    internal static long ReadItemCount(string path, IdxKind kind)
    {
        using var stream = Open(path, out _);
        return ReadHeader(stream, path, kind)[0];
    }

    private static (long[] Sizes, byte[] Data) Read(string path, IdxKind kind)
    {
        using var stream = Open(path, out var compressed);
        var sizes = ReadHeader(stream, path, kind);
        var dataLength = DataLength(sizes, path, kind);
        var headerLength = 4 + 4 * sizes.Length;
        var fileLength = new FileInfo(path).Length;
        var ceiling = compressed ? fileLength * MaxDeflateRatio : fileLength - headerLength;

        var data = dataLength <= ceiling ? new byte[dataLength] : [];
        var read = ReadSome(stream, data, path);
        if (read < dataLength)
            throw Error(path, $"truncated: the header promises {Describe(sizes, kind)} ({dataLength} bytes) but the file holds " +
                $"{read + CountRemaining(stream, path)} bytes of data{(compressed ? " after decompression" : "")}");

        var trailing = CountRemaining(stream, path);
        if (trailing > 0)
            throw Error(path, $"{trailing} unexpected bytes after the data: the header promises {Describe(sizes, kind)} " +
                $"({dataLength} bytes), which should end the file{(compressed ? " (after decompression)" : "")}");
        if (stream is Crc32Stream checksummed) VerifyGzipTrailer(path, checksummed);
        return (sizes, data);
    }

    private static Stream Open(string path, out bool compressed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new IOException($"{path} is a directory, not an IDX file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        // A named pipe or a device passes File.Exists, and opening it could wait for ever (a pipe without a writer). .NET
        // does not tell a file's type, but all of these report 0 bytes, as an empty file does, which is no IDX file either.
        if (new FileInfo(path).Length == 0)
            throw Error(path, "0 bytes: an empty file, or not a regular file (a named pipe, socket or device, which is not read because " +
                "reading it could wait for ever); an IDX file starts with a header of at least 8 bytes");

        var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        compressed = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        return compressed ? new Crc32Stream(new GZipStream(file, CompressionMode.Decompress)) : file;
    }

    /// <summary>
    /// The gzip trailer (CRC-32, then the length modulo 2^32, both little-endian) must end the file and match what was
    /// decompressed. .NET's decompressor checks the CRC-32 when the trailer is there, but accepts a file that ends inside
    /// or before it, and ignores bytes after it.
    /// </summary>
    private static void VerifyGzipTrailer(string path, Crc32Stream data)
    {
        Span<byte> expected = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(expected, data.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], (uint)data.Length);

        using var file = File.OpenRead(path);
        // The last 64 KiB, to find the trailer when bytes were appended after it.
        var tail = new byte[(int)Math.Min(file.Length, 65536)];
        file.Position = file.Length - tail.Length;
        file.ReadExactly(tail);
        if (tail.Length >= 8 && tail.AsSpan(tail.Length - 8).SequenceEqual(expected)) return;

        var found = tail.AsSpan().LastIndexOf(expected);
        var problem = found >= 0
            ? $"{tail.Length - found - 8} bytes follow the end of the compressed data, whose trailer (CRC-32 and length) matches"
            : $"its last 8 bytes are not the trailer of the data (expected CRC-32 0x{data.Crc:X8} and length {data.Length}): it was cut short, " +
              "damaged, or is several gzip files joined together (decompress it and compress it again as one)";
        throw Error(path, $"gzip file does not end where its data ends: {problem}");
    }

    private static long[] ReadHeader(Stream stream, string path, IdxKind kind)
    {
        var expectedDimensions = (int)kind;
        var expectedMagic = $"0x0000{UnsignedByteType:X2}{expectedDimensions:X2}";
        var headerLength = 4 + 4 * expectedDimensions;
        var header = new byte[headerLength];
        var read = ReadSome(stream, header.AsSpan(0, 4), path);
        if (read < 4) throw Error(path, $"too short for an IDX header: {read} bytes, expected at least {headerLength}");

        if (header[0] != 0 || header[1] != 0)
            throw Error(path, $"not an IDX file: it starts with 0x{header[0]:X2} 0x{header[1]:X2}, expected 0x00 0x00 (IDX) or 0x1F 0x8B (gzip); " +
                $"an IDX {KindName(kind)} file starts with the magic number {expectedMagic}");
        if (header[2] != UnsignedByteType)
            throw Error(path, $"unsupported element type 0x{header[2]:X2} ({TypeName(header[2])}): only unsigned bytes (0x08) are supported, " +
                $"expected the magic number {expectedMagic}");
        if (header[3] != expectedDimensions)
            throw Error(path, $"wrong number of dimensions: the header declares {header[3]} but an IDX {KindName(kind)} file has " +
                $"{expectedDimensions} (magic number {expectedMagic}, found 0x{BinaryPrimitives.ReadUInt32BigEndian(header):X8})");

        read += ReadSome(stream, header.AsSpan(4), path);
        if (read < headerLength)
            throw Error(path, $"truncated header: {read} bytes, expected {headerLength} (magic number and {expectedDimensions} sizes)");

        var sizes = new long[expectedDimensions];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * i));
            if (sizes[i] <= 0)
                throw Error(path, $"invalid size {sizes[i]} for dimension {i} ({DimensionName(kind, i)}) in the header: sizes must be positive");
        }
        return sizes;
    }

    private static long DataLength(long[] sizes, string path, IdxKind kind)
    {
        var length = 1L;
        foreach (var size in sizes)
        {
            if (length > Array.MaxLength / size)
                throw Error(path, $"the header promises {Describe(sizes, kind)}, more than {Array.MaxLength} bytes, the most one buffer can hold");
            length *= size;
        }
        return length;
    }

    private static int ReadSome(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            // zlib's data errors surface as "unsupported compression method", which misleads; the inner exception keeps it.
            throw Error(path, "corrupt gzip data: the compressed stream cannot be decoded (damaged file, or failed checksum)", e);
        }
    }

    private static long CountRemaining(Stream stream, string path)
    {
        var scratch = new byte[81920];
        long total = 0;
        int read;
        while ((read = ReadSome(stream, scratch, path)) > 0) total += read;
        return total;
    }

    private static InvalidDataException Error(string path, string problem, Exception? inner = null) => new($"{path}: {problem}.", inner);

    private static string Describe(long[] sizes, IdxKind kind) => kind == IdxKind.Images
        ? $"{sizes[0]} images of {sizes[1]}x{sizes[2]}"
        : $"{sizes[0]} labels";

    private static string KindName(IdxKind kind) => kind == IdxKind.Images ? "image" : "label";

    private static string DimensionName(IdxKind kind, int dimension) => kind == IdxKind.Images
        ? dimension switch { 0 => "images", 1 => "rows", _ => "columns" }
        : "labels";

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };
}

/// <summary>A read-only stream that computes the CRC-32 (ISO-HDLC, as gzip uses) and the length of what is read through it.</summary>
internal sealed class Crc32Stream(Stream inner) : Stream
{
    private static readonly uint[] Table = BuildTable();
    private uint _crc = 0xFFFFFFFF;

    /// <summary>The CRC-32 of the bytes read so far.</summary>
    public uint Crc => ~_crc;

    /// <summary>The number of bytes read so far.</summary>
    public override long Length => _length;
    private long _length;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        var crc = _crc;
        foreach (var b in buffer[..read]) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
        _length += read;
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}

/// <summary>The two IDX layouts DslKd reads; the value is the number of dimensions.</summary>
internal enum IdxKind
{
    Labels = 1,
    Images = 3,
}
