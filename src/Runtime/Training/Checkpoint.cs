using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A training checkpoint in one file: the trainable module's state, the optimizer's state, the random generator's
/// state, the epoch and the metrics so far. Written to a temporary file and renamed over the old one, so a crash at any
/// moment leaves either the previous checkpoint or the new one, never a torn file. A SHA-256 of the whole file is
/// checked before anything in it is used, and every part is checked against what it is loaded into before the model,
/// the optimizer or the random generator is touched: a damaged checkpoint is refused with a
/// an <see cref="InvalidDataException"/> naming it, never resumed with other numbers and never handed to native code.
/// </summary>
/// <remarks>
/// Layout: DslKd's sealed envelope (magic <c>DSLKDCK2</c>) with a JSON header (the <see cref="Header"/> and the
/// trainable module's tensors) and a body of three length-prefixed parts (int64 little-endian lengths): the module's
/// state_dict and the optimizer's state in TorchSharp's formats, and the CPU random generator's state bytes. Checkpoints
/// of the earlier format (<c>DSLKDCK1</c>, no checksum) are refused: delete them to start over. Every tensor is stored
/// with its values in the default (row-major) order, also when the model and the optimizer's moments are laid out
/// channels-last (<see cref="TrainingOptions.ChannelsLast"/>), and restores into either layout.
/// </remarks>
public static class Checkpoint
{
    /// <summary>The checkpoint's file name inside a checkpoint directory.</summary>
    public const string FileName = "checkpoint.dkd";

    internal static readonly SealedFileKind Kind = new("DSLKDCK2", "checkpoint",
        "delete it to start the run over, or use another CheckpointDirectory", "DSLKDCK1");

    // Per-class accuracy is NaN for a class with no samples; JSON has no NaN unless asked.
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The metadata a checkpoint carries besides tensors.</summary>
    public sealed record Header(string Run, string OptionsFingerprint, int CompletedEpochs, long GlobalStep, List<EpochResult> History);

    private sealed record Stored(Header Header, List<ModelFileTensor> Tensors);

    /// <summary>Writes a checkpoint atomically.</summary>
    /// <exception cref="IOException">It could not be written (a full disk); the message names the file, and the previous checkpoint is unchanged.</exception>
    public static void Save(string path, Header header, nn.Module trainable, OptimizerHelper optimizer)
    {
        var model = ModelFile.StateOf(trainable);
        byte[] optimizerState;
        using (var memory = new MemoryStream())
        {
            // TorchSharp writes each state tensor's memory as it lies and refuses one that is not contiguous: the moments of
            // channels-last weights are written in the default format, so the bytes do not depend on the layout.
            using (ChannelsLast.InDefaultFormat(ChannelsLast.StateTensors(optimizer)))
            using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
                optimizer.save_state_dict(writer);
            optimizerState = memory.ToArray();
        }
        byte[] rngState;
        using (var rng = random.get_rng_state()) rngState = rng.data<byte>().ToArray();

        var json = JsonSerializer.Serialize(new Stored(header, ModelFile.TensorsOf(trainable)), Json);
        SealedFile.Write(path, Kind, json, writer =>
        {
            foreach (var part in new[] { model, optimizerState, rngState })
            {
                writer.Write((long)part.Length);
                writer.Write(part);
            }
        });
    }

    /// <summary>Reads only the header, to decide whether to resume (the whole file is checked).</summary>
    /// <exception cref="InvalidDataException">The checkpoint is damaged or of an older format; the message names it and says what to do.</exception>
    public static Header ReadHeader(string path)
    {
        using var reader = SealedFile.Open(path, Kind);
        return ReadStored(reader).Header;
    }

    /// <summary>
    /// Restores the module, optimizer and random generator states; returns the header. Everything is read and checked
    /// first (checksum, tensors against the module, the generator state's size); when it throws, nothing was changed.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is damaged, of an older format, or does not fit the module; the message names it and says what to do.</exception>
    public static Header Restore(string path, nn.Module trainable, OptimizerHelper optimizer)
    {
        Header header;
        byte[] model, optimizerState, rngState;
        using (var reader = SealedFile.Open(path, Kind))
        {
            var stored = ReadStored(reader);
            header = stored.Header;
            ModelFile.CheckTensors(reader, stored.Tensors, trainable);
            var body = reader.ReadBody();
            var offset = 0;
            model = Part(reader, body, ref offset, "model state");
            optimizerState = Part(reader, body, ref offset, "optimizer state");
            rngState = Part(reader, body, ref offset, "random generator state");
            if (offset != body.Length) throw reader.Damaged($"has {body.Length - offset} bytes after its last part");
            using var current = random.get_rng_state();
            if (rngState.Length != current.shape[0])
                throw reader.Damaged($"holds a random generator state of {rngState.Length} bytes where this TorchSharp's is {current.shape[0]} bytes " +
                                     "(or it was written by another TorchSharp version)");
        }

        ModelFile.LoadState(trainable, model, path, Kind);
        using (var memory = new MemoryStream(optimizerState, writable: false))
        using (var reader = new BinaryReader(memory, Encoding.UTF8))
        {
            try
            {
                // Read into the default format, then laid out as the run keeps them (channels-last moments stay channels-last).
                using (ChannelsLast.InDefaultFormat(ChannelsLast.StateTensors(optimizer)))
                    optimizer.load_state_dict(reader);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException or FormatException or OverflowException)
            {
                throw new InvalidDataException($"The checkpoint '{path}' holds an optimizer state that does not fit this run's optimizer ({e.Message}); delete it to start the run over, or use another CheckpointDirectory.", e);
            }
            if (memory.Position != memory.Length)
                throw new InvalidDataException($"The checkpoint '{path}' holds an optimizer state longer than this run's optimizer reads; delete it to start the run over, or use another CheckpointDirectory.");
        }
        using (var rng = tensor(rngState, dtype: ScalarType.Byte)) random.set_rng_state(rng);
        return header;
    }

    private static byte[] Part(SealedFile.Reader reader, byte[] body, ref int offset, string what)
    {
        if (body.Length - offset < sizeof(long)) throw reader.Damaged($"ends before its {what}");
        var length = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(offset));
        offset += sizeof(long);
        if (length < 0 || length > body.Length - offset) throw reader.Damaged($"says its {what} is {length} bytes, which does not fit in the file");
        var part = body.AsSpan(offset, (int)length).ToArray();
        offset += (int)length;
        return part;
    }

    private static Stored ReadStored(SealedFile.Reader reader)
    {
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(reader.Header, Json);
        }
        catch (JsonException e)
        {
            throw reader.Damaged($"has a header that cannot be read ({e.Message})", e);
        }
        var header = stored?.Header;
        if (stored?.Tensors is null || header is null || string.IsNullOrEmpty(header.Run) || header.OptionsFingerprint is null || header.History is null
            || stored.Tensors.Any(t => t?.Name is null || t.Type is null || t.Shape is null))
            throw reader.Damaged("has an incomplete header");
        if (header.CompletedEpochs < 1 || header.CompletedEpochs != header.History.Count || header.GlobalStep < 0
            || header.History.Where((e, i) => e is null || e.Epoch != i + 1).Any())
            throw reader.Damaged($"has an inconsistent header ({header.CompletedEpochs} completed epochs, {header.History.Count} in its history, step {header.GlobalStep})");
        return stored;
    }
}
