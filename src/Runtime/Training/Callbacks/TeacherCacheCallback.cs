using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Offline distillation: at run start, loads the teacher's outputs on the whole training set from a file (or computes
/// and stores them when the file is missing or stale, see <see cref="TeacherCache"/>), and replaces the step's loss with
/// one that reads them instead of running the teacher. With <see cref="TrainingOptions.EnumerableAugmentation"/> the
/// file holds every variant of every sample, and each step reads the variants its batch drew. Publishes
/// <see cref="TeacherCacheBuilding"/> while computing and <see cref="TeacherCacheUsed"/> once ready (with the reason when
/// an existing file was stale or damaged and rebuilt). A cache that cannot be written (a full disk) is used from memory,
/// after a <see cref="TeacherCacheNotSaved"/> warning naming the file and the error. Distillation only.
/// </summary>
/// <param name="path">The cache file.</param>
public sealed class TeacherCacheCallback(string path) : TrainingCallback
{
    private TeacherCache? _cache;

    /// <summary>The cache file.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The task has no teacher, or the run's augmentation cannot be enumerated.</exception>
    public override void OnRunStart(TrainingContext context)
    {
        var options = context.Options;
        if (context.Task is not ICachedTeacherTask task)
            throw new ArgumentException($"{context.Task.Name} has no teacher, so TeacherCachePath does not apply; it is for distillation recipes.", nameof(options));
        if (options.Augmentation is not null) throw TrainingOptions.AugmentationNotCacheable();

        var (cache, outcome, reason, saveError) = TeacherCache.LoadOrBuild(Path, task, context.Train, Math.Max(options.BatchSize, 256), context.Device,
            options.EnumerableAugmentation, (done, total) => context.Publish(new TeacherCacheBuilding(task.Name, done, total)));
        _cache = cache;
        if (saveError is not null) context.Publish(new TeacherCacheNotSaved(task.Name, Path, saveError));
        context.Publish(new TeacherCacheUsed(task.Name, outcome, Path) { Reason = reason });
        var device = context.Device;
        context.ComputeLoss = batch => task.ComputeTrainingLoss(ToDevice(cache.Select(batch.Indices, batch.Variants), device), batch.Inputs, batch.Labels);
    }

    /// <inheritdoc />
    public override void OnTeardown(TrainingContext context)
    {
        _cache?.Dispose();
        _cache = null;
    }

    private static Tensor[] ToDevice(Tensor[] tensors, Device device) =>
        device.type == DeviceType.CPU ? tensors : tensors.Select(t => t.to(device)).ToArray();
}
