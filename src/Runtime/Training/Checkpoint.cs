using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A training checkpoint in one file: the trainable module's state, the optimizer's state, the random generator's
/// state, the epoch and the metrics so far. Written to a temporary file and renamed over the old one, so a crash at any
/// moment leaves either the previous checkpoint or the new one, never a torn file.
/// </summary>
public static class Checkpoint
{
    /// <summary>The checkpoint's file name inside a checkpoint directory.</summary>
    public const string FileName = "checkpoint.dkd";

    private const string Magic = "DSLKDCK1";

    // Per-class accuracy is NaN for a class with no samples; JSON has no NaN unless asked.
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The metadata a checkpoint carries besides tensors.</summary>
    public sealed record Header(string Run, string OptionsFingerprint, int CompletedEpochs, long GlobalStep, List<EpochResult> History);

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, Header header, nn.Module trainable, OptimizerHelper optimizer) =>
        AtomicFile.Write(path, writer =>
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(JsonSerializer.Serialize(header, Json));
            trainable.save(writer);
            optimizer.save_state_dict(writer);
            using var rng = random.get_rng_state();
            var rngBytes = rng.data<byte>().ToArray();
            writer.Write(rngBytes.Length);
            writer.Write(rngBytes);
        });

    /// <summary>Reads only the header, to decide whether to resume.</summary>
    public static Header ReadHeader(string path)
    {
        using var reader = Open(path);
        return ReadHeader(reader, path);
    }

    /// <summary>Restores the module, optimizer and random generator states; returns the header.</summary>
    public static Header Restore(string path, nn.Module trainable, OptimizerHelper optimizer)
    {
        using var reader = Open(path);
        var header = ReadHeader(reader, path);
        try
        {
            trainable.load(reader);
            optimizer.load_state_dict(reader);
            var rngBytes = reader.ReadBytes(reader.ReadInt32());
            using var rng = tensor(rngBytes, dtype: ScalarType.Byte);
            random.set_rng_state(rng);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt or was written by a different recipe: {e.Message} Delete it to start over.", e);
        }
        return header;
    }

    private static BinaryReader Open(string path) => new(File.OpenRead(path), Encoding.UTF8);

    private static Header ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            var magic = Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length));
            if (magic != Magic) throw new InvalidDataException($"'{path}' is not a DslKd checkpoint.");
            return JsonSerializer.Deserialize<Header>(reader.ReadString(), Json)
                   ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty header.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated or corrupt ({e.Message}); delete it to start over.", e);
        }
    }
}
