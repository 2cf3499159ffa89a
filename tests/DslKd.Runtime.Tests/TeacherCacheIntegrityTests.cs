using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static DslKd.Runtime.Tests.FaultInjection;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The teacher cache is keyed by the teacher's whole architecture, trusts nothing in its file that it has not checked,
/// rebuilds (never uses) a damaged one with the reason, and keeps a computed cache in memory when the disk is full.
/// </summary>
[Collection("Training")]
public class TeacherCacheIntegrityTests : IDisposable
{
    private static readonly LabeledDataset Data = QuadrantData.Create(120, seed: 40);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<TeacherCache> _caches = [];

    public TeacherCacheIntegrityTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        foreach (var cache in _caches) cache.Dispose();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string CachePath => Path.Combine(_directory, "teacher.cache");

    /// <summary>A small CNN teacher; <paramref name="change"/> alters one layer without changing any parameter's name or shape.</summary>
    private static Sequential Teacher(string change = "")
    {
        using var seed = SeedScope.Enter(7);
        return nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, stride: change == "stride" ? 2 : 1, padding: 1)),
            ("norm", nn.BatchNorm2d(4, eps: change == "eps" ? 1e-3 : 1e-5)),
            ("activation", change switch { "activation" => nn.GELU(), "slope" => nn.LeakyReLU(0.2), _ => nn.LeakyReLU(0.01) }),
            ("pool", change == "pooling" ? nn.AvgPool2d(2) : nn.MaxPool2d(2)),
            ("resize", nn.AdaptiveAvgPool2d((2, 2))),
            ("flatten", nn.Flatten()),
            ("dropout", nn.Dropout(change == "dropout" ? 0.3 : 0.1)),
            ("logits", nn.Linear(16, 4)));
    }

    private static ModuleTeacherTask Task(Sequential teacher) => new(teacher, nn.Sequential(("flatten", nn.Flatten()), ("logits", nn.Linear(64, 4))));

    private TeacherCacheResult Load(ICachedTeacherTask task, IEnumerableAugmentation? augmentation = null)
    {
        var result = TeacherCache.LoadOrBuild(CachePath, task, Data, 50, CPU, augmentation);
        _caches.Add(result.Cache);
        return result;
    }

    [Theory]
    [InlineData("activation")]
    [InlineData("slope")]
    [InlineData("pooling")]
    [InlineData("stride")]
    [InlineData("eps")]
    [InlineData("dropout")]
    public void Two_teachers_that_differ_only_in_a_parameter_free_layer_do_not_share_a_cache(string change)
    {
        var original = Teacher();
        var changed = Teacher(change);
        changed.load_state_dict(original.state_dict());
        Assert.Equal(ModelFile.TensorsOf(original).Select(t => $"{t.Name} {t}"), ModelFile.TensorsOf(changed).Select(t => $"{t.Name} {t}"));

        Assert.Equal(TeacherCacheOutcome.Created, Load(Task(original)).Outcome);
        var other = Load(Task(changed));

        Assert.Equal(TeacherCacheOutcome.Rebuilt, other.Outcome);
        Assert.Contains("the teacher's architecture", other.Reason);
        Assert.DoesNotContain("weights", other.Reason); // the state_dicts are identical
        // The same architecture with the same weights, in another instance, still reuses it.
        var again = Teacher(change);
        again.load_state_dict(original.state_dict());
        Assert.Equal(TeacherCacheOutcome.Reused, Load(Task(again)).Outcome);
    }

    public enum Damage { TruncatedByOneByte, TruncatedInTheHeader, TruncatedInThePayload, Empty, HeaderBitFlip, PayloadBitFlip, ChecksumBitFlip, BytesAppended, EarlierFormat }

    [Theory]
    [InlineData(Damage.TruncatedByOneByte)]
    [InlineData(Damage.TruncatedInTheHeader)]
    [InlineData(Damage.TruncatedInThePayload)]
    [InlineData(Damage.Empty)]
    [InlineData(Damage.HeaderBitFlip)]
    [InlineData(Damage.PayloadBitFlip)]
    [InlineData(Damage.ChecksumBitFlip)]
    [InlineData(Damage.BytesAppended)]
    [InlineData(Damage.EarlierFormat)]
    public void A_damaged_cache_is_rebuilt_with_the_reason_naming_the_file_never_used(Damage damage)
    {
        var task = Task(Teacher());
        var built = Load(task).Cache.Features[0].clone();
        var layout = LayoutOf(CachePath);
        switch (damage)
        {
            case Damage.TruncatedByOneByte: Truncate(CachePath, layout.Length - 1); break;
            case Damage.TruncatedInTheHeader: Truncate(CachePath, layout.HeaderStart + 30); break;
            case Damage.TruncatedInThePayload: Truncate(CachePath, (layout.BodyStart + layout.BodyEnd) / 2); break;
            case Damage.Empty: Truncate(CachePath, 0); break;
            case Damage.HeaderBitFlip: FlipBit(CachePath, layout.HeaderStart + 50, bit: 4); break;
            case Damage.PayloadBitFlip: FlipBit(CachePath, layout.BodyStart + 403, bit: 6); break;
            case Damage.ChecksumBitFlip: FlipBit(CachePath, layout.Length - 5); break;
            case Damage.BytesAppended: Append(CachePath, 0); break;
            case Damage.EarlierFormat: File.WriteAllBytes(CachePath, [.. Encoding.ASCII.GetBytes("DSLKDTC1"), .. new byte[64]]); break;
        }

        var rebuilt = Load(task);

        Assert.Equal(TeacherCacheOutcome.Rebuilt, rebuilt.Outcome);
        Assert.Contains($"'{CachePath}'", rebuilt.Reason);
        Assert.True(built.equal(rebuilt.Cache.Features[0]).all().item<bool>());
        Assert.Equal(TeacherCacheOutcome.Reused, Load(task).Outcome); // the file was repaired
    }

    /// <summary>Headers that lie, sealed with a right checksum (a writer's bug): each is caught before anything is allocated.</summary>
    [Theory]
    [InlineData("negative sample count")]
    [InlineData("huge sample count")]
    [InlineData("negative variant count")]
    [InlineData("no dimensions")]
    [InlineData("negative dimension")]
    [InlineData("huge dimension")]
    [InlineData("one row short")]
    [InlineData("one row short, payload to match")]
    [InlineData("one row too many")]
    [InlineData("another feature")]
    [InlineData("no features")]
    [InlineData("unknown format")]
    [InlineData("not JSON")]
    public void A_header_that_does_not_fit_the_file_or_the_run_is_rebuilt_not_trusted(string lie)
    {
        var task = Task(Teacher());
        var built = Load(task).Cache.Features[0].clone();
        Reseal(CachePath, TeacherCache.Kind,
            header: text =>
            {
                if (lie == "not JSON") return "{" + text;
                var json = JsonNode.Parse(text)!;
                var shape = json["Features"]![0]!["Shape"]!.AsArray();
                switch (lie)
                {
                    case "negative sample count": json["Samples"] = -120; break;
                    case "huge sample count": json["Samples"] = long.MaxValue / 2; break;
                    case "negative variant count": json["Variants"] = -1; break;
                    case "no dimensions": shape.Clear(); break;
                    case "negative dimension": shape[1] = -4; break;
                    case "huge dimension": shape[1] = 1L << 50; break;
                    case "one row short" or "one row short, payload to match": shape[0] = 119; break;
                    case "one row too many": shape[0] = 121; break;
                    case "another feature": json["Features"]![0]!["Name"] = "Hidden"; break;
                    case "no features": json["Features"]!.AsArray().Clear(); break;
                    case "unknown format": json["Format"] = 2; break;
                }
                return json.ToJsonString();
            },
            body: body => lie == "one row short, payload to match" ? body[..^16] : body);

        var rebuilt = Load(task);

        Assert.Equal(TeacherCacheOutcome.Rebuilt, rebuilt.Outcome);
        Assert.Contains($"'{CachePath}'", rebuilt.Reason);
        Assert.Contains("damaged", rebuilt.Reason);
        Assert.True(built.equal(rebuilt.Cache.Features[0]).all().item<bool>());
    }

    [Fact]
    public void A_cache_read_back_holds_exactly_what_was_computed_for_every_variant()
    {
        var task = Task(Teacher());
        var created = Load(task, new RandomFlip());
        var reused = Load(task, new RandomFlip());

        Assert.Equal((TeacherCacheOutcome.Created, TeacherCacheOutcome.Reused), (created.Outcome, reused.Outcome));
        Assert.Equal([240L, 4L], reused.Cache.Features[0].shape);
        Assert.True(created.Cache.Features[0].equal(reused.Cache.Features[0]).all().item<bool>());
        var other = Load(task); // no augmentation: another key
        Assert.Equal(TeacherCacheOutcome.Rebuilt, other.Outcome);
        Assert.Contains("the augmentation", other.Reason);
    }

    [Fact]
    public void A_full_disk_when_saving_the_cache_keeps_the_computed_outputs_and_leaves_the_previous_file()
    {
        var first = Task(Teacher());
        Load(first);
        var retrained = Teacher();
        using (no_grad()) retrained.state_dict()["logits.bias"].add_(1);
        retrained.eval();
        Tensor[] expected;
        using (no_grad()) expected = Task(retrained).ComputeTeacherFeatures(Data.Inputs);

        TeacherCacheResult result;
        using (AtomicFile.InjectStream(file => new FullDisk(file, failAfter: 2000)))
            result = Load(Task(retrained));

        Assert.Equal(TeacherCacheOutcome.Rebuilt, result.Outcome);
        Assert.Contains($"'{CachePath}'", result.SaveError);
        Assert.Contains("No space left on device", result.SaveError);
        Assert.True(expected[0].allclose(result.Cache.Features[0]));
        Assert.Empty(Temporaries(_directory));
        Assert.Equal(TeacherCacheOutcome.Reused, Load(first).Outcome); // the earlier file is intact
    }

    [Fact]
    public void A_full_disk_at_the_cache_save_warns_naming_the_file_and_training_goes_on_with_the_cache_in_memory()
    {
        var teacher = new QuadrantTeacher(seed: 1);
        var options = DistilQuadrants.DefaultOptions with { Epochs = 2, TeacherCachePath = CachePath };
        var expected = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Data, null, options);
        File.Delete(CachePath);

        var events = new List<TrainingEvent>();
        TrainingResult result;
        using (AtomicFile.InjectStream(file => new FullDisk(file, failAfter: 100)))
            result = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Data, null, options, new SynchronousProgress<TrainingEvent>(events.Add));

        var warning = Assert.Single(events.OfType<TeacherCacheNotSaved>());
        Assert.Equal(CachePath, warning.Path);
        Assert.Contains("No space left on device", warning.Error);
        Assert.Equal(TeacherCacheOutcome.Created, Assert.Single(events.OfType<TeacherCacheUsed>()).Outcome);
        Assert.Equal(expected.Epochs.Select(e => e.TrainLoss), result.Epochs.Select(e => e.TrainLoss));
        Assert.False(File.Exists(CachePath));
        Assert.Empty(Temporaries(_directory));
    }

    [Fact]
    public void A_rebuilt_cache_reports_why_through_the_run()
    {
        var teacher = new QuadrantTeacher(seed: 1);
        var options = DistilQuadrants.DefaultOptions with { Epochs = 1, TeacherCachePath = CachePath };
        new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Data, null, options);
        FlipBit(CachePath, LayoutOf(CachePath).BodyStart + 10, bit: 5);

        var events = new List<TrainingEvent>();
        new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(Data, null, options, new SynchronousProgress<TrainingEvent>(events.Add));

        var used = Assert.Single(events.OfType<TeacherCacheUsed>());
        Assert.Equal(TeacherCacheOutcome.Rebuilt, used.Outcome);
        Assert.Contains($"'{CachePath}'", used.Reason);
        Assert.Contains("checksum", used.Reason);
    }

    [Fact]
    public void Temporary_files_of_killed_writers_are_deleted_and_nothing_else()
    {
        var dead = LeaveTornTemporary(CachePath, DeadProcessId(), bytes: 80_000);
        var reused = LeaveTornTemporary(CachePath, Environment.ProcessId, bytes: 10);
        File.SetLastWriteTimeUtc(reused, System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().AddHours(-1)); // the id's earlier owner
        var live = LeaveTornTemporary(CachePath, Environment.ProcessId, bytes: 10);
        File.SetLastWriteTimeUtc(live, DateTime.UtcNow);
        var legacyOld = Path.Combine(_directory, $".teacher.cache.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(legacyOld, [1]);
        File.SetLastWriteTimeUtc(legacyOld, DateTime.UtcNow.AddHours(-1));
        var legacyRecent = Path.Combine(_directory, $".teacher.cache.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(legacyRecent, [1]);
        var others = new[] { ".teacher.cache.123.not-ours.tmp", "teacher.cache.tmp", ".notes.tmp", $"teacher.cache.{FaultInjection.DeadProcessId()}.0123456789abcdef.tmp" }
            .Select(name => Path.Combine(_directory, name)).ToList();
        foreach (var other in others)
        {
            File.WriteAllBytes(other, [1]);
            File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddHours(-1));
        }

        Load(Task(Teacher()));

        Assert.False(File.Exists(dead));
        Assert.False(File.Exists(reused));
        Assert.False(File.Exists(legacyOld));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(legacyRecent));
        Assert.All(others, other => Assert.True(File.Exists(other), other));
    }
}
