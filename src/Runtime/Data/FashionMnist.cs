using System;
using System.Collections.Generic;
using System.IO;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, Zalando Research, 2017; MIT licence): 28x28 greyscale images of clothing
/// in 10 classes, 60,000 for training and 10,000 for testing, stored as the four IDX files
/// <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz</c>. This class loads them from a folder you name; where a copy
/// lives on a machine is the application's business.
/// </summary>
public static class FashionMnist
{
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
        var (imagesPath, labelsPath) = FindFiles(directory, train);
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
    /// The image and label files of the training or test split in <paramref name="directory"/>: each is the gzip file
    /// (<c>.gz</c>) when present, else the raw file of the same name without <c>.gz</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">An image or label file is missing; <see cref="FileNotFoundException.FileName"/> is the path of the <c>.gz</c> file expected.</exception>
    /// <exception cref="IOException">A directory stands where an image or label file should be (and no file of the other name is there).</exception>
    public static (string Images, string Labels) FindFiles(string directory, bool train)
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
        // Not "missing": something is there, just not a file.
        foreach (var path in new[] { compressed, raw })
        {
            if (Directory.Exists(path))
                throw new IOException($"Fashion-MNIST file {path} is a directory, not a file: expected the IDX file {compressed} (or uncompressed, {raw}).");
        }
        throw new FileNotFoundException($"Fashion-MNIST file missing: expected {compressed} (or uncompressed, {raw}).", compressed);
    }

    /// <summary>
    /// The number of samples in the training or test split in <paramref name="directory"/>, as its label file's header
    /// declares it, without reading the data.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">An image or label file of the split is missing.</exception>
    /// <exception cref="InvalidDataException">The label file's header is malformed.</exception>
    public static long CountSamples(string directory, bool train) =>
        IdxFile.ReadItemCount(FindFiles(directory, train).Labels, IdxKind.Labels);
}
