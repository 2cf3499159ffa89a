using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>How <see cref="LabeledDataset.FromCsv"/> reads a CSV file.</summary>
public sealed record CsvOptions
{
    /// <summary>The field separator (default ',').</summary>
    public char Separator { get; init; } = ',';

    /// <summary>
    /// The classes in index order, when the label column holds names (<c>setosa</c>): each label is looked up here, and a
    /// name not in the list is an error. Null (default): labels are class indices 0, 1, ...
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The feature columns, in this order; null (default): every column but the label, in file order.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The shape of one sample (its product must be the number of features); null: a vector [features].</summary>
    public long[]? SampleShape { get; init; }

    /// <summary>The number of classes, checked against the labels; null: <see cref="ClassNames"/>' count, or unchecked.</summary>
    public int? Classes { get; init; }
}

/// <summary>How <see cref="LabeledDataset.FromImageFolder"/> reads images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Width every image is resized to (bilinear); 0 (default): the first image's, and every image must have it.</summary>
    public int Width { get; init; }

    /// <summary>Height every image is resized to; 0 (default): the first image's, and every image must have it.</summary>
    public int Height { get; init; }

    /// <summary>One channel (luma, 0.299 R + 0.587 G + 0.114 B, as PIL's <c>convert("L")</c>) instead of three (RGB).</summary>
    public bool Grayscale { get; init; }

    /// <summary>Per-channel means subtracted after scaling to [0, 1] (one value, or one per channel); null: none.</summary>
    public float[]? Mean { get; init; }

    /// <summary>Per-channel standard deviations divided by after the mean (one value, or one per channel); null: none.</summary>
    public float[]? Std { get; init; }

    /// <summary>The class folders in index order; null (default): every sub-folder, sorted by ordinal name.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The file extensions read (others are skipped); default .png, .jpg, .jpeg, .bmp, .gif, .webp.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];
}

public sealed partial class LabeledDataset
{
    /// <summary>A dataset of <paramref name="samples"/> (one float array per sample, all of one length) and their labels.</summary>
    /// <param name="samples">The samples; each is reshaped to <paramref name="sampleShape"/>.</param>
    /// <param name="labels">Class indices, one per sample.</param>
    /// <param name="sampleShape">The shape of one sample; null: a vector of the samples' length.</param>
    /// <param name="classes">When given, every label must be in [0, classes).</param>
    /// <exception cref="ArgumentException">The samples differ in length, their count differs from the labels', or the shape does not fit; the message says which sample.</exception>
    public static LabeledDataset FromArrays(IReadOnlyList<float[]> samples, IReadOnlyList<long> labels, long[]? sampleShape = null, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        if (samples.Count != labels.Count) throw new ArgumentException($"There are {samples.Count} samples but {labels.Count} labels.", nameof(labels));
        if (samples.Count == 0) throw new ArgumentException("There are no samples.", nameof(samples));
        var length = samples[0]?.Length ?? throw new ArgumentException("Sample 0 is null.", nameof(samples));
        var flat = new float[checked((long)samples.Count * length)];
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i] ?? throw new ArgumentException($"Sample {i} is null.", nameof(samples));
            if (sample.Length != length)
                throw new ArgumentException($"Sample {i} has {sample.Length} values but sample 0 has {length}; every sample must have as many.", nameof(samples));
            sample.CopyTo(flat, (long)i * length);
        }
        return FromArrays(flat, labels.ToArray(), sampleShape ?? [length], classes);
    }

    /// <summary>A dataset of samples stored one after another in <paramref name="features"/> (row-major), each of <paramref name="sampleShape"/>.</summary>
    /// <exception cref="ArgumentException">The lengths do not fit the shape and the labels.</exception>
    public static LabeledDataset FromArrays(ReadOnlySpan<float> features, ReadOnlySpan<long> labels, long[] sampleShape, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"The sample shape [{string.Join(", ", sampleShape)}] must have at least one dimension, all positive.", nameof(sampleShape));
        var perSample = sampleShape.Aggregate(1L, (p, d) => checked(p * d));
        if (features.Length != labels.Length * perSample)
            throw new ArgumentException(
                $"{features.Length} feature values do not make {labels.Length} samples of shape [{string.Join(", ", sampleShape)}] ({perSample} values each, {labels.Length * perSample} in all).", nameof(features));
        var inputs = tensor(features.ToArray(), [labels.Length, .. sampleShape]);
        var targets = tensor(labels.ToArray(), [labels.Length]);
        return new LabeledDataset(inputs, targets, classes);
    }

    /// <summary>A dataset from a rectangular array: one row per sample, one column per feature.</summary>
    public static LabeledDataset FromArrays(float[,] features, IReadOnlyList<long> labels, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        var rows = features.GetLength(0);
        var columns = features.GetLength(1);
        var flat = new float[features.Length];
        Buffer.BlockCopy(features, 0, flat, 0, flat.Length * sizeof(float));
        if (rows != labels.Count) throw new ArgumentException($"There are {rows} rows but {labels.Count} labels.", nameof(labels));
        return FromArrays(flat, labels.ToArray(), [columns], classes);
    }

    /// <summary>
    /// Reads a CSV file: a header row naming the columns, then one sample per row, numeric features (invariant culture:
    /// '.' decimals) and a label column named <paramref name="labelColumn"/>. Quoted fields ("a,b", "say ""x""") are read
    /// as in RFC 4180; blank lines are skipped. Any empty or non-numeric cell is an error naming its line, row and column.
    /// </summary>
    /// <exception cref="InvalidDataException">A bad cell, a row of another length, a missing column or an unknown label; the message names the file, the line and the column.</exception>
    public static LabeledDataset FromCsv(string path, string labelColumn, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labelColumn);
        options ??= new CsvOptions();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        string? line;
        List<string>? header = null;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            header = SplitCsv(line, options.Separator, path, lineNumber).Select(h => h.Trim()).ToList();
            break;
        }
        if (header is null) throw new InvalidDataException($"'{path}' is empty: it needs a header row and at least one row of data.");
        var labelIndex = header.IndexOf(labelColumn);
        if (labelIndex < 0)
            throw new InvalidDataException($"'{path}' has no column '{labelColumn}' for the labels; its columns are {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"'{path}' has two columns named '{duplicate.Key}'.");
        var featureNames = options.Features ?? header.Where((_, i) => i != labelIndex).ToList();
        var featureIndices = featureNames.Select(name =>
        {
            var index = header.IndexOf(name);
            if (index < 0) throw new InvalidDataException($"'{path}' has no feature column '{name}'; its columns are {string.Join(", ", header.Select(h => $"'{h}'"))}.");
            if (index == labelIndex) throw new InvalidDataException($"'{path}': '{name}' is the label column, not a feature.");
            return index;
        }).ToArray();
        if (featureIndices.Length == 0) throw new InvalidDataException($"'{path}' has no feature columns besides '{labelColumn}'.");
        var classIndex = options.ClassNames?.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (long)p.i, StringComparer.Ordinal);

        var features = new List<float>();
        var labels = new List<long>();
        var row = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            row++;
            var cells = SplitCsv(line, options.Separator, path, lineNumber);
            if (cells.Count != header.Count)
                throw new InvalidDataException($"'{path}', line {lineNumber} (row {row}): {cells.Count} cells, but the header has {header.Count} columns.");
            foreach (var index in featureIndices)
            {
                var cell = cells[index].Trim();
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                    throw new InvalidDataException(
                        $"'{path}', line {lineNumber} (row {row}), column '{header[index]}' (column {index + 1}): '{cell}' is not a number.");
                features.Add(value);
            }
            var label = cells[labelIndex].Trim();
            if (classIndex is not null)
            {
                if (!classIndex.TryGetValue(label, out var known))
                    throw new InvalidDataException(
                        $"'{path}', line {lineNumber} (row {row}), column '{labelColumn}': '{label}' is not one of the classes {string.Join(", ", options.ClassNames!.Select(c => $"'{c}'"))}.");
                labels.Add(known);
            }
            else if (long.TryParse(label, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0)
                labels.Add(index);
            else
                throw new InvalidDataException(
                    $"'{path}', line {lineNumber} (row {row}), column '{labelColumn}': '{label}' is not a class index (0, 1, ...); for class names pass CsvOptions.ClassNames.");
        }
        if (labels.Count == 0) throw new InvalidDataException($"'{path}' has a header but no rows of data.");
        var shape = options.SampleShape ?? [featureIndices.Length];
        if (shape.Aggregate(1L, (p, d) => p * d) != featureIndices.Length)
            throw new ArgumentException($"The sample shape [{string.Join(", ", shape)}] does not hold the {featureIndices.Length} features of '{path}'.", nameof(options));
        var classes = options.Classes ?? options.ClassNames?.Count;
        if (classes is { } k && labels.Max() >= k)
        {
            var at = labels.FindIndex(l => l >= k);
            throw new InvalidDataException($"'{path}', row {at + 1}: label {labels[at]} is not below the {k} classes.");
        }
        return FromArrays(features.ToArray(), labels.ToArray(), shape, classes);
    }

    private static List<string> SplitCsv(string line, char separator, string path, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"' && cell.ToString().Trim().Length == 0) { cell.Clear(); quoted = true; }
            else if (c == separator) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        if (quoted) throw new InvalidDataException($"'{path}', line {lineNumber}: a quoted cell does not end (quoted cells cannot span lines here).");
        cells.Add(cell.ToString());
        return cells;
    }

    /// <summary>The class folders of an image folder tree, in the order <see cref="FromImageFolder"/> numbers them by default (ordinal sort).</summary>
    public static IReadOnlyList<string> ImageFolderClasses(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"There is no image folder '{root}'.");
        return Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;
    }

    /// <summary>
    /// Reads an image folder tree, one sub-folder per class (<c>root/cat/1.png</c>, <c>root/dog/7.jpg</c>), as
    /// torchvision's ImageFolder: inputs [N, C, H, W] float32 scaled to [0, 1], resized and normalised as
    /// <paramref name="options"/> say, labels the class folders' indices (<see cref="ImageFolderClasses"/>). PNG, JPEG,
    /// BMP, GIF and WebP are decoded by SkiaSharp, in parallel, straight into one tensor.
    /// </summary>
    /// <exception cref="InvalidDataException">An image cannot be decoded, has another size (without a resize), or a class folder is missing or empty; the message names the file or folder.</exception>
    public static LabeledDataset FromImageFolder(string root, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        var classes = options.ClassNames ?? ImageFolderClasses(root);
        if (classes.Count == 0) throw new InvalidDataException($"'{root}' has no class folders: put each class's images in a folder of its own under it.");
        var extensions = new HashSet<string>(options.Extensions, StringComparer.OrdinalIgnoreCase);
        var files = new List<(string Path, long Label)>();
        for (var c = 0; c < classes.Count; c++)
        {
            var folder = Path.Combine(root, classes[c]);
            if (!Directory.Exists(folder)) throw new InvalidDataException($"There is no class folder '{folder}'.");
            var images = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
            if (images.Count == 0) throw new InvalidDataException($"The class folder '{folder}' has no images ({string.Join(", ", options.Extensions)}).");
            files.AddRange(images.Select(f => (f, (long)c)));
        }
        return ImageDecoding.Load(files, classes.Count, options);
    }
}
