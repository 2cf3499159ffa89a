using DslKd;
using Spectre.Console;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>
/// The stages of the job, for the pair of <c>--pair</c> (<see cref="ExamplePair"/>): data (a validation split carved from the training set), teacher, student alone, textbook and
/// tuned distillation, evaluation on the test set, report. Every choice (early stopping, tuning) is made on the
/// validation split; the test set is read only by <see cref="Report"/>.
/// </summary>
public sealed class MainJob(JobSettings settings)
{
    private readonly string _output = settings.OutputDirectory;
    private readonly ExamplePair _pair = settings.Pair;
    // Checked here, so a mistyped --loss fails before anything trains.
    private readonly ILossSettings _loss = settings.Pair.Default.WithOverrides(settings.Loss);
    // Also checked here: --student-flip with --student-shift fails at once.
    private readonly AugmentationChoice _studentAugmentation = settings.StudentAugmentation();
    private TrainingData? _data;
    private LabeledDataset? _test;
    private readonly Dictionary<string, TrainedModelInfo> _trained = new(StringComparer.Ordinal);

    /// <summary>The pair this job trains.</summary>
    public ExamplePair Pair => _pair;

    /// <summary>The training file, split into what the models train on and the validation split every choice is made on.</summary>
    public TrainingData Data => _data ??= TrainingData.Load(settings);

    /// <summary>The test file: read only to report, never to choose.</summary>
    public LabeledDataset Test => _test ??= TrainingData.LoadTest(settings);

    private SupervisedRecipe TeacherRecipe => settings.TeacherLabelSmoothing ? _pair.SmoothedTeacher : _pair.Teacher;

    /// <summary>The recipe of the student alone (the baseline), with label smoothing when --alone-label-smoothing says.</summary>
    public SupervisedRecipe AloneRecipe => settings.AloneLabelSmoothing ? _pair.SmoothedStudentAlone : _pair.StudentAlone;

    private TrainingOptions TeacherOptions => settings.ForAnyStage(TeacherRecipe.DefaultOptions with
    {
        Epochs = settings.TeacherEpochs ?? TeacherRecipe.DefaultOptions.Epochs,
        Seed = settings.Seed + 1,
        EnumerableAugmentation = settings.TeacherAugmentation,
    });

    /// <summary>How the teacher was made; part of each distilled student's identity, so a retrained teacher retrains them.</summary>
    private TeacherInfo TeacherIdentity => new(TeacherRecipe.Name, TrainingSettings.Of(TeacherOptions), ModelStore.ArchitectureOf(_pair.TeacherDescription));

    /// <summary>How the model saved as <paramref name="name"/> ("teacher", "distilled", ...) was trained, once this run has trained or reused it.</summary>
    public TrainedModelInfo TrainingOf(string name) => _trained.TryGetValue(name, out var info)
        ? info
        : throw new InvalidOperationException($"The model '{name}' has not been trained or loaded in this run.");

    public (nn.Module<Tensor, Tensor> Model, List<EpochResult> History) Teacher()
    {
        var options = TeacherOptions;
        var recipe = TeacherRecipe;
        var model = _pair.NewTeacher(settings.Seed + 1);
        var history = TrainOrReuse("teacher", model, options, recipe.Name, null, null,
            (run, progress) => TrainingLoop.Run(recipe.Create(model), Data.Train, Data.Validation, run, progress), LabelSmoothingOf(recipe));
        return (model, history);
    }

    public (nn.Module<Tensor, Tensor> Model, List<EpochResult> History) StudentAlone() => StudentAlone("student-alone", settings.Seed);

    /// <summary>
    /// The student on the labels alone, saved as <paramref name="name"/> (a path under the output folder), its initial
    /// weights and batch order from <paramref name="studentSeed"/> (the job's --seed, or one of <c>compare</c>'s seeds).
    /// </summary>
    public (nn.Module<Tensor, Tensor> Model, List<EpochResult> History) StudentAlone(string name, long studentSeed)
    {
        var recipe = AloneRecipe;
        var options = _studentAugmentation.ApplyTo(settings.ForStudents(recipe.DefaultOptions) with
        {
            Epochs = settings.StudentEpochs ?? recipe.DefaultOptions.Epochs,
            Seed = studentSeed + 2,
            EarlyStoppingPatience = settings.Patience,
        });
        var model = _pair.NewStudent(studentSeed + 2);
        var history = TrainOrReuse(name, model, options, recipe.Name, null, null,
            (run, progress) => TrainingLoop.Run(recipe.Create(model), Data.Train, Data.Validation, run, progress), LabelSmoothingOf(recipe));
        return (model, history);
    }

    /// <summary>The pair's default recipe (for the MLP pair the one tuning found), with the --loss overrides if any.</summary>
    public (nn.Module<Tensor, Tensor> Model, List<EpochResult> History) Distilled(nn.Module<Tensor, Tensor> teacher) =>
        DistilStudent("distilled", _pair.Default, _loss, teacher, settings.Seed);

    /// <summary>Hinton et al.'s recipe as usually quoted (T = 4, 0.9 on soft targets), for comparison.</summary>
    public (nn.Module<Tensor, Tensor> Model, List<EpochResult> History) TextbookDistilled(nn.Module<Tensor, Tensor> teacher) =>
        DistilStudent("textbook-distilled", _pair.Textbook, _pair.Textbook.DefaultLoss, teacher, settings.Seed);

    /// <summary>
    /// The student distilled from <paramref name="teacher"/> by <paramref name="recipe"/> with <paramref name="loss"/>,
    /// saved as <paramref name="name"/>, from the same initial weights as the student alone of <paramref name="studentSeed"/>.
    /// </summary>
    public (nn.Module<Tensor, Tensor> Model, List<EpochResult> History) DistilStudent(string name, DistillationRecipe recipe, ILossSettings loss,
        nn.Module<Tensor, Tensor> teacher, long studentSeed)
    {
        // Same initial weights as the student trained alone, so the comparison isolates what distillation adds.
        var model = _pair.NewStudent(studentSeed + 2);
        var task = recipe.Create(teacher, model, studentSeed + 3, loss);
        var defaults = recipe.DefaultOptions;
        var options = _studentAugmentation.ApplyTo(settings.ForStudents(defaults) with
        {
            Epochs = settings.DistilEpochs ?? defaults.Epochs,
            Seed = studentSeed + 2,
            EarlyStoppingPatience = settings.Patience,
            // The teacher's outputs for every shift of every image, computed once and shared by the recipes that read
            // the same features: the teacher still sees exactly the shifted batch the student sees, without running at every step.
            TeacherCachePath = settings.TeacherCachePathFor(task),
        });
        var history = TrainOrReuse(name, model, options, recipe.Name, TrainedModelInfo.LossOf(loss), TeacherIdentity,
            (run, progress) => TrainingLoop.Run(task, Data.Train, Data.Validation, run, progress));
        return (model, history);
    }

    public JobReport Report(string command)
    {
        // Loaded (not used) first, so a missing or corrupt test file fails the job before hours of training, not after.
        _ = Test;
        var (teacher, teacherHistory) = Teacher();
        var (alone, aloneHistory) = StudentAlone();
        var (textbook, textbookHistory) = TextbookDistilled(teacher);
        var (distilled, distilledHistory) = Distilled(teacher);
        WarnIfDistillationLostOnValidation(aloneHistory, distilledHistory);

        AnsiConsole.MarkupLine("[bold]Measuring[/] accuracy on the test set, size and CPU speed of the four models...");
        // Timed while measuring what else the machine runs, so a busy machine's figures say so.
        var (report, load) = MachineLoad.During(() =>
        {
            // The student shipped: distilled.onnx and distilled.int8.onnx beside distilled.dkd, measured in ONNX Runtime.
            var onnx = OnnxDeployment.TryExportAndMeasure("Distilled student", distilled, ModelStore.PathOf(_output, "distilled"), Data.Train, Test);
            if (onnx is null) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(OnnxDeployment.NotExportable(distilled))}.[/]");
            ModelMeasurement Measure(string label, nn.Module<Tensor, Tensor> model, long parameters, string name) =>
                Measurements.Measure(label, model, parameters, ModelStore.PathOf(_output, name), Test) with { Training = TrainingSummary.Of(TrainingOf(name)) };
            var (teacherParameters, studentParameters) = (_pair.TeacherDescription.ParameterCount, _pair.StudentDescription.ParameterCount);
            return new JobReport($"{Data.Description}; test: {TrainingData.TestDescription(settings, Test)}", command,
                Measure(_pair.TeacherLabel, teacher, teacherParameters, "teacher"),
                Measure(_pair.StudentAloneLabel, alone, studentParameters, "student-alone"),
                Measure(_pair.TextbookLabel, textbook, studentParameters, "textbook-distilled"),
                Measure(_pair.DistilledLabel, distilled, studentParameters, "distilled")) { Seed = settings.Seed, OnnxRuntime = onnx ?? [], Title = _pair.ReportTitle };
        });
        report = report with { TimingLoad = load };
        report.Write(_output);
        Plots.TrainingCurves(Path.Combine(_output, "training-curves.png"), "validation",
        [
            new(_pair.TeacherLabel, teacherHistory, TrainingOf("teacher").KeptEpoch),
            new(_pair.StudentAloneLabel, aloneHistory, TrainingOf("student-alone").KeptEpoch),
            new(_pair.TextbookLabel, textbookHistory, TrainingOf("textbook-distilled").KeptEpoch),
            new(_pair.DistilledLabel, distilledHistory, TrainingOf("distilled").KeptEpoch),
        ]);
        Plots.ConfusionMatrix(Path.Combine(_output, "confusion-distilled.png"), report.Distilled.Test, FashionMnist.ClassNames,
            "Distilled student: confusion matrix on the test set");
        return report;
    }

    /// <summary>
    /// The default recipe must not lose to the student alone. Checked on the validation split (the test set does not
    /// choose anything), where the user can still act on it: tune the recipe for their teacher and data.
    /// </summary>
    private static void WarnIfDistillationLostOnValidation(List<EpochResult> alone, List<EpochResult> distilled)
    {
        static double Best(List<EpochResult> history) => history.Max(epoch => epoch.Evaluation?.Accuracy ?? 0);
        var (aloneBest, distilledBest) = (Best(alone), Best(distilled));
        if (distilledBest < aloneBest)
            AnsiConsole.MarkupLine(FormattableString.Invariant(
                $"[yellow]The distilled student's best validation accuracy ({distilledBest * 100:F2}%) is below the student alone's ({aloneBest * 100:F2}%): run `tune` on this data and pass its --loss line.[/]"));
    }

    private static double? LabelSmoothingOf(SupervisedRecipe recipe) => recipe.LabelSmoothing == 0 ? null : recipe.LabelSmoothing;

    /// <summary>
    /// Reuses the saved model when it was trained exactly so (same data, recipe, options and architecture), else trains
    /// it with a checkpoint after every epoch in <c>checkpoints/&lt;name&gt;</c> under the output folder, so a killed
    /// stage resumes on the next run; the checkpoint folder is removed once the model is saved.
    /// </summary>
    private List<EpochResult> TrainOrReuse(string name, nn.Module<Tensor, Tensor> model, TrainingOptions options, string recipe, Dictionary<string, double>? loss,
        TeacherInfo? teacher, Func<TrainingOptions, IProgress<TrainingEvent>, TrainingResult> train, double? labelSmoothing = null)
    {
        var path = ModelStore.PathOf(_output, name);
        var augmentation = options.Augmentation is null ? null : _studentAugmentation.Description;
        var expected = new TrainedModelInfo(Data.Description, options.Epochs, options.Seed, recipe, ModelStore.ArchitectureOf((IGeneratedModel)model), [])
        {
            Options = TrainingSettings.Of(options, augmentation), Loss = loss, Teacher = teacher, LabelSmoothing = labelSmoothing,
        };
        if (!settings.Retrain)
        {
            var outcome = ModelStore.TryLoad(model, path, expected);
            if (outcome.Info is { } saved)
            {
                AnsiConsole.MarkupLine($"[grey]{name}: reusing {Markup.Escape(path)} (trained with the same data, recipe, options and architecture; --retrain to train again)[/]");
                _trained[name] = saved;
                return saved.History;
            }
            if (outcome.Note is { } note)
                AnsiConsole.MarkupLine(outcome.Warning
                    ? $"[yellow]{name}: {Markup.Escape(note)}; training it again[/]"
                    : $"[grey]{name}: {Markup.Escape(note)}; training it again[/]");
        }

        var checkpoints = StageCheckpoints.Prepare(_output, name, expected.Identity);
        var result = ProgressView.Run(name, progress => train(options with { CheckpointDirectory = checkpoints }, progress));
        var trained = expected with { History = result.Epochs.ToList(), KeptEpoch = result.Kept.Epoch };
        ModelStore.Save(model, path, trained);
        StageCheckpoints.Remove(_output, name);
        _trained[name] = trained;
        return trained.History;
    }
}
