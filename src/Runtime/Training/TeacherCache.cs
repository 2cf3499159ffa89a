using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>How the teacher cache was used by a run.</summary>
public enum TeacherCacheOutcome
{
    /// <summary>No cache file existed; it was computed and written.</summary>
    Created,
    /// <summary>The cache file matched the teacher, the data and the recipe, and was reused.</summary>
    Reused,
    /// <summary>The cache file was for another teacher (weights or architecture), dataset, features or augmentation, or was damaged, and was rebuilt (see <see cref="TeacherCacheUsed.Reason"/>).</summary>
    Rebuilt,
}

/// <summary>A run used the offline teacher cache.</summary>
public sealed record TeacherCacheUsed(string Run, TeacherCacheOutcome Outcome, string Path) : TrainingEvent(Run)
{
    /// <summary>When <see cref="Outcome"/> is <see cref="TeacherCacheOutcome.Rebuilt"/>: why the file was not reused (what changed, or how it is damaged); else null.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// A warning: the teacher cache was computed but could not be written to <paramref name="Path"/> (a full disk, a
/// read-only folder). The run goes on with the outputs in memory; the next run computes them again. An earlier file at
/// the path is unchanged, and no partial file is left.
/// </summary>
/// <param name="Run">The recipe's name.</param>
/// <param name="Path">The cache file.</param>
/// <param name="Error">Why it could not be written.</param>
public sealed record TeacherCacheNotSaved(string Run, string Path, string Error) : TrainingEvent(Run);

/// <summary>What <see cref="TeacherCache.LoadOrBuild"/> did.</summary>
/// <param name="Cache">The teacher's outputs, in memory.</param>
/// <param name="Outcome">Created, reused or rebuilt.</param>
/// <param name="Reason">Why an existing file was rebuilt (what changed, or how it is damaged); null unless rebuilt.</param>
/// <param name="SaveError">Why a computed cache could not be written (then it is used from memory only); null when written or reused.</param>
public sealed record TeacherCacheResult(TeacherCache Cache, TeacherCacheOutcome Outcome, string? Reason = null, string? SaveError = null)
{
    /// <summary>The cache and the outcome.</summary>
    public void Deconstruct(out TeacherCache cache, out TeacherCacheOutcome outcome) => (cache, outcome) = (Cache, Outcome);
}

/// <summary>
/// The teacher cache is being computed: <paramref name="Done"/> of <paramref name="Total"/> teacher batches (every
/// variant of every batch when augmented), reported after each one. A build with 25 shifts of a large set takes minutes.
/// </summary>
public sealed record TeacherCacheBuilding(string Run, long Done, long Total) : TrainingEvent(Run);

/// <summary>
/// The teacher's outputs on a whole training set, stored in one file keyed by the teacher's architecture
/// (<see cref="ModelArchitecture"/>: a changed activation, pooling, dropout probability, stride or eps is another
/// teacher), a SHA-256 of its weights, the training data, the features cached and the augmentation, so a stale cache is
/// detected and rebuilt rather than silently reused. With an <see cref="IEnumerableAugmentation"/> it holds the outputs
/// for every variant of every sample.
/// </summary>
/// <remarks>
/// Layout: DslKd's sealed envelope (magic <c>DSLKDTC2</c>, SHA-256 of the whole file) with a JSON header (the key's
/// parts, the sample and variant counts, each feature's name and shape) and a body of the features' float32 values,
/// one after the other, row-major. Reading checks the checksum, then the header against the file's length, the data
/// and the teacher before allocating anything; a file that fails any check (damaged, or of the earlier format
/// <c>DSLKDTC1</c>) is rebuilt like a stale one, with the reason in <see cref="TeacherCacheUsed.Reason"/>: the cache is
/// derived data, so rebuilding it loses nothing but time.
/// </remarks>
public sealed class TeacherCache : IDisposable
{
    internal static readonly SealedFileKind Kind = new("DSLKDTC2", "teacher cache", "it is rebuilt", "DSLKDTC1");

    private const int Format = 1;
    private const int MaxRank = 8;

    private readonly long _samples;

    private TeacherCache(Tensor[] features, long samples) => (Features, _samples) = (features, samples);

    /// <summary>One tensor per cached feature, [V x N, ...]: variant-major, dataset order within a variant (V = 1 without augmentation).</summary>
    public Tensor[] Features { get; }

    /// <summary>What a cache file is for: each part that must match for it to be reused.</summary>
    internal sealed record CacheKey(string Architecture, string Weights, string Data, string Features, string Augmentation);

    /// <summary>The header of a cache file.</summary>
    internal sealed record CacheHeader(int Format, CacheKey Key, long Samples, int Variants, List<CachedFeature> Features);

    /// <summary>One cached feature: the teacher block's name and the tensor's shape, [V x N, ...].</summary>
    internal sealed record CachedFeature(string Name, long[] Shape);

    /// <summary>
    /// Loads the cache at <paramref name="path"/> if it is intact and its key matches, else computes it and writes it
    /// atomically. A cache that cannot be written (a full disk) is still returned, with <see cref="TeacherCacheResult.SaveError"/>.
    /// </summary>
    /// <param name="path">The cache file.</param>
    /// <param name="task">The recipe whose teacher and features are cached.</param>
    /// <param name="data">The training set.</param>
    /// <param name="batchSize">Batch size of the teacher's passes.</param>
    /// <param name="device">Where the teacher runs.</param>
    /// <param name="augmentation">When set, the teacher's outputs are cached for every variant of every sample.</param>
    /// <param name="batchDone">Called with (done, total) teacher batches after each batch of a build.</param>
    public static TeacherCacheResult LoadOrBuild(string path, ICachedTeacherTask task, LabeledDataset data, int batchSize, Device device,
        IEnumerableAugmentation? augmentation = null, Action<long, long>? batchDone = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var key = Key(task, data, augmentation);
        var expected = Expected(task, data, augmentation);
        var existed = File.Exists(path);
        string? reason = null;
        if (existed)
        {
            var (cached, why) = TryLoad(path, key, expected);
            if (cached is not null) return new TeacherCacheResult(cached, TeacherCacheOutcome.Reused);
            reason = why;
        }
        // A killed run may have left a large torn temporary file of this cache: free the space before writing again.
        AtomicFile.DeleteStaleTemporaryFiles(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);

        var built = Build(task, data, batchSize, device, augmentation, batchDone);
        string? saveError = null;
        try
        {
            Save(path, key, data.Count, augmentation?.Variants ?? 1, task.CachedTeacherFeatures, built.Features);
        }
        catch (IOException e)
        {
            saveError = e.Message; // the outputs are computed: train with them from memory rather than lose them
        }
        return new TeacherCacheResult(built, existed ? TeacherCacheOutcome.Rebuilt : TeacherCacheOutcome.Created, reason, saveError);
    }

    /// <summary>The cached features of the samples at <paramref name="indices"/>, for their <paramref name="variants"/> when augmented.</summary>
    public Tensor[] Select(Tensor indices, Tensor? variants = null)
    {
        using var scope = NewDisposeScope();
        var rows = variants is null ? indices : variants.mul(_samples).add(indices);
        return Features.Select(f => f.index_select(0, rows).MoveToOuterDisposeScope()).ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var feature in Features) feature.Dispose();
    }

    private static TeacherCache Build(ICachedTeacherTask task, LabeledDataset data, int batchSize, Device device, IEnumerableAugmentation? augmentation,
        Action<long, long>? batchDone)
    {
        using var noGrad = no_grad();
        task.Teacher.eval();
        // A channels-last teacher (TrainingOptions.ChannelsLast) runs in the default format here, as its inputs are: the
        // cache then holds what a default-format teacher computes, bit for bit, whatever the run's layout.
        using var defaultFormat = ChannelsLast.InDefaultFormat(task.Teacher.parameters().Concat(task.Teacher.buffers()).ToList());
        var parts = new List<Tensor[]>();
        var variants = augmentation?.Variants ?? 1;
        var total = variants * data.BatchCount(batchSize);
        for (var variant = 0; variant < variants; variant++)
        {
            for (var index = 0L; index < data.BatchCount(batchSize); index++)
            {
                using var scope = NewDisposeScope();
                var (inputs, _, _) = data.Batch(index, batchSize);
                var x = device.type == DeviceType.CPU ? inputs : inputs.to(device);
                if (augmentation is not null) x = augmentation.Apply(x, full(x.shape[0], variant, ScalarType.Int64));
                var features = task.ComputeTeacherFeatures(x);
                // In the default layout whatever the teacher's (a channels-last teacher gives channels-last maps): the cache
                // in memory is laid out as one read back from its file.
                parts.Add(features.Select(f => f.to(ScalarType.Float32).cpu().contiguous().MoveToOuterDisposeScope()).ToArray());
                batchDone?.Invoke(parts.Count, total);
            }
        }
        var joined = Enumerable.Range(0, task.CachedTeacherFeatures.Count).Select(i => cat(parts.Select(p => p[i]).ToArray(), 0)).ToArray();
        foreach (var part in parts.SelectMany(p => p)) part.Dispose();
        return new TeacherCache(joined, data.Count);
    }

    internal static CacheKey Key(ICachedTeacherTask task, LabeledDataset data, IEnumerableAugmentation? augmentation)
    {
        // Not the recipe's name: recipes that read the same teacher features share a cache (a tuner's trials, say).
        using var weights = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        TensorHash.AppendModule(weights, task.Teacher);
        using var dataHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        TensorHash.Append(dataHash, data.Inputs);
        TensorHash.Append(dataHash, data.Labels);
        return new CacheKey(ModelArchitecture.Hash(task.Teacher), Convert.ToHexString(weights.GetHashAndReset()), Convert.ToHexString(dataHash.GetHashAndReset()),
            string.Join(",", task.CachedTeacherFeatures), augmentation?.Identity ?? "none");
    }

    /// <summary>What a cache for this run must hold: the sample and variant counts, the feature names and, for a generated teacher, their shapes per sample.</summary>
    private sealed record Expectation(long Samples, int Variants, IReadOnlyList<string> Names, IReadOnlyList<Shape?> SampleShapes);

    private static Expectation Expected(ICachedTeacherTask task, LabeledDataset data, IEnumerableAugmentation? augmentation)
    {
        var blocks = (task.Teacher as IGeneratedModel)?.Description.Blocks;
        var shapes = task.CachedTeacherFeatures.Select(name => blocks?.FirstOrDefault(b => b.Name == name)?.OutputShape).ToList();
        return new Expectation(data.Count, augmentation?.Variants ?? 1, task.CachedTeacherFeatures, shapes);
    }

    /// <summary>The cache if the file is intact and for this key; else null and why not.</summary>
    private static (TeacherCache? Cache, string Reason) TryLoad(string path, CacheKey key, Expectation expected)
    {
        try
        {
            using var reader = SealedFile.Open(path, Kind);
            CacheHeader? header;
            try
            {
                header = JsonSerializer.Deserialize<CacheHeader>(reader.Header);
            }
            catch (JsonException e)
            {
                throw reader.Damaged($"has a header that cannot be read ({e.Message})", e);
            }
            if (header?.Key is null || header.Format != Format) throw reader.Damaged("has an incomplete header");
            if (Stale(path, header.Key, key) is { } stale) return (null, stale);
            var sizes = CheckShapes(reader, header, expected);

            var features = new Tensor[sizes.Count];
            try
            {
                for (var i = 0; i < features.Length; i++)
                {
                    features[i] = empty(header.Features[i].Shape, ScalarType.Float32);
                    reader.Body.ReadExactly(features[i].bytes);
                }
            }
            catch
            {
                foreach (var feature in features) feature?.Dispose();
                throw;
            }
            return (new TeacherCache(features, expected.Samples), "");
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
        catch (IOException e)
        {
            return (null, $"The teacher cache '{path}' could not be read ({e.Message}); it is rebuilt.");
        }
    }

    /// <summary>What differs between a file's key and this run's, or null.</summary>
    private static string? Stale(string path, CacheKey file, CacheKey current)
    {
        var changed = new List<string>();
        if (file.Architecture != current.Architecture) changed.Add("the teacher's architecture");
        if (file.Weights != current.Weights) changed.Add("the teacher's weights");
        if (file.Data != current.Data) changed.Add("the training data");
        if (file.Features != current.Features) changed.Add($"the teacher features cached ({file.Features}, now {current.Features})");
        if (file.Augmentation != current.Augmentation) changed.Add($"the augmentation ({file.Augmentation}, now {current.Augmentation})");
        return changed.Count == 0 ? null : $"The teacher cache '{path}' was computed for another run: {string.Join(", ", changed)} changed since; it is rebuilt.";
    }

    /// <summary>Checks the header against this run and the file's length before anything is allocated; returns each feature's size in bytes.</summary>
    private static List<long> CheckShapes(SealedFile.Reader reader, CacheHeader header, Expectation expected)
    {
        if (header.Samples != expected.Samples || header.Variants != expected.Variants)
            throw reader.Damaged($"says it holds {header.Variants} variant(s) of {header.Samples} samples, but its key is for {expected.Variants} of {expected.Samples}");
        if (header.Features is null || header.Features.Count != expected.Names.Count)
            throw reader.Damaged($"holds {header.Features?.Count ?? 0} feature(s), but its key is for {expected.Names.Count}");
        var rows = header.Samples * header.Variants; // both checked above against the run, which holds them in memory
        var sizes = new List<long>();
        for (var i = 0; i < header.Features.Count; i++)
        {
            var feature = header.Features[i];
            var name = expected.Names[i];
            if (feature?.Shape is null || feature.Name != name) throw reader.Damaged($"has feature {i + 1} named '{feature?.Name}' where '{name}' is expected");
            var shape = feature.Shape;
            if (shape.Length is < 1 or > MaxRank || shape[0] != rows || shape.Skip(1).Any(d => d < 1))
                throw reader.Damaged($"has {name} of shape [{string.Join(", ", shape)}] where [{rows}, ...] (positive sizes) is expected");
            if (expected.SampleShapes[i] is { } sample && !shape.Skip(1).SequenceEqual(sample))
                throw reader.Damaged($"has {name} of shape [{string.Join(", ", shape)}] where the teacher's block gives [{rows}, {string.Join(", ", sample)}]");
            long bytes;
            try
            {
                bytes = checked(shape.Aggregate(1L, (product, d) => product * d) * sizeof(float));
            }
            catch (OverflowException)
            {
                throw reader.Damaged($"has {name} of shape [{string.Join(", ", shape)}], far too large");
            }
            if (bytes > Array.MaxLength) throw reader.Damaged($"has {name} of {bytes} bytes, more than one tensor of the cache can hold");
            sizes.Add(bytes);
        }
        var total = sizes.Sum(); // each below 2^31, and a recipe caches a handful of features
        if (total != reader.BodyLength)
            throw reader.Damaged($"says its features take {total} bytes, but it holds {reader.BodyLength}");
        return sizes;
    }

    private static void Save(string path, CacheKey key, long samples, int variants, IReadOnlyList<string> names, Tensor[] features)
    {
        var header = new CacheHeader(Format, key, samples, variants, names.Select((name, i) => new CachedFeature(name, features[i].shape)).ToList());
        SealedFile.Write(path, Kind, JsonSerializer.Serialize(header), writer =>
        {
            foreach (var feature in features)
            {
                using var contiguous = feature.contiguous();
                writer.Write(contiguous.bytes);
            }
        });
    }
}
