using System.Globalization;
using DslKd;
using Spectre.Console;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>
/// The training file split into the samples models train on and a stratified validation split that early stopping and
/// tuning judge by. Loading it never opens the test files.
/// </summary>
public sealed record TrainingData(LabeledDataset Train, LabeledDataset Validation, string Description)
{
    public static TrainingData Load(JobSettings settings)
    {
        if (settings.Threads is { } threads) set_num_threads(threads);
        var (directory, description) = DataLocation.Resolve(settings.DataDirectory, trainOnly: true);
        var all = FashionMnist.Load(directory, train: true);
        if (settings.LimitTrain is { } count) (all, description) = (DatasetSplits.Take(all, count, settings.Seed), $"{description}, {count} class-balanced train samples");
        // The split depends on the data and the seed only, so every stage and every later run sees the same one.
        var (train, validation) = DatasetSplits.SplitValidation(all, settings.ValidationFraction, settings.Seed);
        // Invariant: the description is part of every saved model's identity, which must not change with the machine's culture.
        description += string.Create(CultureInfo.InvariantCulture, $"; {train.Count:N0} to train, {validation.Count:N0} to validate");
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(description)}");
        // What the pair's models read (the images themselves, or rows of pixels); the description stays the data's.
        return new TrainingData(settings.Pair.Input.Convert(train), settings.Pair.Input.Convert(validation), description);
    }

    public static LabeledDataset LoadTest(JobSettings settings)
    {
        // The folder the training data came from (resolved the same way), so train and test never come from two copies.
        var (directory, _) = DataLocation.Resolve(settings.DataDirectory, trainOnly: true);
        var test = FashionMnist.Load(directory, train: false);
        return settings.Pair.Input.Convert(settings.LimitTest is { } count ? DatasetSplits.Take(test, count, settings.Seed) : test);
    }

    public static string TestDescription(JobSettings settings, LabeledDataset test) =>
        settings.LimitTest is { } count ? $"{count} class-balanced test samples" : $"{test.Count:N0} samples";
}
