using System.CommandLine;
using System.Globalization;
using DslKd;
using FashionMnistExample;
using Spectre.Console;

// The main job: train a teacher, train a student alone, distil the student from the teacher with the textbook recipe and
// with the pair's default one, and compare the four on the test set (accuracy, size, CPU speed), with a markdown/JSON
// report and plots. Every choice is made on a validation split of the training file. --pair chooses the teacher and
// student (Pairs/: mlp, a CNN teacher and an MLP student, the default; cnn, a ResNet teacher and a CNN student).
// Piped or captured output (CI, logs) has no terminal width; don't squeeze the results table into 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

// Each pair's default, for the options' descriptions: "mlp 15, cnn 15".
string PerPair(Func<ExamplePair, object> value) => string.Join(", ", ExamplePair.All.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {value(p)}")));

var pair = new Option<string>("--pair")
{
    Description = $"The teacher and student: {string.Join("; ", ExamplePair.All.Select(p => p.Describe()))}. Each pair but the first keeps its files in a sub-folder of --output named after it",
    DefaultValueFactory = _ => ExamplePair.DefaultPair.Key,
};
pair.AcceptOnlyFromAmong([.. ExamplePair.All.Select(p => p.Key)]);
var data = new Option<string?>("--data") { Description = "Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; default: the full set if installed, else the embedded subset" };
var output = new Option<string>("--output") { Description = "Where models, reports and plots go", DefaultValueFactory = _ => Path.Combine("runs", "fashion-mnist") };
var seed = new Option<long>("--seed") { Description = "Seed of every stage", DefaultValueFactory = _ => 0 };
var threads = new Option<int?>("--threads") { Description = "TorchSharp threads (default: all cores)" };
var channelsLast = new Option<bool>("--channels-last") { Description = "Train every stage in the channels-last memory format: faster convolutions, results equal to float rounding, not bit for bit" };
var teacherEpochs = new Option<int?>("--teacher-epochs") { Description = $"Teacher epochs (default: {PerPair(p => p.Teacher.DefaultOptions.Epochs)})" };
var studentEpochs = new Option<int?>("--student-epochs") { Description = $"Student-alone epochs (default: {PerPair(p => p.StudentAlone.DefaultOptions.Epochs)})" };
var distilEpochs = new Option<int?>("--distil-epochs") { Description = $"Distillation epochs (default: {PerPair(p => p.Default.DefaultOptions.Epochs)})" };
var limitTrain = new Option<int?>("--limit-train") { Description = "Use only this many training samples (quick runs)" };
var limitTest = new Option<int?>("--limit-test") { Description = "Use only this many test samples (quick runs)" };
var retrain = new Option<bool>("--retrain") { Description = "Train every stage again instead of reusing saved models" };
var teacherShift = new Option<int?>("--teacher-shift") { Description = "Random shifts of up to this many pixels on the teacher's training batches (0: none; default: the pair's, 2 for the image pairs, 0 for the sequence pair)" };
var studentShift = new Option<int>("--student-shift") { Description = "The same for the students' batches, alone and distilled; the teacher sees the same shifted batch (0: none)", DefaultValueFactory = _ => 0 };
var studentFlip = new Option<bool>("--student-flip") { Description = "Random left-right flips on the students' batches instead of shifts; the teacher sees the same flipped batch" };
var studentMixup = new Option<double?>("--student-mixup") { Description = "Blend each student sample with another of its batch, keeping at least this weight (0.5-1) of its own; the teacher runs online on the same blends" };
var studentErasing = new Option<double?>("--student-erasing") { Description = "Random erasing (Zhong et al. 2020) on the students' batches: with this probability an image gets a random rectangle (2-33% of its area, aspect 0.3-3.3) filled with noise; with --student-shift or --student-flip it follows them; the teacher runs online on the same erased batch" };
var studentLearningRate = new Option<double?>("--student-learning-rate") { Description = $"Learning rate of every student, alone and distilled (default: each recipe's own; the student alone's {PerPair(p => LossSettingsSupport.Format(p.StudentAlone.DefaultOptions.Optimizer.LearningRate))}; the default recipe's {PerPair(p => LossSettingsSupport.Format(p.Default.DefaultOptions.Optimizer.LearningRate))})" };
var teacherSmoothing = new Option<bool>("--teacher-label-smoothing") { Description = $"Train the teacher with label smoothing 0.1 ({PerPair(p => p.SmoothedTeacher.Name)})" };
var aloneSmoothing = new Option<bool>("--alone-label-smoothing") { Description = $"Train the student alone with label smoothing 0.1 ({PerPair(p => p.SmoothedStudentAlone == p.StudentAlone ? $"{p.StudentAlone.Name}, its baseline already" : p.SmoothedStudentAlone.Name)}): a tuning choice of the baseline" };
var validationFraction = new Option<double>("--validation-fraction") { Description = "Share of the training file held out (per class) for early stopping and tuning", DefaultValueFactory = _ => 0.1 };
var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without a better validation accuracy before a student's training stops", DefaultValueFactory = _ => 10 };
var loss = new Option<string?>("--loss") { Description = $"Override the pair's default distillation recipe's ({PerPair(p => p.Default.Name)}) loss settings, e.g. \"SoftTargets.Temperature=2;SoftTargets.Weight=0.9;HardLabels.Weight=0.1\" (tune prints the best)" };
// Each command lists only the options it reads (its --help shows no others): the data and output every stage needs, and
// the options of the stages it runs. An option a command does not have keeps its default in the settings.
Option[] dataOptions = [pair, data, output, seed, threads, channelsLast, limitTrain, validationFraction, retrain];
Option[] teacherOptions = [teacherEpochs, teacherShift, teacherSmoothing];
Option[] studentOptions = [studentShift, studentFlip, studentMixup, studentErasing, studentLearningRate, patience];
Option[] aloneOptions = [studentEpochs, aloneSmoothing];
Option[] distilOptions = [distilEpochs, loss];
Option[] reportOptions = [limitTest];
Option[] allOptions = [.. dataOptions, .. teacherOptions, .. studentOptions, .. aloneOptions, .. distilOptions, .. reportOptions];

T? Value<T>(ParseResult parse, Option<T> option) =>
    parse.CommandResult.Command.Options.Contains(option) ? parse.GetValue(option) : option.HasDefaultValue ? (T?)option.GetDefaultValue() : default;

ExamplePair PairOf(ParseResult parse) => ExamplePair.Find(Value(parse, pair)!);

// The output folder is the pair's own (the folder itself for mlp, a sub-folder for the others).
JobSettings Settings(ParseResult parse) => new(
    Value(parse, data), PairOf(parse).OutputDirectory(Value(parse, output)!), Value(parse, seed), Value(parse, threads),
    Value(parse, teacherEpochs), Value(parse, studentEpochs), Value(parse, distilEpochs),
    Value(parse, limitTrain), Value(parse, limitTest), Value(parse, retrain), Value(parse, teacherShift), Value(parse, studentShift), Value(parse, studentFlip), Value(parse, studentMixup), Value(parse, studentLearningRate), Value(parse, teacherSmoothing),
    Value(parse, validationFraction), Value(parse, patience), Value(parse, loss))
{
    Pair = PairOf(parse),
    StudentErasing = Value(parse, studentErasing),
    AloneLabelSmoothing = Value(parse, aloneSmoothing),
    ChannelsLast = Value(parse, channelsLast),
};

Command WithOptions(Command command, Option[] options, Func<ParseResult, int> action)
{
    foreach (var option in options) command.Options.Add(option);
    command.SetAction(parse => Guarded(() => Claimed(parse, action)));
    return command;
}

// Every command that trains or writes holds the output folder for its whole run, claimed before anything is written:
// a read-only folder fails now rather than after training, and a second run on the same folder is refused.
int Claimed(ParseResult parse, Func<ParseResult, int> action)
{
    using var folder = OutputFolder.Claim(Settings(parse).OutputDirectory, "fashion-mnist " + string.Join(' ', args));
    return action(parse);
}

var root = new RootCommand("DslKd Fashion-MNIST: a teacher distilled into a smaller student; --pair chooses them (default: a CNN teacher and an 8x smaller MLP student).");
root.Subcommands.Add(WithOptions(new Command("run", "The whole job: teacher, student alone, distillation, evaluation, report (the default)"), allOptions, RunAll));
root.Subcommands.Add(WithOptions(new Command("train-teacher", "Train (or reuse) the pair's teacher"), [.. dataOptions, .. teacherOptions],
    parse => { new MainJob(Settings(parse)).Teacher(); return 0; }));
root.Subcommands.Add(WithOptions(new Command("train-student", "Train (or reuse) the pair's student on the labels alone"), [.. dataOptions, .. studentOptions, .. aloneOptions],
    parse => { new MainJob(Settings(parse)).StudentAlone(); return 0; }));
root.Subcommands.Add(WithOptions(new Command("distill", "Distil the student from the teacher (training the teacher first if needed)"),
    [.. dataOptions, .. teacherOptions, .. studentOptions, .. distilOptions], parse =>
{
    var job = new MainJob(Settings(parse));
    job.Distilled(job.Teacher().Model);
    return 0;
}));
var axes = new Option<string[]>("--axis")
{
    Description = $"A grid axis, Name=v1,v2,... or Name+Complement=v1,v2,... (repeat for more; default: {string.Join(" ", TuningJob.DefaultGrid)})",
    AllowMultipleArgumentsPerToken = false,
};
var tuneEpochs = new Option<int?>("--tune-epochs") { Description = "Epochs per trial (default: the distillation epochs)" };
var tuneRecipe = new Option<string?>("--recipe") { Description = $"The recipe to tune (default: the pair's default recipe): {string.Join("; ", ExamplePair.All.Select(p => $"{p.Key}: {string.Join(", ", p.Tunable.Select(r => r.Name))}"))}" };
tuneRecipe.AcceptOnlyFromAmong(TuningJob.Recipes);
// Tuning trains the teacher if needed and searches from the distillation recipe (--loss is its starting point,
// --distil-epochs the default epochs per trial); it never reads the test set, so it has no --limit-test.
var tune = WithOptions(new Command("tune", "Grid-search the distillation recipe on a validation split of the training data (never the test set); resumable"),
    [.. dataOptions, .. teacherOptions, .. studentOptions, .. distilOptions], parse =>
{
    var given = parse.GetValue(axes) is { Length: > 0 } list ? list : TuningJob.DefaultGrid;
    new TuningJob(Settings(parse)).Run(given.Select(TuningAxis.Parse).ToList(), parse.GetValue(tuneEpochs), parse.GetValue(tuneRecipe));
    return 0;
});
tune.Options.Add(axes);
tune.Options.Add(tuneEpochs);
tune.Options.Add(tuneRecipe);
root.Subcommands.Add(tune);
var studentSeeds = new Option<long[]>("--student-seeds")
{
    Description = "The students' seeds (initial weights, batch order); the teacher is --seed's (default: --seed)",
    AllowMultipleArgumentsPerToken = true,
};
var compareRecipes = new Option<string[]>("--recipes")
{
    Description = $"The rows to train and compare (default: all): {string.Join("; ", ExamplePair.All.Select(p => $"{p.Key}: {string.Join(", ", ComparisonJob.RowsOf(p))}"))}",
    AllowMultipleArgumentsPerToken = true,
};
// Compare trains one teacher and, per student seed, the student alone and every recipe of the pair with one budget;
// the test set is read once, after all of them are trained.
var compare = WithOptions(new Command("compare", "Train the student alone and every recipe of the pair for each --student-seeds seed, with one teacher and one budget, and compare them (comparison/comparison.md); resumable"),
    allOptions, parse =>
{
    var seeds = parse.GetValue(studentSeeds) is { Length: > 0 } given ? given : [Value(parse, seed)];
    new ComparisonJob(Settings(parse)).Run(seeds, parse.GetValue(compareRecipes), ReproducingCommand());
    return 0;
});
compare.Options.Add(studentSeeds);
compare.Options.Add(compareRecipes);
root.Subcommands.Add(compare);
root.Subcommands.Add(WithOptions(new Command("evaluate", "Evaluate the four models and write the report (training what is missing)"), allOptions, RunAll));
root.Subcommands.Add(OnnxDeployment.ExportCommand(WithOptions, allOptions, Settings));
var summary = new Command("summary", "Print the pair's compile-time summaries and the compression ratio (nothing runs)");
summary.Options.Add(pair);
summary.SetAction(parse => Guarded(() =>
{
    var chosen = PairOf(parse);
    Console.WriteLine(chosen.TeacherDescription.Summary);
    Console.WriteLine(chosen.StudentDescription.Summary);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Compression: {chosen.CompressionRatio:F1}x fewer parameters in the student."));
    return 0;
}));
root.Subcommands.Add(summary);
foreach (var option in allOptions) root.Options.Add(option);
root.SetAction(parse => Guarded(() => Claimed(parse, RunAll)));

return root.Parse(args).Invoke();

// The command that reproduces a report, with the configuration this program was built in.
string ReproducingCommand() =>
    ($"dotnet run {(BuildConfiguration.IsRelease ? "-c Release " : "")}--project examples/FashionMnist -- " + string.Join(' ', args)).TrimEnd();

int RunAll(ParseResult parse)
{
    var settings = Settings(parse);
    var report = new MainJob(settings).Report(ReproducingCommand());
    AnsiConsole.WriteLine();
    AnsiConsole.Write(ResultsTable.Render(report));
    if (report.OnnxRuntime.Count > 0) AnsiConsole.Write(OnnxDeployment.Render(report.OnnxRuntime));
    AnsiConsole.MarkupLine($"[bold]Report:[/] {Markup.Escape(Path.Combine(settings.OutputDirectory, "results.md"))} (+ results.json, training-curves.png, confusion-distilled.png)");
    return 0;
}

// Bad input (missing or corrupt data, a checkpoint of another run, a NaN loss) ends with its message, not a stack trace.
static int Guarded(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NonFiniteLossException or UnauthorizedAccessException or FormatException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
}

/// <summary>How this program was built, so the report's command line reproduces it.</summary>
internal static class BuildConfiguration
{
#if DEBUG
    public static readonly bool IsRelease = false;
#else
    public static readonly bool IsRelease = true;
#endif
}
