using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
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
    /// <summary>The cache file was for another teacher, dataset or recipe, and was rebuilt.</summary>
    Rebuilt,
}

/// <summary>A run used the offline teacher cache.</summary>
public sealed record TeacherCacheUsed(string Run, TeacherCacheOutcome Outcome, string Path) : TrainingEvent(Run);

/// <summary>
/// The teacher cache is being computed: <paramref name="Done"/> of <paramref name="Total"/> teacher batches (every
/// variant of every batch when augmented), reported after each one. A build with 25 shifts of a large set takes minutes.
/// </summary>
public sealed record TeacherCacheBuilding(string Run, long Done, long Total) : TrainingEvent(Run);

/// <summary>
/// The teacher's outputs on a whole training set, stored in one file keyed by a SHA-256 of the teacher's weights, the
/// training data, the features cached and the augmentation, so a stale cache is detected and rebuilt rather than
/// silently reused. With an <see cref="IEnumerableAugmentation"/> it holds the outputs for every variant of every sample.
/// </summary>
public sealed class TeacherCache : IDisposable
{
    private const string Magic = "DSLKDTC1";

    private readonly long _samples;

    private TeacherCache(Tensor[] features, long samples) => (Features, _samples) = (features, samples);

    /// <summary>One tensor per cached feature, [V x N, ...]: variant-major, dataset order within a variant (V = 1 without augmentation).</summary>
    public Tensor[] Features { get; }

    /// <summary>Loads the cache at <paramref name="path"/> if its key matches, else computes it and writes it atomically.</summary>
    /// <param name="path">The cache file.</param>
    /// <param name="task">The recipe whose teacher and features are cached.</param>
    /// <param name="data">The training set.</param>
    /// <param name="batchSize">Batch size of the teacher's passes.</param>
    /// <param name="device">Where the teacher runs.</param>
    /// <param name="augmentation">When set, the teacher's outputs are cached for every variant of every sample.</param>
    /// <param name="batchDone">Called with (done, total) teacher batches after each batch of a build.</param>
    public static (TeacherCache Cache, TeacherCacheOutcome Outcome) LoadOrBuild(string path, ICachedTeacherTask task, LabeledDataset data, int batchSize, Device device,
        IEnumerableAugmentation? augmentation = null, Action<long, long>? batchDone = null)
    {
        var key = Key(task, data, augmentation);
        var existed = File.Exists(path);
        if (existed && TryLoad(path, key, data.Count) is { } cached) return (cached, TeacherCacheOutcome.Reused);

        var built = Build(task, data, batchSize, device, augmentation, batchDone);
        Save(path, key, built.Features);
        return (built, existed ? TeacherCacheOutcome.Rebuilt : TeacherCacheOutcome.Created);
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
                parts.Add(features.Select(f => f.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope()).ToArray());
                batchDone?.Invoke(parts.Count, total);
            }
        }
        var joined = Enumerable.Range(0, task.CachedTeacherFeatures.Count).Select(i => cat(parts.Select(p => p[i]).ToArray(), 0)).ToArray();
        foreach (var part in parts.SelectMany(p => p)) part.Dispose();
        return new TeacherCache(joined, data.Count);
    }

    private static string Key(ICachedTeacherTask task, LabeledDataset data, IEnumerableAugmentation? augmentation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                // Not the recipe's name: recipes that read the same teacher features share a cache (a tuner's trials, say).
        hash.AppendData(Encoding.UTF8.GetBytes($"{task.Teacher.GetType().FullName}|{string.Join(",", task.CachedTeacherFeatures)}|{augmentation?.Identity}|"));
        TensorHash.AppendModule(hash, task.Teacher);
        TensorHash.Append(hash, data.Inputs);
        TensorHash.Append(hash, data.Labels);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static TeacherCache? TryLoad(string path, string key, long samples)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic || reader.ReadString() != key) return null;
            var features = new Tensor[reader.ReadInt32()];
            for (var i = 0; i < features.Length; i++)
            {
                var shape = new long[reader.ReadInt32()];
                for (var d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt64();
                var bytes = reader.ReadBytes(reader.ReadInt32());
                features[i] = tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
            }
            return new TeacherCache(features, samples);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException)
        {
            return null; // a torn or corrupt cache is rebuilt like a stale one
        }
    }

    private static void Save(string path, string key, Tensor[] features) =>
        AtomicFile.Write(path, writer =>
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(key);
            writer.Write(features.Length);
            foreach (var feature in features)
            {
                writer.Write(feature.shape.Length);
                foreach (var d in feature.shape) writer.Write(d);
                var bytes = feature.contiguous().bytes;
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        });
}
