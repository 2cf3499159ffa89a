using Xunit;

namespace DslKd.Runtime.Tests;

/// <summary>libtorch's OpenMP threads wait passively unless the process chose otherwise.</summary>
public class OpenMpDefaultsTests
{
    [Fact]
    public void Loading_the_runtime_sets_the_passive_wait_policy_in_the_C_environment_when_none_was_chosen()
    {
        var chosen = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null ? null : "(GOMP_SPINCOUNT)");
        if (OperatingSystem.IsWindows()) return;

        // The C environment (what libgomp reads), not .NET's copy of it.
        Assert.Equal(chosen is null ? OpenMpDefaults.WaitPolicy : Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), OpenMpDefaults.EffectiveWaitPolicy);
    }
}
