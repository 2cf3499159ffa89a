using System.CommandLine;
using System.Globalization;
using DslKd;
using FashionMnistExample;
using Spectre.Console;

// The main job: train a CNN teacher, train an MLP student alone, distil the student from the teacher, and compare the
// three on the test set (accuracy, size, CPU speed), with a markdown/JSON report and plots.
// Piped or captured output (CI, logs) has no terminal width; don't squeeze the results table into 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

var data = new Option<string?>("--data") { Description = "Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; default: the full set if installed, else the embedded subset" };
var output = new Option<string>("--output") { Description = "Where models, reports and plots go", DefaultValueFactory = _ => Path.Combine("runs", "fashion-mnist") };
var seed = new Option<long>("--seed") { Description = "Seed of every stage", DefaultValueFactory = _ => 0 };
var threads = new Option<int?>("--threads") { Description = "TorchSharp threads (default: all cores)" };
var teacherEpochs = new Option<int?>("--teacher-epochs") { Description = $"Teacher epochs (default {TrainTeacher.DefaultOptions.Epochs})" };
var studentEpochs = new Option<int?>("--student-epochs") { Description = $"Student-alone epochs (default {TrainStudentAlone.DefaultOptions.Epochs})" };
var distilEpochs = new Option<int?>("--distil-epochs") { Description = $"Distillation epochs (default {Distil.DefaultOptions.Epochs})" };
var limitTrain = new Option<int?>("--limit-train") { Description = "Use only this many training samples (quick runs)" };
var limitTest = new Option<int?>("--limit-test") { Description = "Use only this many test samples (quick runs)" };
var retrain = new Option<bool>("--retrain") { Description = "Train every stage again instead of reusing saved models" };
var augment = new Option<bool>("--augment") { Description = "Random shifts of up to 2 pixels on every training batch (distillation then runs the teacher on each shifted batch instead of caching its outputs)" };
Option[] common = [data, output, seed, threads, teacherEpochs, studentEpochs, distilEpochs, limitTrain, limitTest, retrain, augment];

JobSettings Settings(ParseResult parse) => new(
    parse.GetValue(data), parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(threads),
    parse.GetValue(teacherEpochs), parse.GetValue(studentEpochs), parse.GetValue(distilEpochs),
    parse.GetValue(limitTrain), parse.GetValue(limitTest), parse.GetValue(retrain), parse.GetValue(augment));

Command WithOptions(Command command, Func<ParseResult, int> action)
{
    foreach (var option in common) command.Options.Add(option);
    command.SetAction(parse => Guarded(() => action(parse)));
    return command;
}

var root = new RootCommand("DslKd Fashion-MNIST: a CNN teacher distilled into an 8x smaller MLP student.");
root.Subcommands.Add(WithOptions(new Command("run", "The whole job: teacher, student alone, distillation, evaluation, report (the default)"), RunAll));
root.Subcommands.Add(WithOptions(new Command("train-teacher", "Train (or reuse) the CNN teacher"), parse => { new MainJob(Settings(parse)).Teacher(); return 0; }));
root.Subcommands.Add(WithOptions(new Command("train-student", "Train (or reuse) the MLP student on the labels alone"), parse => { new MainJob(Settings(parse)).StudentAlone(); return 0; }));
root.Subcommands.Add(WithOptions(new Command("distill", "Distil the student from the teacher (training the teacher first if needed)"), parse =>
{
    var job = new MainJob(Settings(parse));
    job.Distilled(job.Teacher().Model);
    return 0;
}));
root.Subcommands.Add(WithOptions(new Command("evaluate", "Evaluate the three models and write the report (training what is missing)"), RunAll));
var summary = new Command("summary", "Print both models' compile-time summaries and the compression ratio (nothing runs)");
summary.SetAction(_ =>
{
    Console.WriteLine(FashionCnn.Summary);
    Console.WriteLine(FashionMlp.Summary);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Compression: {Distil.CompressionRatio:F1}x fewer parameters in the student."));
    return 0;
});
root.Subcommands.Add(summary);
foreach (var option in common) root.Options.Add(option);
root.SetAction(parse => Guarded(() => RunAll(parse)));

return root.Parse(args).Invoke();

int RunAll(ParseResult parse)
{
    var settings = Settings(parse);
    var command = "dotnet run --project examples/FashionMnist -- " + string.Join(' ', args);
    var report = new MainJob(settings).Report(command.TrimEnd());
    AnsiConsole.WriteLine();
    AnsiConsole.Write(ResultsTable.Render(report));
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
    catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NonFiniteLossException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
}
