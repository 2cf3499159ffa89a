using System.Buffers.Binary;
using System.IO.Compression;

namespace DeployStudent;

/// <summary>Reads the IDX files Fashion-MNIST ships (images: magic 2051, labels: magic 2049), gzip-compressed or raw.</summary>
public static class IdxImages
{
    /// <summary>The images as bytes, one row of height x width pixels per image.</summary>
    public static (byte[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        if (bytes.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(bytes) != 2051)
            throw new InvalidDataException($"{path}: not an IDX image file (magic 2051).");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        var height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        var width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (bytes.Length != 16 + (long)count * height * width)
            throw new InvalidDataException($"{path}: {count} images of {height}x{width} need {16 + (long)count * height * width} bytes, the file has {bytes.Length}.");
        return (bytes[16..], count, height, width);
    }

    /// <summary>The labels, one byte each.</summary>
    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != 2049)
            throw new InvalidDataException($"{path}: not an IDX label file (magic 2049).");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (bytes.Length != 8 + count)
            throw new InvalidDataException($"{path}: {count} labels need {8 + count} bytes, the file has {bytes.Length}.");
        return bytes[8..];
    }

    /// <summary>The test split of a Fashion-MNIST folder: <c>t10k-{images-idx3,labels-idx1}-ubyte</c>, with or without <c>.gz</c>.</summary>
    public static (string Images, string Labels) TestFiles(string folder) =>
        (Find(folder, "t10k-images-idx3-ubyte"), Find(folder, "t10k-labels-idx1-ubyte"));

    private static string Find(string folder, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
            if (File.Exists(Path.Combine(folder, candidate))) return Path.Combine(folder, candidate);
        throw new FileNotFoundException($"{folder} has no {name}.gz (nor {name}).", Path.Combine(folder, name + ".gz"));
    }

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
