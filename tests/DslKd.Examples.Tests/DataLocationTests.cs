using FashionMnistExample;
using Xunit;

namespace DslKd.Examples.Tests;

/// <summary>Where the Fashion-MNIST example finds its data: the folder asked for, the installed full set, the embedded subset.</summary>
public sealed class DataLocationTests : IDisposable
{
    private static readonly string EmbeddedSubset = Path.Combine(ExampleProcess.RepositoryRoot, "data", "fashion-mnist-subset");

    private readonly string _directory = Directory.CreateTempSubdirectory("dslkd-data-location-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Embedded_subset_is_found_above_the_program()
    {
        Assert.Equal(Path.GetFullPath(EmbeddedSubset), DataLocation.FindEmbeddedSubset());
    }

    [Fact]
    public void Resolve_prefers_an_explicit_directory_then_the_installed_full_set_then_the_embedded_subset()
    {
        var subset = DataLocation.FindEmbeddedSubset()!;

        var (explicitDirectory, explicitDescription) = DataLocation.Resolve(subset);
        var (defaultDirectory, defaultDescription) = DataLocation.Resolve(null);

        Assert.Equal(subset, explicitDirectory);
        Assert.Equal($"Fashion-MNIST (10,000 train / 2,000 test) from {subset}", explicitDescription);
        if (File.Exists(Path.Combine(DataLocation.SystemDirectory, "train-images-idx3-ubyte.gz")))
        {
            Assert.Equal(DataLocation.SystemDirectory, defaultDirectory);
            Assert.Equal($"full Fashion-MNIST (60,000 train / 10,000 test) from {DataLocation.SystemDirectory}", defaultDescription);
        }
        else
        {
            Assert.Equal(subset, defaultDirectory);
            Assert.StartsWith("embedded subset (10,000 train / 2,000 test, class-balanced) from ", defaultDescription);
        }
    }

    [Fact]
    public void Resolve_reports_the_missing_file_of_an_explicit_directory_unless_only_training_files_are_needed()
    {
        foreach (var file in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" })
            File.Copy(Path.Combine(EmbeddedSubset, file), Path.Combine(_directory, file));
        var missing = Path.Combine(_directory, "t10k-images-idx3-ubyte.gz");

        var error = Assert.Throws<FileNotFoundException>(() => DataLocation.Resolve(_directory));
        var (trainOnlyDirectory, trainOnlyDescription) = DataLocation.Resolve(_directory, trainOnly: true);

        Assert.Equal(missing, error.FileName);
        Assert.Contains(missing, error.Message);
        Assert.Equal((_directory, $"Fashion-MNIST (10,000 train) from {_directory}"), (trainOnlyDirectory, trainOnlyDescription));
        Assert.Throws<DirectoryNotFoundException>(() => DataLocation.Resolve(Path.Combine(_directory, "absent")));
    }
}
