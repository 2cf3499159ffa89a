using System.Buffers.Binary;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>Damage done to files the way disks, copies, kills and buggy writers do it.</summary>
internal static class FaultInjection
{
    /// <summary>Where the parts of a sealed file are: header [HeaderStart, BodyStart), body [BodyStart, BodyEnd), trailer after.</summary>
    public readonly record struct Layout(long HeaderStart, long BodyStart, long BodyEnd, long Length);

    public static Layout LayoutOf(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var header = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        return new Layout(12, 12 + header, bytes.Length - 40, bytes.Length);
    }

    public static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    public static void FlipBit(string path, long offset, int bit = 0)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= (byte)(1 << bit);
        File.WriteAllBytes(path, bytes);
    }

    public static void Append(string path, params byte[] extra)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(extra);
    }

    /// <summary>
    /// Edits a sealed file's header and body and seals it again with a correct checksum: what a writer with a bug (or a
    /// hand edit followed by a re-seal) would produce, so the reader's own checks, not the checksum, must catch it.
    /// </summary>
    public static void Reseal(string path, SealedFileKind kind, Func<string, string>? header = null, Func<byte[], byte[]>? body = null)
    {
        string text;
        byte[] content;
        using (var reader = SealedFile.Open(path, kind))
        {
            text = reader.Header;
            content = reader.ReadBody();
        }
        text = header?.Invoke(text) ?? text;
        content = body?.Invoke(content) ?? content;
        SealedFile.Write(path, kind, text, writer => writer.Write(content));
    }

    /// <summary>The process id of a process that has exited.</summary>
    public static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>A temporary file as a process killed while writing <paramref name="target"/> leaves it.</summary>
    public static string LeaveTornTemporary(string target, int pid, int bytes)
    {
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $".{Path.GetFileName(target)}.{pid}.{Guid.NewGuid().ToString("N")[..16]}.tmp");
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        return path;
    }

    /// <summary>Writes through to the file until <paramref name="failAfter"/> bytes, then fails as a full disk does.</summary>
    public sealed class FullDisk(Stream inner, long failAfter) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var room = (int)Math.Max(0, Math.Min(buffer.Length, failAfter - _written));
            inner.Write(buffer[..room]);
            _written += room;
            if (room < buffer.Length) throw new IOException("No space left on device");
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Every temporary file of DslKd's pattern in <paramref name="directory"/>.</summary>
    public static string[] Temporaries(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, ".*.tmp").Select(f => Path.GetFileName(f)).ToArray() : [];

    public static bool SameState(nn.Module a, nn.Module b) =>
        a.state_dict().All(kv => kv.Value.equal(b.state_dict()[kv.Key]).all().item<bool>());

    public static Dictionary<string, Tensor> Snapshot(nn.Module module) => module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

    public static bool Unchanged(nn.Module module, Dictionary<string, Tensor> snapshot) =>
        module.state_dict().All(kv => kv.Value.equal(snapshot[kv.Key]).all().item<bool>());
}

/// <summary>A supervised task over any module, so tests can vary layers a generated model fixes by its type name.</summary>
internal sealed class ModuleTask(nn.Module<Tensor, Tensor> model, string name = "ModuleTask") : ITrainingTask
{
    public string Name => name;
    public nn.Module Trainable => model;
    public void MoveTo(Device device) => model.to(device);

    public StepLoss ComputeTrainingLoss(Tensor inputs, Tensor labels)
    {
        var loss = nn.functional.cross_entropy(model.call(inputs), labels);
        return new StepLoss(loss, [new LossTerm("CrossEntropy", 1, loss)]);
    }

    public Tensor Predict(Tensor inputs) => model.call(inputs);
}

/// <summary>A distillation task whose teacher is any module; only its cached logits are used.</summary>
internal sealed class ModuleTeacherTask(nn.Module<Tensor, Tensor> teacher, nn.Module<Tensor, Tensor> student) : ICachedTeacherTask
{
    public string Name => "ModuleTeacherTask";
    public nn.Module Trainable => student;
    public nn.Module Teacher => teacher;
    public IReadOnlyList<string> CachedTeacherFeatures { get; } = ["Logits"];
    public void MoveTo(Device device) => student.to(device);

    public Tensor[] ComputeTeacherFeatures(Tensor inputs) => [teacher.call(inputs)];

    public StepLoss ComputeTrainingLoss(Tensor inputs, Tensor labels)
    {
        Tensor[] features;
        using (no_grad()) features = ComputeTeacherFeatures(inputs);
        return ComputeTrainingLoss(features, inputs, labels);
    }

    public StepLoss ComputeTrainingLoss(Tensor[] cachedTeacherFeatures, Tensor inputs, Tensor labels)
    {
        var loss = nn.functional.mse_loss(student.call(inputs), cachedTeacherFeatures[0]);
        return new StepLoss(loss, [new LossTerm("Mse", 1, loss)]);
    }

    public Tensor Predict(Tensor inputs) => student.call(inputs);
}
