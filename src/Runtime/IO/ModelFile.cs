using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>One tensor of a saved model: its state_dict name, element type and shape.</summary>
public sealed record ModelFileTensor(string Name, string Type, IReadOnlyList<long> Shape)
{
    /// <summary>"Float32 [64, 16]".</summary>
    public override string ToString() => $"{Type} [{string.Join(", ", Shape)}]";
}

/// <summary>What a model file holds besides the weights: checked, read without loading them (<see cref="ModelFile.Read"/>).</summary>
/// <param name="Path">The file.</param>
/// <param name="Architecture">The saved module's <see cref="ModelArchitecture.Describe"/> text.</param>
/// <param name="Metadata">Whatever the caller saved with it (a JSON description of how it was trained, say), or null.</param>
/// <param name="Tensors">Every tensor of its state_dict.</param>
public sealed record ModelFileInfo(string Path, string Architecture, string? Metadata, IReadOnlyList<ModelFileTensor> Tensors);

/// <summary>
/// Trained models on disk (<c>.dkd</c>): the state_dict in TorchSharp's format, inside DslKd's checked envelope with the
/// architecture (<see cref="ModelArchitecture"/>), the tensors' names and shapes, the caller's metadata and a SHA-256 of
/// the whole file. Written atomically; loading checks the checksum, then that every tensor is there with its shape, then
/// the architecture, and only then touches the module. Every error is a an <see cref="InvalidDataException"/> naming the file.
/// </summary>
/// <remarks>
/// Layout: DslKd's sealed envelope (magic <c>DSLKDMF1</c>, see docs/training.md) with a JSON header
/// <c>{"Format":1,"Architecture":...,"Metadata":...,"Tensors":[{"Name","Type","Shape"}]}</c> and, as body, exactly what
/// TorchSharp's <c>Module.save</c> writes. Files saved with <c>Module.save</c> alone (as DslKd did before) are refused:
/// train the model again.
/// </remarks>
public static class ModelFile
{
    /// <summary>The extension DslKd gives model files.</summary>
    public const string Extension = ".dkd";

    internal static readonly SealedFileKind Kind = new("DSLKDMF1", "model file", "delete it and train the model again");

    private const int Format = 1;

    private static readonly JsonSerializerOptions Json = new();

    private sealed record Header(int Format, string Architecture, string? Metadata, List<ModelFileTensor> Tensors);

    /// <summary>Saves <paramref name="module"/>'s state_dict to <paramref name="path"/>, atomically, with its architecture and <paramref name="metadata"/>.</summary>
    /// <param name="module">The model (any TorchSharp module; a generated model's summary is part of its architecture).</param>
    /// <param name="path">The file, usually ending in <see cref="Extension"/>.</param>
    /// <param name="metadata">Anything to keep with the weights, such as a JSON description of the data and options it was trained with; read it back with <see cref="Read"/>.</param>
    /// <exception cref="IOException">The file could not be written (the message names it); an earlier file at <paramref name="path"/> is unchanged.</exception>
    public static void Save(nn.Module module, string path, string? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        Write(path, Kind, ModelArchitecture.Describe(module), TensorsOf(module), metadata, StateOf(module));
    }

    /// <summary>Reads and checks the file's header (architecture, metadata, tensors) without loading the weights.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, of an older format or not a model file; the message names it.</exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    public static ModelFileInfo Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = SealedFile.Open(path, Kind);
        return ReadHeader(reader);
    }

    /// <summary>
    /// Loads the weights at <paramref name="path"/> into <paramref name="module"/>, after checking the file (checksum), its
    /// tensors against the module's (every missing, unexpected or differently shaped tensor is named with both shapes)
    /// and, unless <paramref name="checkArchitecture"/> is false, the architecture. When it throws, the module is unchanged.
    /// </summary>
    /// <param name="module">The model to load into.</param>
    /// <param name="path">The file.</param>
    /// <param name="checkArchitecture">
    /// Whether the module's <see cref="ModelArchitecture.Describe"/> text must be the saved one. Turn it off only to load
    /// weights into a deliberately changed model (a different dropout probability, say): the outputs will differ.
    /// </param>
    /// <returns>The file's header.</returns>
    /// <exception cref="InvalidDataException">The file is damaged, of an older format, not a model file, or for another model; the message names it.</exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    public static ModelFileInfo Load(nn.Module module, string path, bool checkArchitecture = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        var (info, state) = ReadChecked(path, Kind, module, checkArchitecture);
        LoadState(module, state, path, Kind);
        return info;
    }

    /// <summary>Writes a model file from an already serialized state (what <see cref="StateOf"/> returns).</summary>
    internal static void Write(string path, SealedFileKind kind, string architecture, List<ModelFileTensor> tensors, string? metadata, byte[] state) =>
        SealedFile.Write(path, kind, JsonSerializer.Serialize(new Header(Format, architecture, metadata, tensors), Json), writer => writer.Write(state));

    /// <summary>Reads a model file and checks it against <paramref name="module"/>; returns its header and the serialized state, without touching the module.</summary>
    internal static (ModelFileInfo Info, byte[] State) ReadChecked(string path, SealedFileKind kind, nn.Module module, bool checkArchitecture)
    {
        using var reader = SealedFile.Open(path, kind);
        var info = ReadHeader(reader);
        CheckTensors(reader, info.Tensors, module);
        if (checkArchitecture)
        {
            var current = ModelArchitecture.Describe(module);
            if (info.Architecture != current)
                throw reader.Mismatch($"was saved from another architecture than this model's ({ModelArchitecture.FirstDifference(info.Architecture, current)}), " +
                                      "so its weights would compute something else");
        }
        return (info, reader.ReadBody());
    }

    /// <summary>
    /// The module's state_dict in TorchSharp's format: what <c>module.save</c> writes, with every tensor's values in the
    /// default (row-major) order whatever its memory layout. TorchSharp writes a tensor's memory as it lies and refuses
    /// one that is not contiguous, such as a channels-last convolution weight (<see cref="ChannelsLast"/>): those are
    /// written from a contiguous copy, so a model saves to the same bytes in either layout.
    /// </summary>
    internal static byte[] StateOf(nn.Module module)
    {
        var state = module.state_dict();
        using var memory = new MemoryStream();
        using (var scope = NewDisposeScope())
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            var ordered = new Dictionary<string, Tensor>(state.Count);
            foreach (var (name, tensor) in state) ordered.Add(name, tensor.is_contiguous() ? tensor : tensor.contiguous());
            nn.Module.save_state_dict(writer, ordered);
        }
        return memory.ToArray();
    }

    /// <summary>The module's tensors by name with their types and shapes.</summary>
    internal static List<ModelFileTensor> TensorsOf(nn.Module module) =>
        module.state_dict().Select(kv => new ModelFileTensor(kv.Key, kv.Value.dtype.ToString(), kv.Value.shape)).ToList();

    /// <summary>Throws a mismatch naming every tensor that is missing, unexpected or of another type or shape.</summary>
    internal static void CheckTensors(SealedFile.Reader reader, IReadOnlyList<ModelFileTensor> saved, nn.Module module)
    {
        var current = TensorsOf(module).ToDictionary(t => t.Name);
        var savedByName = new Dictionary<string, ModelFileTensor>();
        foreach (var tensor in saved)
            if (!savedByName.TryAdd(tensor.Name, tensor)) throw reader.Damaged($"lists the tensor '{tensor.Name}' twice");
        var problems = new List<string>();
        foreach (var (name, mine) in current)
        {
            if (!savedByName.TryGetValue(name, out var theirs)) problems.Add($"{name} ({mine}) is missing from the file");
            else if (theirs.Type != mine.Type || !theirs.Shape.SequenceEqual(mine.Shape)) problems.Add($"{name} is {theirs} in the file, {mine} in this model");
        }
        problems.AddRange(saved.Where(t => !current.ContainsKey(t.Name)).Select(t => $"{t.Name} ({t}) is in the file but not in this model"));
        if (problems.Count > 0)
            throw reader.Mismatch($"does not fit this model ({ModelName(module)}): {string.Join("; ", problems)}");
    }

    /// <summary>
    /// Loads a checked state into the module; it must be consumed exactly. TorchSharp reads into a tensor's memory as it
    /// lies and refuses a tensor that is not contiguous: channels-last tensors (<see cref="ChannelsLast"/>) are put in the
    /// default format for the load and laid out channels-last again after it, so a module loads the same values in either layout.
    /// </summary>
    internal static void LoadState(nn.Module module, byte[] state, string path, SealedFileKind kind)
    {
        using var memory = new MemoryStream(state, writable: false);
        using var reader = new BinaryReader(memory, Encoding.UTF8);
        try
        {
            using (ChannelsLast.InDefaultFormat(module.state_dict().Values))
                module.load(reader, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"The {kind.Noun} '{path}' could not be loaded into {ModelName(module)} although its checksum is right ({e.Message}). {char.ToUpperInvariant(kind.Advice[0])}{kind.Advice[1..]}.", e);
        }
        if (memory.Position != memory.Length)
            throw new InvalidDataException($"The {kind.Noun} '{path}' holds {memory.Length - memory.Position} bytes more than its tensors. {char.ToUpperInvariant(kind.Advice[0])}{kind.Advice[1..]}.");
    }

    private static ModelFileInfo ReadHeader(SealedFile.Reader reader)
    {
        Header? header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(reader.Header, Json);
        }
        catch (JsonException e)
        {
            throw reader.Damaged($"has a header that cannot be read ({e.Message})", e);
        }
        if (header is null || header.Format != Format || header.Architecture is null || header.Tensors is null
            || header.Tensors.Any(t => t is null || t.Name is null || t.Type is null || t.Shape is null || t.Shape.Any(d => d < 0)))
            throw reader.Damaged("has an incomplete or inconsistent header");
        return new ModelFileInfo(reader.Path, header.Architecture, header.Metadata, header.Tensors);
    }

    private static string ModelName(nn.Module module) => module.GetType().Name;
}
