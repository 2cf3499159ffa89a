using System.Diagnostics;
using System.Globalization;
using DeployStudent;
using Microsoft.ML.OnnxRuntime;

// Runs a student exported by DslKd (OnnxExport.Save, or `fashion-mnist export`) with ONNX Runtime alone: no TorchSharp,
// no DslKd. Classifies the Fashion-MNIST test images of a folder (or the IDX files given) and prints the accuracy.
//   deploy-student <model.onnx> [--data <folder>] [--images <idx> --labels <idx>] [--show <n>] [--threads <n>]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string[] classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: deploy-student <model.onnx> [--data <folder>] [--images <idx> --labels <idx>] [--show <n>] [--threads <n>]");
    Console.WriteLine("  --data     a Fashion-MNIST folder with t10k-{images-idx3,labels-idx1}-ubyte[.gz] (default: the full set when");
    Console.WriteLine("             installed in /usr/share/datasets/fashion-mnist, else the repository's data/fashion-mnist-subset)");
    return args.Length == 0 ? 2 : 0;
}

try
{
    var modelPath = args[0];
    var options = Options(args.Skip(1).ToArray());
    var (imagesPath, labelsPath) = options.TryGetValue("--images", out var images)
        ? (images, options.TryGetValue("--labels", out var labels) ? labels : throw new ArgumentException("--images needs --labels"))
        : IdxImages.TestFiles(options.TryGetValue("--data", out var folder) ? folder : DefaultData());
    var threads = options.TryGetValue("--threads", out var t) ? int.Parse(t, CultureInfo.InvariantCulture) : Environment.ProcessorCount;
    var show = options.TryGetValue("--show", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 5;

    var (pixels, count, height, width) = IdxImages.ReadImages(imagesPath);
    var truth = IdxImages.ReadLabels(labelsPath);
    if (truth.Length != count) throw new InvalidDataException($"{imagesPath} holds {count} images but {labelsPath} holds {truth.Length} labels.");

    using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var session = new InferenceSession(modelPath, sessionOptions);
    var input = session.InputMetadata.Single();
    var output = session.OutputNames[0];
    var sampleShape = input.Value.Dimensions.Skip(1).Select(d => (long)d).ToArray();
    var perSample = sampleShape.Aggregate(1L, (p, d) => p * d);
    if (perSample != height * width)
        throw new InvalidDataException($"{modelPath} takes [{string.Join(", ", sampleShape)}] per sample; the images are {height}x{width}.");

    // The preprocessing the model was trained with, from the file's metadata (the example writes it), else Fashion-MNIST's.
    var metadata = session.ModelMetadata.CustomMetadataMap;
    var mean = metadata.TryGetValue("preprocessing.mean", out var m) ? float.Parse(m, CultureInfo.InvariantCulture) : 0.2860f;
    var std = metadata.TryGetValue("preprocessing.std", out var d) ? float.Parse(d, CultureInfo.InvariantCulture) : 0.3530f;
    var model = metadata.TryGetValue("dslkd.model", out var name) ? name : Path.GetFileNameWithoutExtension(modelPath);
    Console.WriteLine($"Model: {modelPath} ({model}, {new FileInfo(modelPath).Length / 1024.0:F0} KiB), ONNX Runtime {OrtEnv.Instance().GetVersionString()}, {threads} threads");
    Console.WriteLine($"Images: {imagesPath} ({count:N0})");

    const int batchSize = 256;
    var predictions = new int[count];
    var clock = Stopwatch.StartNew();
    for (var start = 0; start < count; start += batchSize)
    {
        var n = Math.Min(batchSize, count - start);
        var batch = new float[n * perSample];
        for (var i = 0; i < batch.Length; i++) batch[i] = (pixels[start * perSample + i] / 255f - mean) / std;
        using var value = OrtValue.CreateTensorValueFromMemory(batch, [n, .. sampleShape]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input.Key], [value], [output]);
        var logits = results[0].GetTensorDataAsSpan<float>();
        var classCount = logits.Length / n;
        for (var i = 0; i < n; i++)
        {
            var row = logits.Slice(i * classCount, classCount);
            var best = 0;
            for (var j = 1; j < classCount; j++) if (row[j] > row[best]) best = j;
            predictions[start + i] = best;
        }
    }
    var seconds = clock.Elapsed.TotalSeconds;

    for (var i = 0; i < Math.Min(show, count); i++)
        Console.WriteLine($"  image {i}: {Name(predictions[i])} (true: {Name(truth[i])})");
    var correct = predictions.Zip(truth, (p, l) => p == l ? 1 : 0).Sum();
    Console.WriteLine($"Accuracy: {correct * 100.0 / count:F2}% ({correct:N0} / {count:N0})");
    Console.WriteLine($"Throughput: {count / seconds:N0} images/s at batch {batchSize}");
    return 0;

    string Name(int label) => label < classes.Length ? classes[label] : label.ToString(CultureInfo.InvariantCulture);
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException or OnnxRuntimeException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static Dictionary<string, string> Options(string[] rest)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < rest.Length; i += 2)
    {
        if (!rest[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= rest.Length)
            throw new ArgumentException($"expected --option value pairs after the model, got '{rest[i]}'");
        options[rest[i]] = rest[i + 1];
    }
    return options;
}

// The full Fashion-MNIST when Debian's dataset-fashion-mnist is installed, else the subset in the repository.
static string DefaultData()
{
    const string installed = "/usr/share/datasets/fashion-mnist";
    if (Directory.Exists(installed)) return installed;
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (Directory.Exists(Path.Combine(directory.FullName, "data", "fashion-mnist-subset")))
                return Path.Combine(directory.FullName, "data", "fashion-mnist-subset");
    throw new DirectoryNotFoundException("No Fashion-MNIST folder found: pass --data <folder> or --images and --labels.");
}
