using Xunit;

namespace DslKd.Examples.Tests;

public class CompressionReportTests
{
    [Fact]
    public void Prints_both_summaries_the_compression_and_measured_speed()
    {
        var (exitCode, output, error) = ExampleProcess.Run("CompressionReport", "CompressionReport");

        Assert.True(exitCode == 0, error);
        Assert.Contains("WideCnn (teacher)", output);
        Assert.Contains("SmallMlp (student)", output);
        Assert.Contains("8.1x smaller", output);
        Assert.Matches(@"SmallMlp\s+\[1, 10\]\s+\d+ us", output);
    }
}
