using System.Buffers.Binary;
using System.IO.Compression;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

public sealed class IdxFileTests : IDisposable
{
    private static readonly byte[] ThreeImagesOf2x2 = [0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 255];

    private readonly string _directory = Directory.CreateTempSubdirectory("dslkd-idx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Reads_raw_and_gzip_images_into_one_uint8_tensor()
    {
        var content = Idx(3, [3, 2, 2], ThreeImagesOf2x2);

        foreach (var path in new[] { WriteRaw("images", content), WriteGzip("images.gz", content) })
        {
            using var images = IdxFile.ReadImages(path);
            Assert.Equal([3L, 2, 2], images.shape);
            Assert.Equal(ScalarType.Byte, images.dtype);
            Assert.Equal(ThreeImagesOf2x2, images.data<byte>().ToArray());
        }
    }

    [Fact]
    public void Reads_labels_as_int64()
    {
        using var labels = IdxFile.ReadLabels(WriteGzip("labels.gz", Idx(1, [4], [9, 0, 3, 255])));

        Assert.Equal(ScalarType.Int64, labels.dtype);
        Assert.Equal([9L, 0, 3, 255], labels.data<long>().ToArray());
    }

    [Fact]
    public void Detects_gzip_by_content_not_by_file_name()
    {
        var content = Idx(1, [2], [7, 8]);

        using var gzipWithoutSuffix = IdxFile.ReadLabels(WriteGzip("labels", content));
        using var rawWithSuffix = IdxFile.ReadLabels(WriteRaw("labels.gz", content));

        Assert.Equal([7L, 8], gzipWithoutSuffix.data<long>().ToArray());
        Assert.Equal([7L, 8], rawWithSuffix.data<long>().ToArray());
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var path = Path.Combine(_directory, "absent-images-idx3-ubyte.gz");

        var error = Assert.Throws<FileNotFoundException>(() => IdxFile.ReadImages(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Wrong_magic_is_reported()
    {
        var path = WriteRaw("archive.zip", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]);

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message;

        Assert.Contains(path, message);
        Assert.Contains("not an IDX file: it starts with 0x50 0x4B", message);
        Assert.Contains("0x00000803", message);
    }

    [Fact]
    public void Element_types_other_than_unsigned_bytes_are_refused()
    {
        var content = Idx(1, [1], [0, 0, 0, 0]);
        content[2] = 0x0D;
        var path = WriteRaw("floats-idx1", content);

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path)).Message;

        Assert.Contains(path, message);
        Assert.Contains("unsupported element type 0x0D (float32)", message);
    }

    [Fact]
    public void Wrong_number_of_dimensions_is_reported_both_ways()
    {
        var labelsFile = WriteGzip("train-labels-idx1-ubyte.gz", Idx(1, [2], [1, 2]));
        var imagesFile = WriteGzip("train-images-idx3-ubyte.gz", Idx(3, [3, 2, 2], ThreeImagesOf2x2));

        var readLabelsAsImages = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(labelsFile)).Message;
        var readImagesAsLabels = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(imagesFile)).Message;

        Assert.Contains(labelsFile, readLabelsAsImages);
        Assert.Contains("wrong number of dimensions: the header declares 1 but an IDX image file has 3", readLabelsAsImages);
        Assert.Contains(imagesFile, readImagesAsLabels);
        Assert.Contains("the header declares 3 but an IDX label file has 1", readImagesAsLabels);
    }

    [Fact]
    public void Non_positive_sizes_are_refused()
    {
        var path = WriteRaw("empty-rows", Idx(3, [3, 0, 2], []));

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message;

        Assert.Contains(path, message);
        Assert.Contains("invalid size 0 for dimension 1 (rows)", message);
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        var path = WriteRaw("short", Idx(3, [3, 2, 2], [])[..9]);

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message;

        Assert.Contains(path, message);
        Assert.Contains("truncated header: 9 bytes, expected 16", message);
    }

    [Fact]
    public void Truncated_data_is_reported_with_promised_and_actual_sizes()
    {
        var content = Idx(3, [3, 2, 2], ThreeImagesOf2x2[..10]);

        var raw = WriteRaw("raw-images", content);
        var rawMessage = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(raw)).Message;
        var gzip = WriteGzip("images.gz", content);
        var gzipMessage = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(gzip)).Message;

        Assert.Contains(raw, rawMessage);
        Assert.Contains("truncated: the header promises 3 images of 2x2 (12 bytes) but the file holds 10 bytes of data", rawMessage);
        Assert.Contains(gzip, gzipMessage);
        Assert.Contains("but the file holds 10 bytes of data after decompression", gzipMessage);
    }

    [Fact]
    public void A_header_promising_more_than_the_file_can_hold_fails_without_allocating_it()
    {
        var path = WriteGzip("train-images-idx3-ubyte.gz", Idx(3, [60000, 28, 28], [1, 2, 3]));

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message;

        Assert.Contains("truncated: the header promises 60000 images of 28x28 (47040000 bytes) but the file holds 3 bytes of data", message);
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_reported()
    {
        var path = WriteGzip("labels.gz", Idx(1, [2], [1, 2, 3, 4]));

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path)).Message;

        Assert.Contains(path, message);
        Assert.Contains("2 unexpected bytes after the data: the header promises 2 labels (2 bytes)", message);
    }

    [Fact]
    public void Corrupt_gzip_data_is_reported_as_invalid_data_naming_the_file()
    {
        var compressed = Gzip(Idx(3, [3, 2, 2], ThreeImagesOf2x2));
        compressed[10] = 0b111; // the first deflate block header: final block of the reserved (invalid) type 3
        var path = WriteRaw("corrupt.gz", compressed);

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message;

        Assert.Contains(path, message);
        Assert.Contains("corrupt gzip data", message);
    }

    [Fact]
    public void A_cut_gzip_stream_is_reported_as_invalid_data_naming_the_file()
    {
        var compressed = Gzip(Idx(3, [100, 28, 28], Enumerable.Range(0, 78400).Select(i => (byte)(i * 7919 >> 3)).ToArray()));
        var path = WriteRaw("cut.gz", compressed[..(compressed.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_gzip_file_cut_inside_its_trailer_is_refused()
    {
        // The decompressor does not need the 8-byte trailer (CRC-32 and length) to produce the data, and .NET's accepts a
        // file that ends anywhere in it; a download cut in its last bytes must not pass.
        var compressed = Gzip(Idx(3, [3, 2, 2], ThreeImagesOf2x2));
        for (var cut = 1; cut <= 8; cut++)
        {
            var path = WriteRaw($"cut-{cut}.gz", compressed[..^cut]);

            var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message;

            Assert.Contains(path, message);
            Assert.Contains("gzip file does not end where its data ends: its last 8 bytes are not the trailer of the data", message);
        }
    }

    [Fact]
    public void Bytes_after_the_gzip_trailer_and_a_second_gzip_member_are_refused()
    {
        var compressed = Gzip(Idx(1, [4], [9, 0, 3, 5]));
        var appended = WriteRaw("appended.gz", [.. compressed, 1, 2, 3, 4, 5]);
        var joined = WriteRaw("joined.gz", [.. Gzip(Idx(1, [4], [9, 0])), .. Gzip([3, 5])]);

        var appendedMessage = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(appended)).Message;
        var joinedMessage = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(joined)).Message;

        Assert.Contains($"{appended}: gzip file does not end where its data ends: 5 bytes follow the end of the compressed data", appendedMessage);
        Assert.Contains(joined, joinedMessage);
        Assert.Contains("several gzip files joined together", joinedMessage);
        // The intact file still reads, its trailer checked.
        Assert.Equal([9L, 0, 3, 5], IdxFile.ReadLabels(WriteRaw("intact.gz", compressed)).data<long>().ToArray());
    }

    [Fact]
    public void A_flipped_bit_in_the_gzip_checksum_is_refused()
    {
        var compressed = Gzip(Idx(1, [4], [9, 0, 3, 5]));
        compressed[^6] ^= 1; // inside the CRC-32

        var message = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(WriteRaw("crc.gz", compressed))).Message;

        Assert.Contains("corrupt gzip data", message);
    }

    [Fact]
    public void A_directory_in_place_of_the_file_is_reported_as_a_directory()
    {
        var path = Path.Combine(_directory, "train-images-idx3-ubyte.gz");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<IOException>(() => IdxFile.ReadImages(path));

        Assert.IsNotType<FileNotFoundException>(error);
        Assert.Equal($"{path} is a directory, not an IDX file.", error.Message);
    }

    [Fact]
    public void A_named_pipe_or_an_empty_file_is_refused_without_waiting_to_read_it()
    {
        var pipe = Path.Combine(_directory, "train-labels-idx1-ubyte");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe])) mkfifo.WaitForExit();
        Assert.True(File.Exists(pipe));
        var empty = WriteRaw("empty", []);

        // Opening a pipe without a writer waits for ever: the read must fail at once instead.
        var read = Task.Run(() => IdxFile.ReadLabels(pipe));
        Assert.True(Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20))).Result == read, "reading a named pipe hangs");
        var message = Assert.Throws<InvalidDataException>(() => read.GetAwaiter().GetResult()).Message;
        var emptyMessage = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(empty)).Message;

        Assert.Contains($"{pipe}: 0 bytes: an empty file, or not a regular file (a named pipe, socket or device", message);
        Assert.Contains($"{empty}: 0 bytes", emptyMessage);
    }

    /// <summary>An unsigned-byte IDX file: magic, big-endian sizes, then <paramref name="data"/> as given (it may disagree with the sizes).</summary>
    private static byte[] Idx(byte dimensions, int[] sizes, byte[] data)
    {
        var content = new byte[4 + 4 * sizes.Length + data.Length];
        (content[2], content[3]) = (0x08, dimensions);
        for (var i = 0; i < sizes.Length; i++) BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4 + 4 * i), sizes[i]);
        data.CopyTo(content, 4 + 4 * sizes.Length);
        return content;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal)) gzip.Write(content);
        return buffer.ToArray();
    }

    private string WriteRaw(string name, byte[] content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string WriteGzip(string name, byte[] content) => WriteRaw(name, Gzip(content));
}
