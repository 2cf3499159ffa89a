using System.Globalization;
using DslKd;

namespace FashionMnistExample;

/// <summary>
/// Where this example finds Fashion-MNIST: a folder the user names, else the full set where Debian's
/// <c>dataset-fashion-mnist</c> package installs it, else the class-balanced subset embedded in this repository.
/// Loading a folder is the library's <see cref="FashionMnist.Load"/>.
/// </summary>
public static class DataLocation
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the full data set.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The repository folder holding the class-balanced subset used when the full set is not installed.</summary>
    public const string EmbeddedSubsetPath = "data/fashion-mnist-subset";

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
    /// <returns>The directory to pass to <see cref="FashionMnist.Load"/> and a one-line description of the data for reports.</returns>
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

    private static void RequireFiles(string directory, bool withTest)
    {
        FashionMnist.FindFiles(directory, train: true);
        if (withTest) FashionMnist.FindFiles(directory, train: false);
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
        var train = FashionMnist.CountSamples(directory, train: true);
        if (!withTest) return string.Create(CultureInfo.InvariantCulture, $"{train:N0} train");
        var test = FashionMnist.CountSamples(directory, train: false);
        return string.Create(CultureInfo.InvariantCulture, $"{train:N0} train / {test:N0} test");
    }

    // A path below the current directory is shown relative to it (short and machine-independent in logs).
    private static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
