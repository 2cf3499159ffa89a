using System.Buffers.Binary;
using System.IO.Compression;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The Fashion-MNIST data path: loading a folder of the data set's files, and the splits and augmentation the examples
/// apply to it. (Where the example looks for the data is tested with the example, in DslKd.Examples.Tests.)
/// </summary>
public sealed class FashionMnistTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dslkd-fashion-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Embedded_subset_loads_normalised_with_1000_train_and_200_test_images_per_class()
    {
        var subset = EmbeddedSubset();

        using var train = FashionMnist.Load(subset, train: true);
        using var test = FashionMnist.Load(subset, train: false);

        Assert.Equal([10_000L, 1, 28, 28], train.Inputs.shape);
        Assert.Equal(ScalarType.Float32, train.Inputs.dtype);
        Assert.Equal(ScalarType.Int64, train.Labels.dtype);
        Assert.Equal(10, train.Classes);
        Assert.All(train.Labels.bincount(null, 10).data<long>().ToArray(), count => Assert.Equal(1000, count));
        Assert.Equal([2_000L, 1, 28, 28], test.Inputs.shape);
        Assert.All(test.Labels.bincount(null, 10).data<long>().ToArray(), count => Assert.Equal(200, count));
        // Normalised with the full training set's statistics, so the subset is close to zero mean, unit variance.
        Assert.InRange(train.Inputs.mean().item<float>(), -0.05f, 0.05f);
        Assert.InRange(train.Inputs.std().item<float>(), 0.95f, 1.05f);
        Assert.Equal((1 - FashionMnist.Mean) / FashionMnist.StandardDeviation, train.Inputs.max().item<float>(), 4);
    }

    [Fact]
    public void Find_files_takes_the_gzip_file_else_the_raw_one_and_count_samples_reads_only_the_header()
    {
        var subset = EmbeddedSubset();
        WriteSplit("train", images: 2, labels: [0, 1]);
        File.Move(Path.Combine(_directory, "train-labels-idx1-ubyte.gz"), Path.Combine(_directory, "train-labels-idx1-ubyte"));

        var (images, labels) = FashionMnist.FindFiles(_directory, train: true);

        Assert.Equal(Path.Combine(_directory, "train-images-idx3-ubyte.gz"), images);
        Assert.Equal(Path.Combine(_directory, "train-labels-idx1-ubyte"), labels);
        Assert.Equal(Path.Combine(subset, "t10k-labels-idx1-ubyte.gz"), FashionMnist.FindFiles(subset, train: false).Labels);
        Assert.Equal((10_000L, 2_000L), (FashionMnist.CountSamples(subset, train: true), FashionMnist.CountSamples(subset, train: false)));
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Fact]
    public void Find_files_reports_the_missing_file_and_the_missing_directory()
    {
        WriteSplit("train", images: 2, labels: [0, 1]);
        var missing = Path.Combine(_directory, "t10k-images-idx3-ubyte.gz");

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.FindFiles(_directory, train: false));

        Assert.Equal(missing, error.FileName);
        Assert.Contains(missing, error.Message);
        Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_directory, train: false));
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.FindFiles(Path.Combine(_directory, "absent"), train: true));
    }

    [Fact]
    public void Find_files_reports_a_directory_in_place_of_a_file_as_a_directory_not_as_missing()
    {
        WriteSplit("train", images: 2, labels: [0, 1]);
        File.Delete(Path.Combine(_directory, "train-labels-idx1-ubyte.gz"));
        var directory = Path.Combine(_directory, "train-labels-idx1-ubyte.gz");
        Directory.CreateDirectory(directory);

        var error = Assert.Throws<IOException>(() => FashionMnist.FindFiles(_directory, train: true));

        Assert.IsNotType<FileNotFoundException>(error);
        Assert.Contains($"Fashion-MNIST file {directory} is a directory, not a file", error.Message);
    }

    [Fact]
    public void Labels_out_of_range_are_reported_with_the_file_index_and_value()
    {
        WriteSplit("train", images: 3, labels: [3, 12, 9]);

        var message = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_directory, train: true)).Message;

        Assert.Contains(Path.Combine(_directory, "train-labels-idx1-ubyte.gz"), message);
        Assert.Contains("label 12 at index 1 is out of range; expected class indices 0 to 9", message);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        WriteSplit("t10k", images: 3, labels: [1, 2]);

        var message = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_directory, train: false)).Message;

        Assert.Contains("t10k-images-idx3-ubyte.gz holds 3 images but ", message);
        Assert.Contains("t10k-labels-idx1-ubyte.gz holds 2 labels", message);
    }

    [Fact]
    public void Validation_split_is_stratified_disjoint_complete_and_deterministic_per_seed()
    {
        var labels = tensor(Enumerable.Range(0, 200).Select(i => (long)(i % 7 % 4)).ToArray()); // classes of 57, 57, 57 and 29 samples
        using var data = new LabeledDataset(arange(200, dtype: ScalarType.Float32).unsqueeze(1), labels, classes: 4);

        var (train, validation) = DatasetSplits.SplitValidation(data, 0.25, seed: 7);
        var (trainAgain, validationAgain) = DatasetSplits.SplitValidation(data, 0.25, seed: 7);
        var (_, validationOtherSeed) = DatasetSplits.SplitValidation(data, 0.25, seed: 8);

        var trainIds = Ids(train);
        var validationIds = Ids(validation);
        Assert.Empty(trainIds.Intersect(validationIds));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), trainIds.Concat(validationIds).Order());
        Assert.Equal([14L, 14, 14, 7], validation.Labels.bincount(null, 4).data<long>().ToArray()); // round(size / 4) per class
        Assert.Equal(trainIds, Ids(trainAgain));
        Assert.Equal(validationIds, Ids(validationAgain));
        Assert.NotEqual(validationIds, Ids(validationOtherSeed));
        Assert.Equal(validationIds.Order(), validationIds); // storage order kept
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Validation_fraction_must_be_between_zero_and_one(double fraction)
    {
        using var data = new LabeledDataset(zeros(10, 1), zeros(10, dtype: ScalarType.Int64), classes: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplits.SplitValidation(data, fraction, seed: 1));
    }

    [Fact]
    public void Take_draws_a_class_balanced_subset_deterministically()
    {
        var labels = tensor(Enumerable.Range(0, 100).Select(i => (long)(i % 4)).ToArray());
        using var data = new LabeledDataset(arange(100, dtype: ScalarType.Float32).unsqueeze(1), labels, classes: 4);

        using var subset = DatasetSplits.Take(data, 10, seed: 3);
        using var again = DatasetSplits.Take(data, 10, seed: 3);

        Assert.Equal([3L, 3, 2, 2], subset.Labels.bincount(null, 4).data<long>().ToArray());
        Assert.Equal(10, Ids(subset).Distinct().Count());
        Assert.Equal(Ids(subset), Ids(again));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplits.Take(data, 101, seed: 3));
    }

    [Fact]
    public void Random_shift_moves_each_image_by_at_most_two_pixels_with_zero_fill()
    {
        const int batch = 512;
        var images = zeros(batch, 1, 28, 28);
        images[.., .., 14, 10] = tensor(5f);
        var shift = RandomShift.Create(maxPixels: 2);

        manual_seed(11);
        var shifted = shift(images);
        manual_seed(11);
        var again = shift(images);

        Assert.Equal(images.shape, shifted.shape);
        Assert.True(shifted.eq(again).all().item<bool>());
        Assert.Equal(images.sum(dim: [1, 2, 3]).data<float>().ToArray(), shifted.sum(dim: [1, 2, 3]).data<float>().ToArray());
        var positions = shifted.reshape(batch, -1).argmax(1);
        var rows = positions.div(28, RoundingMode.floor).sub(14);
        var columns = positions.remainder(28).sub(10);
        Assert.Equal(-2, rows.min().item<long>());
        Assert.Equal(2, rows.max().item<long>());
        Assert.Equal(-2, columns.min().item<long>());
        Assert.Equal(2, columns.max().item<long>());
        Assert.Equal(25, rows.mul(5).add(columns).unique().output.shape[0]); // all 5x5 offsets occur: x and y are drawn independently
    }

    [Fact]
    public void Random_shift_zero_fills_what_moves_in_from_the_border()
    {
        manual_seed(5);
        var shifted = RandomShift.Create(maxPixels: 3)(ones(64, 2, 8, 8));

        var lost = shifted.sum(dim: [2, 3]).neg().add(64);    // pixels of each 8x8 channel that were replaced by zeros
        var nonZeroRows = shifted[.., 0].sum(2).gt(0).sum(1); // 8 - |vertical shift|

        Assert.True(lost.ge(0).all().item<bool>());
        Assert.True(lost.gt(0).any().item<bool>());
        Assert.True(shifted[.., 0].eq(shifted[.., 1]).all().item<bool>()); // the channels of one image move together
        Assert.InRange(nonZeroRows.min().item<long>(), 5, 8);
    }

    [Fact]
    public void Random_shift_variants_enumerate_every_offset_once_row_major()
    {
        var shift = new RandomShift(maxPixels: 2);
        var images = zeros(25, 1, 28, 28);
        images[.., .., 14, 10] = tensor(1f);

        var shifted = shift.Apply(images, arange(25, dtype: ScalarType.Int64));

        Assert.Equal((25, "RandomShift(2)"), (shift.Variants, shift.Identity));
        var positions = shifted.reshape(25, -1).argmax(1);
        var offsets = positions.div(28, RoundingMode.floor).sub(14).mul(5).add(positions.remainder(28).sub(10)).add(12);
        Assert.Equal(Enumerable.Range(0, 25).Select(v => (long)v), offsets.data<long>().ToArray()); // variant v = (v / 5 - 2 down, v % 5 - 2 right)
    }

    [Fact]
    public void Random_shift_of_zero_pixels_is_the_identity_and_other_shapes_are_refused()
    {
        var images = rand(4, 1, 5, 5);

        Assert.Same(images, RandomShift.Create(0)(images));
        Assert.Contains("[B, C, H, W]", Assert.Throws<ArgumentException>(() => RandomShift.Create()(rand(4, 25))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomShift.Create(-1));
    }

    [Fact]
    public void Random_flip_mirrors_about_half_the_images_left_right_and_keeps_the_others()
    {
        const int batch = 400;
        var images = rand(batch, 2, 6, 5, generator: new Generator(3));

        manual_seed(9);
        var flipped = RandomFlip.Create()(images);
        manual_seed(9);
        var again = RandomFlip.Create()(images);

        var kept = flipped.eq(images).flatten(1).all(1);
        var mirrored = flipped.eq(images.flip(3)).flatten(1).all(1);
        Assert.True(flipped.eq(again).all().item<bool>());
        Assert.True(kept.logical_xor(mirrored).all().item<bool>()); // every image is one or the other, channels together
        Assert.InRange(mirrored.sum().item<long>(), 160, 240);
    }

    [Fact]
    public void Random_flip_variants_are_as_is_then_mirrored_and_other_shapes_are_refused()
    {
        var flip = new RandomFlip();
        var images = arange(2 * 3 * 4, dtype: ScalarType.Float32).view(2, 1, 3, 4);

        var applied = flip.Apply(images, tensor(new long[] { 1, 0 }));

        Assert.Equal((2, "RandomFlip"), (flip.Variants, flip.Identity));
        Assert.True(applied[0].eq(images[0].flip(2)).all().item<bool>());
        Assert.True(applied[1].eq(images[1]).all().item<bool>());
        Assert.IsType<RandomFlip>(RandomFlip.Create().Target); // what lets the teacher cache enumerate both variants
        Assert.Contains("[B, C, H, W]", Assert.Throws<ArgumentException>(() => RandomFlip.Create()(rand(4, 25))).Message);
    }

    [Fact]
    public void Random_mixup_blends_each_sample_with_another_keeping_its_own_input_dominant()
    {
        const int batch = 256;
        // Sample i is the constant i, so a blended value v = w i + (1 - w) j tells how much of itself each sample kept.
        var inputs = arange(batch, dtype: ScalarType.Float32).view(batch, 1, 1, 1).expand(batch, 1, 2, 2).contiguous();

        manual_seed(4);
        var mixed = RandomMixup.Create(minWeight: 0.6)(inputs);
        manual_seed(4);
        var again = RandomMixup.Create(minWeight: 0.6)(inputs);

        Assert.True(mixed.eq(again).all().item<bool>());
        Assert.True(mixed.eq(mixed[.., .., ..1, ..1]).all().item<bool>()); // one weight per sample, for all its elements
        var values = mixed[.., 0, 0, 0];
        var own = arange(batch, dtype: ScalarType.Float32);
        // |v - i| = (1 - w) |j - i| <= 0.4 |j - i| < 0.4 * batch; blends stay inside the inputs' range; most samples moved.
        Assert.True(values.sub(own).abs().le(0.4 * batch).all().item<bool>());
        Assert.True(values.ge(0).all().item<bool>() && values.le(batch - 1).all().item<bool>());
        Assert.True(values.sub(own).abs().gt(0).sum().item<long>() > batch / 2);
    }

    [Fact]
    public void Random_mixup_refuses_weights_that_would_let_the_other_sample_dominate()
    {
        var inputs = rand(4, 3);
        Assert.Same(inputs, RandomMixup.Create(1)(inputs));
        Assert.Contains("[0.5, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => RandomMixup.Create(0.4)).Message);
    }

    /// <summary>The class-balanced subset embedded in the repository (data/fashion-mnist-subset), found above the test output.</summary>
    private static string EmbeddedSubset()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "data", "fashion-mnist-subset");
            if (File.Exists(Path.Combine(directory.FullName, "DslKd.sln")) && Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"data/fashion-mnist-subset not found above {AppContext.BaseDirectory}.");
    }

    private static long[] Ids(LabeledDataset data) => data.Inputs.squeeze(1).to_type(ScalarType.Int64).data<long>().ToArray();

    /// <summary>Writes gzip IDX files for one split (train or t10k) of blank 28x28 images with the given labels.</summary>
    private void WriteSplit(string prefix, int images, byte[] labels)
    {
        WriteIdx($"{prefix}-images-idx3-ubyte.gz", [images, 28, 28], new byte[images * 28 * 28]);
        WriteIdx($"{prefix}-labels-idx1-ubyte.gz", [labels.Length], labels);
    }

    private void WriteIdx(string name, int[] sizes, byte[] data)
    {
        var header = new byte[4 + 4 * sizes.Length];
        (header[2], header[3]) = (0x08, (byte)sizes.Length);
        for (var i = 0; i < sizes.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), sizes[i]);
        using var gzip = new GZipStream(File.Create(Path.Combine(_directory, name)), CompressionLevel.Fastest);
        gzip.Write(header);
        gzip.Write(data);
    }
}
