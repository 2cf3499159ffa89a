using System.Text.Json;
using FashionMnistExample;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Examples.Tests;

/// <summary>
/// The example's pairs (<c>--pair</c>): the CNN pair end to end on a tiny slice in its own sub-folder, never touching the
/// MLP pair's files; its compile-time sizes; and the MLP pair (the default) still named, seeded and placed as before.
/// </summary>
public sealed class FashionMnistPairTests : IDisposable
{
    private static readonly string EmbeddedSubset = Path.Combine(ExampleProcess.RepositoryRoot, "data", "fashion-mnist-subset");

    private readonly string _output = Path.Combine(Path.GetTempPath(), "dslkd-pairs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] arguments) => ExampleProcess.Run("FashionMnist", "fashion-mnist", arguments);

    private string[] Tiny(string command, params string[] extra) =>
        [command, "--output", _output, "--data", EmbeddedSubset, "--limit-train", "600", "--teacher-epochs", "1", "--threads", "2", .. extra];

    [Fact]
    public void Cnn_pair_runs_end_to_end_in_its_own_folder_and_never_shares_files_with_the_mlp_pair()
    {
        var (exitCode, output, error) = Run(Tiny("run", "--pair", "cnn", "--limit-test", "100", "--student-epochs", "1", "--distil-epochs", "1"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var folder = Path.Combine(_output, "cnn");
        foreach (var file in new[] { "results.md", "results.json", "training-curves.png", "confusion-distilled.png", "teacher.dkd", "student-alone.dkd", "textbook-distilled.dkd", "distilled.dkd", "distilled.onnx", "distilled.int8.onnx", "teacher-outputs.cache" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"cnn/{file} is missing");
        // Nothing in the output folder itself: that is the MLP pair's.
        Assert.Equal(["cnn"], Directory.GetFileSystemEntries(_output).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')));

        var markdown = File.ReadAllText(Path.Combine(folder, "results.md"));
        Assert.StartsWith("# Fashion-MNIST (cnn pair): teacher, student alone, textbook and default distillation", markdown);
        Assert.Contains("| Teacher (ResNet) | ", markdown);
        Assert.Contains("| 696,042 |", markdown);
        Assert.Contains("| Distilled student (CNN) | ", markdown);
        Assert.Contains("| 84,874 |", markdown);
        Assert.Contains("| Teacher (ResNet) | TrainResNetTeacher | cross-entropy with the labels | 1 / 1 | 1 (last) | 1 | Sgd 0.05 momentum 0.9 Nesterov weight decay 0.0005, cosine, batch 128, RandomShift(2) |", markdown);
        Assert.Contains("| Student alone (CNN) | TrainSmallCnnAlone | cross-entropy with the labels, label smoothing 0.1 | ", markdown);
        Assert.Contains("| Textbook KD (CNN) | SmallCnnTextbookDistil (teacher: TrainResNetTeacher) | SoftTargets.Temperature = 4, SoftTargets.Weight = 0.9, HardLabels.Weight = 0.1 | ", markdown);
        Assert.Contains("| Distilled student (CNN) | SmallCnnStandardizedDistil (teacher: TrainResNetTeacher) | SoftTargets.Temperature = 2, SoftTargets.Weight = 9, HardLabels.Weight = 0.1 | ", markdown);
        Assert.Contains("Command: `dotnet run ", markdown);
        Assert.Contains(" --pair cnn ", markdown);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json"))))
        {
            Assert.Equal(696_042, json.RootElement.GetProperty("Teacher").GetProperty("Parameters").GetInt64());
            Assert.Equal(84_874, json.RootElement.GetProperty("Distilled").GetProperty("Parameters").GetInt64());
            foreach (var model in new[] { "Teacher", "StudentAlone", "TextbookDistilled", "Distilled" })
                Assert.InRange(json.RootElement.GetProperty(model).GetProperty("Test").GetProperty("Accuracy").GetDouble(), 0.0, 1.0);
        }
        // Each saved model is the pair's own class.
        var student = new FashionSmallCnn();
        ModelFile.Load(student, Path.Combine(folder, "distilled.dkd"));

        // The MLP pair on the same --output trains its own teacher in the folder itself, and leaves the CNN pair's alone.
        var cnnTeacher = File.ReadAllBytes(Path.Combine(folder, "teacher.dkd"));
        var (mlpExit, mlp, mlpError) = Run(Tiny("train-teacher"));
        Assert.True(mlpExit == 0, $"exit {mlpExit}\n{mlp}\n{mlpError}");
        Assert.Contains("teacher: epoch 1/1", mlp);
        Assert.True(File.Exists(Path.Combine(_output, "teacher.dkd")));
        Assert.Equal(cnnTeacher, File.ReadAllBytes(Path.Combine(folder, "teacher.dkd")));
        ModelFile.Load(new FashionCnn(), Path.Combine(_output, "teacher.dkd"));

        // And the CNN pair still finds its own.
        var (againExit, again, _) = Run(Tiny("train-teacher", "--pair", "cnn"));
        Assert.Equal(0, againExit);
        Assert.Contains($"teacher: reusing {Path.Combine(folder, "teacher.dkd")}", again);
    }

    [Fact]
    public void Cnn_student_is_under_100k_parameters_and_at_least_8x_smaller_than_its_teacher()
    {
        Assert.True(FashionSmallCnn.ParameterCount < 100_000, $"{FashionSmallCnn.ParameterCount}");
        Assert.True(FashionResNet.ParameterCount >= 8 * FashionSmallCnn.ParameterCount, $"{FashionResNet.ParameterCount} / {FashionSmallCnn.ParameterCount}");
        Assert.Equal((696_042L, 84_874L), (FashionResNet.ParameterCount, FashionSmallCnn.ParameterCount));
        Assert.Equal(FashionResNet.ParameterCount, new FashionResNet().parameters().Sum(p => p.numel()));
        Assert.Equal(FashionSmallCnn.ParameterCount, new FashionSmallCnn().parameters().Sum(p => p.numel()));
        Assert.Equal((double)FashionResNet.ParameterCount / FashionSmallCnn.ParameterCount, SmallCnnDistil.CompressionRatio);

        var (exitCode, output, _) = Run("summary", "--pair", "cnn");
        Assert.Equal(0, exitCode);
        Assert.Contains("Trainable params: 696,042", output);
        Assert.Contains("Trainable params: 84,874", output);
        Assert.Contains("Compression: 8.2x", output);
    }

    [Fact]
    public void Sequence_pair_reads_images_as_rows_trains_an_lstm_teacher_and_distils_a_gru_student_in_its_own_folder()
    {
        Assert.Equal(RowLstm.ParameterCount, new RowLstm().parameters().Sum(p => p.numel()));
        Assert.Equal(RowGru.ParameterCount, new RowGru().parameters().Sum(p => p.numel()));

        var (exitCode, output, error) = Run(Tiny("run", "--pair", "sequence", "--limit-test", "100", "--student-epochs", "1", "--distil-epochs", "1"));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var folder = Path.Combine(_output, "sequence");
        foreach (var file in new[] { "results.md", "results.json", "teacher.dkd", "student-alone.dkd", "textbook-distilled.dkd", "distilled.dkd" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"sequence/{file} is missing");
        var markdown = File.ReadAllText(Path.Combine(folder, "results.md"));
        Assert.Contains("| Teacher (BiLSTM) |", markdown);
        Assert.Contains("| Distilled student (GRU) |", markdown);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        Assert.InRange(json.RootElement.GetProperty("Teacher").GetProperty("Test").GetProperty("Accuracy").GetDouble(), 0.2, 1.0); // above the 10% of guessing after one epoch on 540 images
        // The GRU student is shipped like the other pairs' students: both ONNX files, measured in ONNX Runtime.
        Assert.DoesNotContain("without an ONNX mapping", output);
        foreach (var file in new[] { "distilled.onnx", "distilled.int8.onnx" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"sequence/{file} is missing");
        Assert.Equal(2, json.RootElement.GetProperty("OnnxRuntime").GetArrayLength()); // float32 and int8
        Assert.Contains("## The distilled student in ONNX Runtime", markdown);
        Assert.Contains("| distilled.onnx | ", markdown);
        Assert.Contains("| distilled.int8.onnx | ", markdown);
    }

    [Fact]
    public void Pairs_are_found_by_key_the_mlp_pair_first_with_the_names_and_folder_it_always_had()
    {
        Assert.Equal(["mlp", "cnn", "sequence"], ExamplePair.All.Select(p => p.Key));
        var mlp = ExamplePair.DefaultPair;
        Assert.IsType<MlpPair>(mlp);
        Assert.Equal("runs/x", mlp.OutputDirectory("runs/x"));
        Assert.Equal(Path.Combine("runs/x", "cnn"), ExamplePair.Find("cnn").OutputDirectory("runs/x"));
        Assert.Equal(("Teacher (CNN)", "Student alone (MLP)", "Textbook KD (MLP)", "Distilled student (MLP)"),
            (mlp.TeacherLabel, mlp.StudentAloneLabel, mlp.TextbookLabel, mlp.DistilledLabel));
        Assert.Equal(("TrainTeacher", "TrainSmoothedTeacher", "TrainStudentAlone", "TextbookDistil", "Distil"),
            (mlp.Teacher.Name, mlp.SmoothedTeacher.Name, mlp.StudentAlone.Name, mlp.Textbook.Name, mlp.Default.Name));
        Assert.Equal(["Distil", "DecoupledDistil"], mlp.Tunable.Select(r => r.Name));
        Assert.Same(Distil.DefaultLoss, mlp.Default.DefaultLoss);
        Assert.Equal(["SmallCnnStandardizedDistil", "SmallCnnDistil", "SmallCnnDecoupledDistil", "SmallCnnAttentionDistil", "SmallCnnCombinedDistil"], ExamplePair.Find("cnn").Tunable.Select(r => r.Name));
        Assert.Contains("no pair 'rnn'; choose mlp or cnn or sequence", Assert.Throws<ArgumentException>(() => ExamplePair.Find("rnn")).Message);
        Assert.Contains("no recipe 'Distil' to tune; choose SmallCnnStandardizedDistil or ", Assert.Throws<ArgumentException>(() => ExamplePair.Find("cnn").TunableRecipe("Distil")).Message);

        // The factories seed the models as the job always did: the same seed, the same weights.
        var (a, b) = (mlp.NewStudent(2), new FashionMlp(seed: 2));
        Assert.True(a.parameters().Zip(b.parameters()).All(p => p.First.eq(p.Second).all().item<bool>()));

        var (exitCode, _, error) = Run("summary", "--pair", "rnn");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("mlp", error);
    }

    [Fact]
    public void Rows_input_reads_each_image_as_28_rows_and_runs_image_augmentations_on_the_image()
    {
        var images = arange(2 * 28 * 28, dtype: ScalarType.Float32).view(2, 1, 28, 28);
        using var data = new LabeledDataset(images, tensor(new long[] { 3, 4 }), classes: 10);

        var rows = InputForm.Rows.Convert(data);
        Assert.Equal([2L, 28, 28], rows.Inputs.shape);
        Assert.True(rows.Inputs[1, 5].eq(images[1, 0, 5]).all().item<bool>()); // row 5 of image 1
        Assert.Same(data, InputForm.Images.Convert(data));

        // A flip, wrapped: the rows of a mirrored image, with the variants and identity of the flip.
        var flip = InputForm.Rows.Wrap(new RandomFlip())!;
        Assert.Equal((2, "RandomFlip"), (flip.Variants, flip.Identity));
        var flipped = flip.Apply(rows.Inputs, tensor(new long[] { 1, 0 }));
        Assert.True(flipped[0].eq(images[0, 0].flip(1)).all().item<bool>());
        Assert.True(flipped[1].eq(images[1, 0]).all().item<bool>());
        var erased = InputForm.Rows.Wrap(RandomErasing.Create(1, fill: ErasingFill.Zero))!(rows.Inputs);
        Assert.Equal([2L, 28, 28], erased.shape);
    }

    [Fact]
    public void Student_erasing_is_a_function_the_teacher_runs_online_on_and_is_named_in_the_options()
    {
        var settings = new JobSettings(null, _output, 0, null, null, null, null, null, null, false, 2, 1, false, null, null, false, 0.1, 10, null)
        {
            Pair = ExamplePair.Find("cnn"),
            StudentErasing = 0.5,
        };

        var choice = settings.StudentAugmentation();

        Assert.NotNull(choice.Online);
        Assert.Null(choice.Enumerable);
        Assert.Equal("RandomShift(1), then RandomErasing(p=0.5, area=0.02-0.33, aspect=0.3-3.3, fill=random)", choice.Description);
        Assert.Null(settings.TeacherCachePath); // erased batches cannot be enumerated: no cache
        Assert.NotNull((settings with { StudentErasing = 0 }).TeacherCachePath); // 0 is none
        Assert.Null((settings with { StudentErasing = null }).StudentAugmentation().Online);
    }
}
