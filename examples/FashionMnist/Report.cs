using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FashionMnistExample;

/// <summary>The results table, written as markdown and JSON, and printed.</summary>
public sealed record JobReport(string Data, string Command, ModelMeasurement Teacher, ModelMeasurement StudentAlone, ModelMeasurement TextbookDistilled, ModelMeasurement Distilled)
{
    /// <summary>Test accuracy the distilled student (the default, tuned recipe) gained over the student trained alone, in points.</summary>
    public double DistillationGainPoints => (Distilled.Test.Accuracy - StudentAlone.Test.Accuracy) * 100;

    /// <summary>The same for the textbook recipe (T = 4, 0.9 on soft targets).</summary>
    public double TextbookGainPoints => (TextbookDistilled.Test.Accuracy - StudentAlone.Test.Accuracy) * 100;

    /// <summary>The distilled student exported to ONNX (float32 and int8) and run by ONNX Runtime.</summary>
    public IReadOnlyList<OnnxMeasurement> OnnxRuntime { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<ModelMeasurement> Models => [Teacher, StudentAlone, TextbookDistilled, Distilled];

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# Fashion-MNIST: teacher, student alone, textbook and tuned distillation").AppendLine();
        text.AppendLine($"Data: {Data}  ").AppendLine($"Command: `{Command}`").AppendLine();
        text.AppendLine("| Model | Test accuracy | Parameters | Size on disk | Latency (batch 1) | Throughput (batch 256) | Speed-up vs teacher | Compression vs teacher |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var m in Models)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {m.Test.Accuracy * 100:F2}% | {m.Parameters:N0} | {m.BytesOnDisk / 1024.0:F0} KiB | {m.LatencyMicroseconds:F0} us | {m.SamplesPerSecond:N0} /s | {m.SamplesPerSecond / Teacher.SamplesPerSecond:F1}x | {(double)Teacher.Parameters / m.Parameters:F1}x |"));
        }
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Distillation gain over the student alone: {DistillationGainPoints:+0.00;-0.00} points of test accuracy (textbook recipe: {TextbookGainPoints:+0.00;-0.00})."));
        if (OnnxRuntime.Count > 0) text.AppendLine().Append(OnnxDeployment.ToMarkdown(OnnxRuntime));
        return text.ToString();
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        DslKd.AtomicFile.WriteAllText(Path.Combine(directory, "results.md"), ToMarkdown());
        DslKd.AtomicFile.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(this, new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
    }
}
