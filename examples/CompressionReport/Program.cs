using System.Diagnostics;
using System.Globalization;
using CompressionReport;
using DslKd;
using static TorchSharp.torch;

// Everything printed before the timing section is known at compile time: no model is built to get it.
const double compression = CnnToMlp.CompressionRatio;

Console.WriteLine(WideCnn.Summary);
Console.WriteLine(SmallMlp.Summary);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Compression: {WideCnn.ParameterCount:N0} -> {SmallMlp.ParameterCount:N0} parameters ({compression:F1}x smaller, " +
    $"{WideCnn.Description.ParameterBytes / 1024.0:F0} KiB -> {SmallMlp.Description.ParameterBytes / 1024.0:F0} KiB at float32)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Recipe CnnToMlp trains {CnnToMlp.AdapterParameterCount:N0} adapter parameters alongside the student (not shipped with it)."));
Console.WriteLine();

// Then the generated modules run, to show the compile-time shapes hold and what the compression buys on this CPU.
set_num_threads(Math.Max(1, Environment.ProcessorCount));
var teacher = new WideCnn(seed: 0);
var student = new SmallMlp(seed: 0);
teacher.eval();
student.eval();

Console.WriteLine("Inference on this CPU (random weights; speed does not depend on training):");
Console.WriteLine("model        output shape   latency, batch 1   throughput, batch 256");
foreach (var (name, model, description) in new (string, nn.Module<Tensor, Tensor>, ModelDescription)[]
         {
             ("WideCnn", teacher, WideCnn.Description),
             ("SmallMlp", student, SmallMlp.Description),
         })
{
    using var noGrad = no_grad();
    var latency = MeanSeconds(model, description, batch: 1, repetitions: 200);
    var throughput = 256 / MeanSeconds(model, description, batch: 256, repetitions: 20);
    using var sample = model.call(randn(description.InputShape.WithBatch(1)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-12} {"[" + string.Join(", ", sample.shape) + "]",-14} {latency * 1e6,10:F0} us {throughput,18:N0} samples/s"));
}

static double MeanSeconds(nn.Module<Tensor, Tensor> model, ModelDescription description, int batch, int repetitions)
{
    using var input = randn(description.InputShape.WithBatch(batch));
    for (var i = 0; i < 5; i++) model.call(input).Dispose(); // warm-up
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < repetitions; i++) model.call(input).Dispose();
    return clock.Elapsed.TotalSeconds / repetitions;
}
