using DslKd;
using Spectre.Console;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>The stages of the job: data, teacher, student alone, distillation, evaluation, report.</summary>
public sealed class MainJob(JobSettings settings)
{
    private readonly string _output = settings.OutputDirectory;
    private (LabeledDataset Train, LabeledDataset Test, string Description)? _data;

    public (LabeledDataset Train, LabeledDataset Test, string Description) Data => _data ??= LoadData();

    private Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? Augmentation => settings.Augment ? RandomShift.Create(2) : null;

    private (LabeledDataset, LabeledDataset, string) LoadData()
    {
        if (settings.Threads is { } threads) set_num_threads(threads);
        var (directory, description) = FashionMnist.Resolve(settings.DataDirectory);
        var train = FashionMnist.Load(directory, train: true);
        var test = FashionMnist.Load(directory, train: false);
        if (settings.LimitTrain is { } trainCount) (train, description) = (DatasetSplits.Take(train, trainCount, settings.Seed), $"{description}, {trainCount} class-balanced train samples");
        if (settings.LimitTest is { } testCount) (test, description) = (DatasetSplits.Take(test, testCount, settings.Seed), $"{description}, {testCount} class-balanced test samples");
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(description)}");
        return (train, test, description);
    }

    public (FashionCnn Model, List<EpochResult> History) Teacher()
    {
        var options = TrainTeacher.DefaultOptions with { Epochs = settings.TeacherEpochs ?? TrainTeacher.DefaultOptions.Epochs, Seed = settings.Seed + 1, Augmentation = Augmentation };
        var model = new FashionCnn(seed: settings.Seed + 1);
        var history = TrainOrReuse("teacher", model, options, nameof(TrainTeacher),
            progress => new TrainTeacher(model).Train(Data.Train, Data.Test, options, progress));
        return (model, history);
    }

    public (FashionMlp Model, List<EpochResult> History) StudentAlone()
    {
        var options = TrainStudentAlone.DefaultOptions with { Epochs = settings.StudentEpochs ?? TrainStudentAlone.DefaultOptions.Epochs, Seed = settings.Seed + 2, Augmentation = Augmentation };
        var model = new FashionMlp(seed: settings.Seed + 2);
        var history = TrainOrReuse("student-alone", model, options, nameof(TrainStudentAlone),
            progress => new TrainStudentAlone(model).Train(Data.Train, Data.Test, options, progress));
        return (model, history);
    }

    public (FashionMlp Model, List<EpochResult> History) Distilled(FashionCnn teacher)
    {
        var options = Distil.DefaultOptions with
        {
            Epochs = settings.DistilEpochs ?? Distil.DefaultOptions.Epochs,
            Seed = settings.Seed + 2,
            // Cached teacher outputs belong to unshifted images: with augmentation the teacher sees each shifted batch.
            TeacherCachePath = settings.Augment ? null : Path.Combine(_output, "teacher-outputs.cache"),
            Augmentation = Augmentation,
        };
        // Same initial weights as the student trained alone, so the comparison isolates what distillation adds.
        var model = new FashionMlp(seed: settings.Seed + 2);
        var history = TrainOrReuse("distilled", model, options, nameof(Distil),
            progress => new Distil(teacher, model, seed: settings.Seed + 3).Train(Data.Train, Data.Test, options, progress));
        return (model, history);
    }

    public JobReport Report(string command)
    {
        var (teacher, teacherHistory) = Teacher();
        var (alone, aloneHistory) = StudentAlone();
        var (distilled, distilledHistory) = Distilled(teacher);

        AnsiConsole.MarkupLine("[bold]Measuring[/] accuracy, size and CPU speed of the three models...");
        var report = new JobReport(Data.Description, command,
            Measurements.Measure("Teacher (CNN)", teacher, FashionCnn.ParameterCount, ModelStore.PathOf(_output, "teacher"), Data.Test),
            Measurements.Measure("Student alone (MLP)", alone, FashionMlp.ParameterCount, ModelStore.PathOf(_output, "student-alone"), Data.Test),
            Measurements.Measure("Distilled student (MLP)", distilled, FashionMlp.ParameterCount, ModelStore.PathOf(_output, "distilled"), Data.Test));
        report.Write(_output);
        Plots.TrainingCurves(Path.Combine(_output, "training-curves.png"),
            [("Teacher (CNN)", teacherHistory), ("Student alone (MLP)", aloneHistory), ("Distilled student (MLP)", distilledHistory)]);
        Plots.ConfusionMatrix(Path.Combine(_output, "confusion-distilled.png"), report.Distilled.Test, FashionMnist.ClassNames,
            "Distilled student: confusion matrix on the test set");
        return report;
    }

    private List<EpochResult> TrainOrReuse(string name, nn.Module model, TrainingOptions options, string recipe, Func<IProgress<TrainingEvent>, TrainingResult> train)
    {
        var path = ModelStore.PathOf(_output, name);
        var expected = new TrainedModelInfo(Data.Description, options.Epochs, options.Seed, recipe + (settings.Augment ? " (augmented)" : ""), []);
        if (!settings.Retrain && ModelStore.TryLoad(model, path, expected) is { } saved)
        {
            AnsiConsole.MarkupLine($"[grey]{name}: reusing {Markup.Escape(path)} (trained with the same data, epochs and seed; --retrain to train again)[/]");
            return saved.History;
        }

        var result = ProgressView.Run(name, train);
        ModelStore.Save(model, path, expected with { History = result.Epochs.ToList() });
        return result.Epochs.ToList();
    }
}
