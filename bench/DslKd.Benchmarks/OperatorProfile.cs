using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd.Benchmarks;

/// <summary>
/// Where the CNN teacher's training step (batch 128, Adam) spends its time, operator by operator, from libtorch's own
/// profiler: self time per aten operator (time inside it minus the operators it called), forward, backward and
/// optimizer alike. TorchSharp does not wrap the profiler; libtorch exports its RAII recorder
/// (<c>torch::autograd::profiler::RecordProfile</c>: the constructor starts profiling, the destructor writes a Chrome
/// trace), which this calls directly.
/// </summary>
public static class OperatorProfile
{
    private const string Section = "9. CNN teacher step (batch 128) by operator, libtorch profiler: self ms per step";

    public static void Run(BenchReport report, int steps)
    {
        var step = CnnTeacherStep.Create(batch: 128);
        for (var i = 0; i < 5; i++) step();

        var trace = Path.Combine(Path.GetTempPath(), $"dslkd-profile-{Environment.ProcessId}.json");
        try
        {
            var wall = System.Diagnostics.Stopwatch.StartNew();
            if (!Recorder.TryRecord(trace, () => { for (var i = 0; i < steps; i++) step(); }))
            {
                report.Note(Section, "skipped", "this libtorch build does not export RecordProfile");
                return;
            }
            var perStep = wall.Elapsed.TotalMilliseconds / steps;
            var selfTimes = SelfTimes(trace);
            var profiled = selfTimes.Values.Sum() / 1e3 / steps;
            report.Add(Section, "step, wall clock while profiling", perStep, "ms");
            report.Add(Section, "inside aten operators (sum of self times)", profiled, "ms", $"{profiled / perStep:P0} of the step");
            foreach (var (name, micros) in selfTimes.OrderByDescending(p => p.Value).Take(14))
                report.Add(Section, name, micros / 1e3 / steps, "ms", $"{micros / 1e3 / steps / perStep:P1}");
            ReluAfterPooling(report, steps);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    /// <summary>
    /// One lever the profile points at, measured: ReLU after max pooling instead of before it computes the same function
    /// (max and ReLU commute) with the same gradient, on a quarter of the values. Hand-written, step-interleaved.
    /// </summary>
    private static void ReluAfterPooling(BenchReport report, int steps)
    {
        var images = randn(128, 1, 28, 28);
        var labels = randint(0, 10, 128);
        Action StepOf(nn.Module<Tensor, Tensor> model)
        {
            var optimizer = optim.Adam(model.parameters(), 1e-3);
            model.train();
            return () => HandWritten.SupervisedStep(model, optimizer, images, labels);
        }
        var asDeclared = StepOf(HandWritten.WideCnn());
        var swapped = StepOf(nn.Sequential(
            nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.MaxPool2d(2), nn.ReLU(),
            nn.Flatten(), nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10)));
        var (before, after) = Timing.Interleaved(Math.Max(steps, 3), asDeclared, swapped);
        report.Add(Section, "lever: ReLU after max pooling / before (hand-written step)", after / before, "x", $"{before * 1e3:F1} -> {after * 1e3:F1} ms");
    }

    /// <summary>Self time (microseconds) per operator name: each event's duration minus that of the events nested in it on the same thread.</summary>
    private static Dictionary<string, double> SelfTimes(string tracePath)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(tracePath));
        var events = json.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("ph", out var ph) && ph.GetString() == "X")
            .Select(e => (Name: e.GetProperty("name").GetString()!, Thread: e.GetProperty("tid").ToString(), Start: e.GetProperty("ts").GetDouble(), Duration: e.GetProperty("dur").GetDouble()))
            .OrderBy(e => e.Thread).ThenBy(e => e.Start).ThenByDescending(e => e.Duration)
            .ToList();
        var self = new Dictionary<string, double>();
        var open = new Stack<(string Name, string Thread, double End, double Children, double Duration)>();
        void Close()
        {
            var done = open.Pop();
            self[done.Name] = self.GetValueOrDefault(done.Name) + done.Duration - done.Children;
            if (open.Count > 0)
            {
                var parent = open.Pop();
                open.Push(parent with { Children = parent.Children + done.Duration });
            }
        }
        foreach (var e in events)
        {
            while (open.Count > 0 && (open.Peek().Thread != e.Thread || open.Peek().End <= e.Start)) Close();
            open.Push((e.Name, e.Thread, e.Start + e.Duration, 0, e.Duration));
        }
        while (open.Count > 0) Close();
        return self;
    }

    private static class Recorder
    {
        private const string LibTorch = "libtorch_cpu";

        // torch::autograd::profiler::RecordProfile::RecordProfile(const std::string&) and ~RecordProfile().
        [DllImport(LibTorch, EntryPoint = "_ZN5torch8autograd8profiler13RecordProfileC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE")]
        private static extern void Construct(IntPtr self, IntPtr path);

        [DllImport(LibTorch, EntryPoint = "_ZN5torch8autograd8profiler13RecordProfileD1Ev")]
        private static extern void Destruct(IntPtr self);

        public static bool TryRecord(string path, Action work)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(path);
            // A libstdc++ std::string (the C++11 ABI): data pointer, length, then 16 bytes of capacity or inline chars.
            // The path is longer than 15 bytes, so its characters live outside: we own that buffer and the object.
            if (bytes.Length <= 15) throw new ArgumentException("The trace path must be longer than 15 bytes.", nameof(path));
            var chars = Marshal.AllocHGlobal(bytes.Length + 1);
            var text = Marshal.AllocHGlobal(32);
            var recorder = Marshal.AllocHGlobal(4096); // far more than the recorder's two members
            try
            {
                Marshal.Copy(bytes, 0, chars, bytes.Length);
                Marshal.WriteByte(chars, bytes.Length, 0);
                Marshal.WriteIntPtr(text, 0, chars);
                Marshal.WriteInt64(text, 8, bytes.Length);
                Marshal.WriteInt64(text, 16, bytes.Length);
                try
                {
                    Construct(recorder, text);
                }
                catch (EntryPointNotFoundException)
                {
                    return false;
                }
                try
                {
                    work();
                }
                finally
                {
                    Destruct(recorder);
                }
                return true;
            }
            finally
            {
                Marshal.FreeHGlobal(recorder);
                Marshal.FreeHGlobal(text);
                Marshal.FreeHGlobal(chars);
            }
        }
    }
}
