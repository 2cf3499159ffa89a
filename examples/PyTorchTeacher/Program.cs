using System.Globalization;
using System.Text.Json;
using DslKd;
using PyTorchTeacherExample;
using static TorchSharp.torch;

// Distil a .NET student from a teacher trained in PyTorch (train_teacher.py), end to end:
//   1. load the teacher's state_dict (teacher/fashion_cnn.safetensors, PyTorch's names) into its DslKd declaration,
//      checked at compile time already, and reproduce PyTorch's logits and test accuracy;
//   2. distil a small MLP from it on the embedded Fashion-MNIST subset;
//   3. save the student back under PyTorch names (.safetensors and .pt) for model.load_state_dict in Python.
// Options: --data <folder> (Fashion-MNIST IDX files), --epochs <n>, --out <folder>, --torchscript (use the traced
// teacher, teacher/fashion_cnn.traced.pt, instead of the weights).
var options = Options.Parse(args);
var dataDirectory = options.Data ?? FindSubset()
    ?? throw new DirectoryNotFoundException("No Fashion-MNIST data: pass --data <folder> (the repository's data/fashion-mnist-subset is used when found).");
var teacherDirectory = Path.Combine(AppContext.BaseDirectory, "teacher");
Console.WriteLine($"data: {dataDirectory}");

using var test = FashionMnist.Load(dataDirectory, train: false);
using var all = FashionMnist.Load(dataDirectory, train: true);
var (train, validation) = DatasetSplits.SplitValidation(all, 0.1, seed: 0);

// 1. The teacher, from PyTorch.
var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(teacherDirectory, "fashion_cnn.json"))).RootElement;
nn.Module<Tensor, Tensor> teacher;
if (options.TorchScript)
{
    var traced = new TracedFashionCnn();
    TorchScriptLayer.Load(traced, Path.Combine(teacherDirectory, "fashion_cnn.traced.pt"));
    teacher = traced;
}
else
{
    var declared = new FashionCnn();
    PyTorchWeights.Load(declared, Path.Combine(teacherDirectory, "fashion_cnn.safetensors"));
    teacher = declared;
}
teacher.eval();
using (no_grad())
{
    var expected = reference.GetProperty("first_logits").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())).ToArray();
    var logits = teacher.call(test.Inputs.narrow(0, 0, 4));
    var difference = (logits - tensor(expected, [4, 10])).abs().max().item<float>();
    var accuracy = Evaluator.Evaluate(x => teacher.call(x), test, batchSize: 500).Accuracy;
    Console.WriteLine($"teacher ({(options.TorchScript ? "TorchScript" : "safetensors")}): test accuracy {accuracy:P2} here, " +
                      $"{reference.GetProperty("test_accuracy").GetDouble():P2} in PyTorch {reference.GetProperty("torch").GetString()}; " +
                      $"largest logit difference {difference.ToString("G3", CultureInfo.InvariantCulture)}");
}

// 2. Distil the student.
var student = new FashionMlp(seed: 0);
var recipeOptions = MlpFromPyTorchCnn.DefaultOptions with { Epochs = options.Epochs };
var result = options.TorchScript
    ? new MlpFromTorchScriptCnn((TracedFashionCnn)teacher, student).Train(train, validation, recipeOptions)
    : new MlpFromPyTorchCnn((FashionCnn)teacher, student).Train(train, validation, recipeOptions);
foreach (var epoch in result.Epochs)
    Console.WriteLine($"epoch {epoch.Epoch}: train loss {epoch.TrainLoss:F4}, validation accuracy {epoch.Evaluation!.Accuracy:P2}");
student.eval();
var studentAccuracy = Evaluator.Evaluate(x => student.call(x), test, batchSize: 500).Accuracy;
Console.WriteLine($"student: test accuracy {studentAccuracy:P2} ({FashionMlp.ParameterCount:N0} parameters, {MlpFromPyTorchCnn.CompressionRatio:F1}x fewer than the teacher)");

// 3. Back to PyTorch.
Directory.CreateDirectory(options.Out);
foreach (var extension in new[] { ".safetensors", ".pt" })
{
    var path = Path.Combine(options.Out, "fashion_mlp" + extension);
    PyTorchWeights.Save(student, path);
    Console.WriteLine($"saved {path}");
}
Console.WriteLine("""
    In Python:
        mlp = torch.nn.Module(); mlp.hidden = torch.nn.Linear(784, 16); mlp.out = torch.nn.Linear(16, 10)
        mlp.load_state_dict(torch.load("fashion_mlp.pt"))    # forward: out(relu(hidden(x.flatten(1))))
    """);
return 0;

static string? FindSubset()
{
    foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "data", "fashion-mnist-subset");
            if (File.Exists(Path.Combine(candidate, "t10k-images-idx3-ubyte.gz"))) return candidate;
        }
    return null;
}

internal sealed record Options(string? Data, int Epochs, string Out, bool TorchScript)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(null, MlpFromPyTorchCnn.DefaultOptions.Epochs, Path.Combine("runs", "pytorch-teacher"), false);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--data" => options with { Data = Value() },
                "--epochs" => options with { Epochs = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--out" => options with { Out = Value() },
                "--torchscript" => options with { TorchScript = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'; the options are --data <folder>, --epochs <n>, --out <folder>, --torchscript."),
            };
        }
        return options;
    }
}
