using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, Zalando Research, 2017; MIT licence): 28x28 greyscale images of clothing
/// in 10 classes, 60,000 for training and 10,000 for testing, stored as the four IDX files
/// <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz</c>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the full data set.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The repository folder holding the class-balanced subset used when the full set is not installed.</summary>
    public const string EmbeddedSubsetPath = "data/fashion-mnist-subset";

    /// <summary>Mean pixel intensity of the training set, on the [0, 1] scale; subtracted by <see cref="Load"/>.</summary>
    public const float Mean = 0.2860f;

    /// <summary>Standard deviation of the training-set pixels, on the [0, 1] scale; divided out by <see cref="Load"/>.</summary>
    public const float StandardDeviation = 0.3530f;

    /// <summary>Images are <see cref="ImageSize"/> x <see cref="ImageSize"/> pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training or test split from <paramref name="directory"/>: inputs float32 [N, 1, 28, 28], scaled to
    /// [0, 1] and normalised with <see cref="Mean"/> and <see cref="StandardDeviation"/>; labels int64 [N] in [0, 10).
    /// Each file may be gzip-compressed (<c>.gz</c>) or raw (the same name without <c>.gz</c>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">An image or label file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, images are not 28x28, the counts disagree or a label is out of range.</exception>
    public static LabeledDataset Load(string directory, bool train)
    {
        var (imagesPath, labelsPath) = FilesOf(directory, train);
        using var scope = NewDisposeScope();
        var images = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(labelsPath);

        if (images.shape[1] != ImageSize || images.shape[2] != ImageSize)
            throw new InvalidDataException($"{imagesPath}: images are {images.shape[1]}x{images.shape[2]}, expected {ImageSize}x{ImageSize} for Fashion-MNIST.");
        if (images.shape[0] != labels.shape[0])
            throw new InvalidDataException($"{imagesPath} holds {images.shape[0]} images but {labelsPath} holds {labels.shape[0]} labels; expected one label per image.");
        var outOfRange = labels.lt(0).logical_or(labels.ge(ClassCount)).nonzero();
        if (outOfRange.shape[0] > 0)
        {
            var index = outOfRange[0, 0].item<long>();
            throw new InvalidDataException($"{labelsPath}: label {labels[index].item<long>()} at index {index} is out of range; " +
                $"expected class indices 0 to {ClassCount - 1} ({outOfRange.shape[0]} labels out of range).");
        }

        var inputs = images.to_type(ScalarType.Float32).div_(255).sub_(Mean).div_(StandardDeviation).unsqueeze(1);
        return new LabeledDataset(inputs.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), ClassCount);
    }

    /// <summary>
    /// Finds the embedded subset (<see cref="EmbeddedSubsetPath"/>) by walking up from the application's directory and
    /// from the current directory, so programs and tests run from anywhere inside a repository checkout find it.
    /// </summary>
    /// <returns>The full path of the subset directory, or null when neither walk reaches it.</returns>
    public static string? FindEmbeddedSubset()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, EmbeddedSubsetPath);
                if (HasFiles(candidate, withTest: true)) return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Chooses the data to use: <paramref name="requestedDirectory"/> when given, else the full set in
    /// <see cref="SystemDirectory"/> when installed, else the embedded subset.
    /// </summary>
    /// <param name="requestedDirectory">The directory the user asked for, or null.</param>
    /// <param name="trainOnly">Only the training files are needed (and opened): for work that must not see the test set, such as tuning.</param>
    /// <returns>The directory to pass to <see cref="Load"/> and a one-line description of the data for reports.</returns>
    /// <exception cref="DirectoryNotFoundException">The requested directory does not exist, or no data was found at all.</exception>
    /// <exception cref="FileNotFoundException">The requested directory lacks one of the files needed.</exception>
    public static (string Directory, string Description) Resolve(string? requestedDirectory, bool trainOnly = false)
    {
        var withTest = !trainOnly;
        if (requestedDirectory is not null)
        {
            RequireFiles(requestedDirectory, withTest);
            return (requestedDirectory, $"Fashion-MNIST ({Counts(requestedDirectory, withTest)}) from {requestedDirectory}");
        }
        if (HasFiles(SystemDirectory, withTest))
            return (SystemDirectory, $"full Fashion-MNIST ({Counts(SystemDirectory, withTest)}) from {SystemDirectory}");
        if (FindEmbeddedSubset() is { } subset)
            return (subset, $"embedded subset ({Counts(subset, withTest)}, class-balanced) from {DisplayPath(subset)}");
        throw new DirectoryNotFoundException(
            $"No Fashion-MNIST data found: the full set is not installed in {SystemDirectory} (Debian package dataset-fashion-mnist) and no " +
            $"{EmbeddedSubsetPath} folder was found above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}. Pass the directory " +
            "holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
    }

    private static (string Images, string Labels) FilesOf(string directory, bool train)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Fashion-MNIST directory not found: {directory}");
        var prefix = train ? "train" : "t10k";
        return (Locate(directory, $"{prefix}-images-idx3-ubyte"), Locate(directory, $"{prefix}-labels-idx1-ubyte"));
    }

    private static string Locate(string directory, string name)
    {
        var compressed = Path.Combine(directory, name + ".gz");
        if (File.Exists(compressed)) return compressed;
        var raw = Path.Combine(directory, name);
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"Fashion-MNIST file missing: expected {compressed} (or uncompressed, {raw}).", compressed);
    }

    private static void RequireFiles(string directory, bool withTest)
    {
        FilesOf(directory, train: true);
        if (withTest) FilesOf(directory, train: false);
    }

    private static bool HasFiles(string directory, bool withTest)
    {
        try
        {
            RequireFiles(directory, withTest);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Counts(string directory, bool withTest)
    {
        var train = IdxFile.ReadItemCount(FilesOf(directory, train: true).Labels, IdxKind.Labels);
        if (!withTest) return string.Create(CultureInfo.InvariantCulture, $"{train:N0} train");
        var test = IdxFile.ReadItemCount(FilesOf(directory, train: false).Labels, IdxKind.Labels);
        return string.Create(CultureInfo.InvariantCulture, $"{train:N0} train / {test:N0} test");
    }

    // A path below the current directory is shown relative to it (short and machine-independent in logs).
    private static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
