using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>libtorch's OpenMP threads spin briefly between operations unless the process chose otherwise.</summary>
public class OpenMpDefaultsTests
{
    [Fact]
    public void Loading_the_runtime_sets_a_short_spin_count_in_the_C_environment_when_none_was_chosen()
    {
        if (OperatingSystem.IsWindows()) return;
        var chosen = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null;

        // The C environment (what libgomp reads), not .NET's copy of it.
        Assert.Equal(chosen ? Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") : OpenMpDefaults.SpinCount, OpenMpDefaults.EffectiveSpinCount);
    }
}
