using DslKd;
using Spectre.Console;

namespace FashionMnistExample;

/// <summary>
/// Renders training events: live progress bars on an interactive terminal, one line per epoch otherwise (CI, pipes).
/// </summary>
public static class ProgressView
{
    public static T Run<T>(string title, Func<IProgress<TrainingEvent>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return work(new SynchronousProgress<TrainingEvent>(e => WriteLine(title, e)));

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title));
                result = work(new SynchronousProgress<TrainingEvent>(e =>
                {
                    switch (e)
                    {
                        case TeacherCacheBuilding building:
                            task.MaxValue = building.Total;
                            task.Value = building.Done;
                            task.Description = Markup.Escape($"{title}: computing the teacher's outputs ({building.Done}/{building.Total} batches)");
                            break;
                        case EpochStarted started:
                            task.MaxValue = started.Epochs * started.StepsPerEpoch;
                            task.Value = 0;
                            break;
                        case StepCompleted step:
                            task.Value = (step.Epoch - 1) * step.StepsPerEpoch + step.Step;
                            task.Description = Markup.Escape($"{title}: epoch {step.Epoch}, loss {step.Loss:F3}, {step.SamplesPerSecond:N0} samples/s");
                            break;
                        case EpochCompleted completed when completed.Result.Evaluation is { } evaluation:
                            task.Description = Markup.Escape($"{title}: epoch {completed.Result.Epoch}, validation accuracy {evaluation.Accuracy * 100:F2}%");
                            break;
                        case StoppedEarly stopped:
                            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(title)}: stopped early after epoch {stopped.Epoch}; kept epoch {stopped.BestEpoch} ({stopped.BestAccuracy * 100:F2}% on validation)[/]");
                            break;
                        case Resumed resumed:
                            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(title)}: resumed after epoch {resumed.CompletedEpochs}[/]");
                            break;
                        case DivergenceWarning diverging:
                            AnsiConsole.MarkupLine($"[yellow]warning: {Markup.Escape(diverging.Message)}[/]");
                            break;
                    }
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static void WriteLine(string title, TrainingEvent e)
    {
        switch (e)
        {
            case EpochCompleted completed:
                var accuracy = completed.Result.Evaluation is { } evaluation ? $", validation accuracy {evaluation.Accuracy * 100:F2}%" : "";
                Console.WriteLine($"{title}: epoch {completed.Result.Epoch}/{completed.Epochs}, train loss {completed.Result.TrainLoss:F4}{accuracy} ({completed.Result.Elapsed.TotalSeconds:F1} s)");
                break;
            case StoppedEarly stopped:
                Console.WriteLine($"{title}: stopped early after epoch {stopped.Epoch}; kept epoch {stopped.BestEpoch} ({stopped.BestAccuracy * 100:F2}% on validation)");
                break;
            case Resumed resumed:
                Console.WriteLine($"{title}: resumed after epoch {resumed.CompletedEpochs} from {resumed.Path}");
                break;
            case DivergenceWarning diverging:
                Console.WriteLine($"warning: {diverging.Message}");
                break;
            // A line at each tenth, so a log shows the minutes a large cache takes are not a hang.
            case TeacherCacheBuilding building when building.Done * 10 / building.Total != (building.Done - 1) * 10 / building.Total:
                Console.WriteLine($"{title}: computing the teacher's outputs, {building.Done * 100 / building.Total}% ({building.Done}/{building.Total} batches)");
                break;
            case TeacherCacheUsed cache:
                Console.WriteLine($"{title}: teacher outputs {cache.Outcome.ToString().ToLowerInvariant()} ({cache.Path})");
                break;
        }
    }
}
