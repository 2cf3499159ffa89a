using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DslKd;
using DslKd.Export;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;
using Spectre.Console.Rendering;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>One exported file run by ONNX Runtime on the test set.</summary>
/// <param name="Name">What it is ("Distilled student, ONNX Runtime float32").</param>
/// <param name="Path">The .onnx file.</param>
/// <param name="BytesOnDisk">Its size.</param>
/// <param name="Accuracy">Top-1 accuracy on the test set.</param>
/// <param name="AgreementWithTorchSharp">Share of test images where its prediction equals the TorchSharp model's.</param>
/// <param name="Latency">One sample at a time (batch 1).</param>
/// <param name="Batch">A batch of <see cref="BatchSize"/> samples.</param>
public sealed record OnnxMeasurement(string Name, string Path, long BytesOnDisk, double Accuracy, double AgreementWithTorchSharp, TimingSample Latency, TimingSample Batch, long BatchSize)
{
    /// <summary>Median time of a batch-1 run.</summary>
    public double LatencyMicroseconds => Latency.MedianSeconds * 1e6;

    /// <summary>Samples per second at the median batch time.</summary>
    public double SamplesPerSecond => BatchSize / Batch.MedianSeconds;
}

/// <summary>
/// The student shipped: exported to ONNX beside its <c>.dkd</c> (float32 <c>.onnx</c> and int8 <c>.int8.onnx</c>,
/// calibrated on training images), the <c>export</c> command, and the ONNX Runtime rows of the report. See docs/deploy.md.
/// </summary>
public static class OnnxDeployment
{
    /// <summary>The models <c>export</c> can write, by their file name.</summary>
    public static readonly string[] ModelNames = ["distilled", "student-alone", "textbook-distilled", "teacher"];

    /// <summary>What an application needs besides the graph: the preprocessing the models were trained with, the class names.</summary>
    public static OnnxExportOptions ExportOptions { get; } = new()
    {
        Metadata = new Dictionary<string, string>
        {
            ["preprocessing"] = "pixels / 255, minus preprocessing.mean, divided by preprocessing.std",
            ["preprocessing.mean"] = FashionMnist.Mean.ToString("R", CultureInfo.InvariantCulture),
            ["preprocessing.std"] = FashionMnist.StandardDeviation.ToString("R", CultureInfo.InvariantCulture),
            ["classes"] = string.Join(",", FashionMnist.ClassNames),
        },
    };

    /// <summary>Writes <c>name.onnx</c> and <c>name.int8.onnx</c> beside <paramref name="modelPath"/> (<c>name.dkd</c>).</summary>
    public static (string Float, string Int8) Write<TModel>(TModel model, string modelPath, LabeledDataset train)
        where TModel : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        var floatPath = System.IO.Path.ChangeExtension(modelPath, OnnxExport.Extension);
        var int8Path = System.IO.Path.ChangeExtension(modelPath, ".int8" + OnnxExport.Extension);
        model.eval();
        OnnxExport.Save(model, floatPath, ExportOptions);
        OnnxExport.SaveInt8(model, int8Path, CalibrationBatches(train), ExportOptions);
        return (floatPath, int8Path);
    }

    /// <summary>Exports the student and measures both files in ONNX Runtime against the TorchSharp model: the report's rows.</summary>
    public static IReadOnlyList<OnnxMeasurement> ExportAndMeasure<TModel>(string label, TModel model, string modelPath, LabeledDataset train, LabeledDataset test)
        where TModel : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        var (floatPath, int8Path) = Write(model, modelPath, train);
        return [Measure($"{label}, ONNX Runtime float32", floatPath, test, model), Measure($"{label}, ONNX Runtime int8", int8Path, test, model)];
    }

    /// <summary>
    /// <see cref="ExportAndMeasure{TModel}"/> for a model of any pair, known here only as a module: a model the generator
    /// made exportable (every layer has an ONNX mapping) is exported, another is not (null), and the caller says so.
    /// </summary>
    public static IReadOnlyList<OnnxMeasurement>? TryExportAndMeasure(string label, nn.Module<Tensor, Tensor> model, string modelPath, LabeledDataset train, LabeledDataset test)
    {
        if (model is not IOnnxExportable) return null;
        // The export is generic over the model's type (its constraints are what make a model exportable); a pair's model
        // is known by its type only at run time here.
        var method = typeof(OnnxDeployment).GetMethod(nameof(ExportAndMeasure))!.MakeGenericMethod(model.GetType());
        try
        {
            return (IReadOnlyList<OnnxMeasurement>)method.Invoke(null, [label, model, modelPath, train, test])!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Why a model was not exported: its generated class is not <see cref="IOnnxExportable"/>.</summary>
    public static string NotExportable(nn.Module<Tensor, Tensor> model) =>
        $"{model.GetType().Name} has a layer without an ONNX mapping (see docs/deploy.md), so it is not exported to ONNX";

    /// <summary>
    /// Runs <paramref name="path"/> in ONNX Runtime (as many threads as TorchSharp uses) on the test set: accuracy, top-1
    /// agreement with <paramref name="reference"/>, median latency at batch 1 and throughput at batch 256.
    /// </summary>
    public static OnnxMeasurement Measure(string name, string path, LabeledDataset test, nn.Module<Tensor, Tensor> reference)
    {
        using var options = new SessionOptions { IntraOpNumThreads = get_num_threads(), GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        var inputName = session.InputNames[0];
        reference.eval();
        var (correct, agree) = (0L, 0L);
        using (no_grad())
        {
            for (long start = 0; start < test.Count; start += 512)
            {
                using var scope = NewDisposeScope();
                var n = Math.Min(512, test.Count - start);
                var inputs = test.Inputs.narrow(0, start, n);
                var labels = test.Labels.narrow(0, start, n).data<long>().ToArray();
                var expected = reference.call(inputs).argmax(1).data<long>().ToArray();
                var predicted = Predict(session, inputName, inputs);
                for (var i = 0; i < n; i++)
                {
                    if (predicted[i] == labels[i]) correct++;
                    if (predicted[i] == expected[i]) agree++;
                }
            }
        }
        // Timed as the TorchSharp rows are: the input already in place, the run alone (one input and output bound once).
        var batchSize = Math.Min(Measurements.ThroughputBatch, test.Count);
        using var one = new BoundRun(session, inputName, test.Inputs.narrow(0, 0, 1));
        using var many = new BoundRun(session, inputName, test.Inputs.narrow(0, 0, batchSize));
        var latency = Timing.Measure(one.Run, minimumRuns: 200);
        var batchTime = Timing.Measure(many.Run, minimumRuns: 15);
        return new OnnxMeasurement(name, path, new FileInfo(path).Length, (double)correct / test.Count, (double)agree / test.Count,
            latency, batchTime, batchSize);
    }

    /// <summary>The <c>export</c> command: trains or reuses the model as the other commands do, writes both files, checks them.</summary>
    public static Command ExportCommand(Func<Command, Option[], Func<ParseResult, int>, Command> withOptions, Option[] options, Func<ParseResult, JobSettings> settingsOf)
    {
        var which = new Option<string>("--model") { Description = $"The model to export: {string.Join(", ", ModelNames)}", DefaultValueFactory = _ => ModelNames[0] };
        which.AcceptOnlyFromAmong(ModelNames);
        var command = withOptions(new Command("export", "Export a model (training it if needed) to <name>.onnx and <name>.int8.onnx beside its .dkd, and check both in ONNX Runtime on the test set"), options, parse =>
        {
            var settings = settingsOf(parse);
            var job = new MainJob(settings);
            var name = parse.GetValue(which)!;
            var path = ModelStore.PathOf(settings.OutputDirectory, name);
            var (label, model) = name switch
            {
                "teacher" => ("Teacher", job.Teacher().Model),
                "student-alone" => ("Student alone", job.StudentAlone().Model),
                "textbook-distilled" => ("Textbook KD", job.TextbookDistilled(job.Teacher().Model).Model),
                _ => ("Distilled student", job.Distilled(job.Teacher().Model).Model),
            };
            var measured = TryExportAndMeasure(label, model, path, job.Data.Train, job.Test)
                ?? throw new InvalidOperationException($"{NotExportable(model)}; the {settings.Pair.Key} pair's {name} stays a .dkd.");
            foreach (var m in measured)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{m.Name}: {m.Path} ({m.BytesOnDisk / 1024.0:F0} KiB), accuracy {m.Accuracy * 100:F2}% on {job.Test.Count:N0} test images, top-1 agreement with TorchSharp {m.AgreementWithTorchSharp * 100:F2}%, latency {m.Latency.Microseconds()} (batch 1), {m.Batch.Throughput(m.BatchSize)} (batch {m.BatchSize}); median (middle half of the runs)"));
            return 0;
        });
        command.Options.Add(which);
        return command;
    }

    /// <summary>The ONNX Runtime rows as a console table.</summary>
    public static IRenderable Render(IReadOnlyList<OnnxMeasurement> rows)
    {
        var table = new Table().Title("The distilled student in ONNX Runtime (no TorchSharp)").Border(TableBorder.Rounded);
        foreach (var column in new[] { "File", "Accuracy", "Agreement", "On disk", "Latency (1)", "Throughput (256)" })
            table.AddColumn(new TableColumn(column).RightAligned());
        table.Columns[0].LeftAligned();
        foreach (var m in rows)
            table.AddRow(Markup.Escape(System.IO.Path.GetFileName(m.Path)), F($"{m.Accuracy * 100:F2}%"), F($"{m.AgreementWithTorchSharp * 100:F2}%"),
                F($"{m.BytesOnDisk / 1024.0:F0} KiB"), m.Latency.Microseconds(), m.Batch.Throughput(m.BatchSize));
        return table;
    }

    /// <summary>The same rows as markdown, for results.md.</summary>
    public static string ToMarkdown(IReadOnlyList<OnnxMeasurement> rows)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("## The distilled student in ONNX Runtime").AppendLine();
        text.AppendLine("Exported beside its `.dkd` (docs/deploy.md); agreement is the share of test images where ONNX Runtime predicts what TorchSharp does.").AppendLine();
        text.AppendLine("| File | Test accuracy | Agreement with TorchSharp | Size on disk | Latency (batch 1), median (middle half) | Throughput (batch 256), median (middle half) |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var m in rows)
            text.AppendLine(F($"| {System.IO.Path.GetFileName(m.Path)} | {m.Accuracy * 100:F2}% | {m.AgreementWithTorchSharp * 100:F2}% | {m.BytesOnDisk / 1024.0:F0} KiB | {m.Latency.Microseconds()} | {m.Batch.Throughput(m.BatchSize)} |"));
        return text.ToString();
    }

    /// <summary>Calibration for int8: the first 2,048 training images, in batches of 256.</summary>
    private static IEnumerable<Tensor> CalibrationBatches(LabeledDataset train)
    {
        var count = Math.Min(2048, train.Count);
        for (long start = 0; start < count; start += 256)
            yield return train.Inputs.narrow(0, start, Math.Min(256, count - start));
    }

    private static int[] Predict(InferenceSession session, string inputName, Tensor inputs)
    {
        using var contiguous = inputs.to(ScalarType.Float32).contiguous();
        var data = contiguous.data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(data, contiguous.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], [session.OutputNames[0]]);
        var logits = results[0].GetTensorDataAsSpan<float>();
        var n = (int)contiguous.shape[0];
        var classes = logits.Length / n;
        var predictions = new int[n];
        for (var i = 0; i < n; i++)
        {
            var row = logits.Slice(i * classes, classes);
            for (var j = 1; j < classes; j++) if (row[j] > row[predictions[i]]) predictions[i] = j;
        }
        return predictions;
    }

    /// <summary>Runs a session on fixed inputs with its input and output values created once, as a latency-minded application does.</summary>
    private sealed class BoundRun : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtValue _input;
        private readonly OrtValue _output;
        private readonly RunOptions _options = new();
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;

        public BoundRun(InferenceSession session, string inputName, Tensor inputs)
        {
            _session = session;
            using var contiguous = inputs.to(ScalarType.Float32).contiguous();
            _input = OrtValue.CreateTensorValueFromMemory(contiguous.data<float>().ToArray(), contiguous.shape);
            var outputShape = session.OutputMetadata[session.OutputNames[0]].Dimensions.Select(d => (long)d).ToArray();
            outputShape[0] = contiguous.shape[0];
            _output = OrtValue.CreateTensorValueFromMemory(new float[outputShape.Aggregate(1L, (p, d) => p * d)], outputShape);
            _inputNames = [inputName];
            _outputNames = [session.OutputNames[0]];
        }

        public void Run() => _session.Run(_options, _inputNames, [_input], _outputNames, [_output]);

        public void Dispose()
        {
            _input.Dispose();
            _output.Dispose();
            _options.Dispose();
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
