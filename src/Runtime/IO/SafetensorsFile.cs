using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The safetensors format (Hugging Face's, what PyTorch users share weights in), read and written here with no other
/// library: an unsigned 64-bit little-endian header length, a UTF-8 JSON header mapping each tensor name to its
/// <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> (begin and end in the data section; an optional
/// <c>__metadata__</c> of strings), then the tensors' bytes, little-endian and in C order. Every length and offset is
/// checked against the file before anything is allocated, so a damaged or hostile file is an
/// <see cref="InvalidDataException"/> naming it, never a huge allocation or a read past the end.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>The largest header accepted (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>A tensor's entry in the header: name, dtype, shape and where its bytes are in the data section.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End)
    {
        /// <summary>As a <see cref="TensorEntry"/>.</summary>
        public TensorEntry ToTensorEntry() => new(Name, DType, Shape);
    }

    /// <summary>The tensors a file holds (in the header's order) and its <c>__metadata__</c>, without reading their data.</summary>
    public sealed record Header(IReadOnlyList<Entry> Tensors, IReadOnlyDictionary<string, string> Metadata, long DataStart);

    /// <summary>Reads and checks the header of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors file, or damaged; the message names the file and the problem.</exception>
    public static Header ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>Reads and checks the header of a safetensors stream positioned at its start; <paramref name="name"/> names it in errors.</summary>
    public static Header ReadHeader(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw Bad(name, "it is shorter than the 8-byte header length");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        var fileLength = stream.CanSeek ? stream.Length : long.MaxValue;
        if (length == 0 || length > MaxHeaderBytes || (long)length > fileLength - 8)
            throw Bad(name, $"its header length {length} does not fit the file ({fileLength} bytes)");
        var json = new byte[length];
        stream.ReadExactly(json);
        var dataStart = 8 + (long)length;
        var dataLength = fileLength == long.MaxValue ? long.MaxValue : fileLength - dataStart;
        return ParseHeader(json, name, dataStart, dataLength);
    }

    /// <summary>Parses a header's JSON (the bytes after the length prefix) and checks each entry against the data section's length.</summary>
    internal static Header ParseHeader(ReadOnlySpan<byte> json, string name, long dataStart, long dataLength)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException e) { throw Bad(name, "its header is not valid JSON: " + e.Message); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad(name, "its header is not a JSON object");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in property.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ParseEntry(property, name, dataLength));
            }
            CheckNoOverlap(entries, name);
            return new Header(entries, metadata, dataStart);
        }
    }

    private static Entry ParseEntry(JsonProperty property, string name, long dataLength)
    {
        var tensor = property.Name;
        var value = property.Value;
        try
        {
            var dtype = value.GetProperty("dtype").GetString() ?? "";
            if (!ElementSizes.TryGetValue(dtype, out var size))
                throw Bad(name, $"tensor '{tensor}' has dtype '{dtype}', which DslKd does not read (it reads {string.Join(", ", ElementSizes.Keys)})");
            var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (shape.Any(d => d < 0)) throw Bad(name, $"tensor '{tensor}' has a negative size in its shape");
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (offsets.Length != 2) throw Bad(name, $"tensor '{tensor}' needs data_offsets [begin, end]");
            long count = 1;
            foreach (var d in shape) count = checked(count * d);
            var bytes = checked(count * size);
            if (offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != bytes)
                throw Bad(name, $"tensor '{tensor}' ({dtype} [{string.Join(", ", shape)}], {bytes} bytes) has data_offsets [{offsets[0]}, {offsets[1]}], which do not fit it or the file's {dataLength} data bytes");
            return new Entry(tensor, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw Bad(name, $"tensor '{tensor}' has no valid dtype, shape and data_offsets ({e.Message})");
        }
    }

    private static void CheckNoOverlap(List<Entry> entries, string name)
    {
        Entry? previous = null;
        foreach (var entry in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw Bad(name, $"the data of tensors '{previous.Name}' and '{entry.Name}' overlap");
            previous = entry;
        }
    }

    /// <summary>Reads every tensor of <paramref name="path"/> onto the CPU, in the header's order. The caller disposes them.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors file, or damaged.</exception>
    public static List<(string Name, Tensor Tensor)> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        var tensors = new List<(string, Tensor)>();
        try
        {
            foreach (var entry in header.Tensors) tensors.Add((entry.Name, ReadTensor(stream, header, entry, path)));
            return tensors;
        }
        catch
        {
            foreach (var (_, t) in tensors) t.Dispose();
            throw;
        }
    }

    private static Tensor ReadTensor(Stream stream, Header header, Entry entry, string name)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Reading safetensors needs a little-endian machine.");
        var tensor = empty(entry.Shape, ScalarTypeOf(entry.DType));
        try
        {
            stream.Position = header.DataStart + entry.Begin;
            var length = entry.End - entry.Begin;
            if (length > 0)
            {
                var target = tensor.bytes;
                if (target.Length != length) throw Bad(name, $"tensor '{entry.Name}' needs {target.Length} bytes, not {length}");
                var buffer = new byte[Math.Min(length, 1 << 20)];
                var done = 0;
                while (done < length)
                {
                    var chunk = (int)Math.Min(buffer.Length, length - done);
                    stream.ReadExactly(buffer, 0, chunk);
                    buffer.AsSpan(0, chunk).CopyTo(target.Slice(done));
                    done += chunk;
                }
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically, in the given order, each as it is (its
    /// dtype, contiguous, copied to the CPU), with <paramref name="metadata"/> as <c>__metadata__</c>.
    /// </summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Writing safetensors needs a little-endian machine.");
        var list = tensors.ToList();
        var duplicate = list.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"The tensor name '{duplicate.Key}' appears twice.", nameof(tensors));

        using var scope = NewDisposeScope();
        var cpu = list.Select(t => (t.Name, Tensor: t.Tensor.detach().cpu().contiguous())).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, tensor) in cpu)
        {
            var bytes = tensor.NumberOfElements * ElementSizes[CodeOf(tensor.dtype)];
            header[name] = new { dtype = CodeOf(tensor.dtype), shape = tensor.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var padded = json.Length + (8 - json.Length % 8) % 8;

        AtomicFile.Write(path, writer =>
        {
            writer.Write((ulong)padded);
            writer.Write(json);
            for (var i = json.Length; i < padded; i++) writer.Write((byte)' ');
            foreach (var (_, tensor) in cpu)
                if (tensor.NumberOfElements > 0) writer.Write(tensor.bytes);
        });
    }

    /// <summary>The safetensors dtype code of a TorchSharp element type (<c>F32</c> for float32).</summary>
    /// <exception cref="NotSupportedException">A type safetensors (or DslKd's reader) has no code for.</exception>
    public static string CodeOf(ScalarType type) => type switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"Tensors of type {type} cannot be stored in safetensors by DslKd."),
    };

    /// <summary>The TorchSharp element type of a safetensors dtype code.</summary>
    public static ScalarType ScalarTypeOf(string code) => code switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new NotSupportedException($"DslKd does not read safetensors dtype '{code}'."),
    };

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    private static InvalidDataException Bad(string name, string problem) =>
        new($"'{name}' is not a readable safetensors file: {problem}.");
}
