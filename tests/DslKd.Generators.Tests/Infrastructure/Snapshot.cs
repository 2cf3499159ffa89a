using ApprovalTests;
using ApprovalTests.Namers;
using ApprovalTests.Reporters;

[assembly: UseReporter(typeof(QuietReporter))]

namespace DslKd.Generators.Tests.Infrastructure;

/// <summary>
/// The one place that knows which snapshot library is used (ApprovalTests stands in for Verify.Xunit, which cannot be
/// restored here). Snapshots live in Snapshots/ as <c>Class.Test.approved.cs</c>; a mismatch writes a
/// <c>.received.cs</c> beside it to diff and, if intended, rename over the approved file.
/// </summary>
internal static class Snapshot
{
    public static void Match(string text, string scenario)
    {
        using (ApprovalResults.ForScenario(scenario))
        {
            Approvals.VerifyWithExtension(text, ".cs");
        }
    }
}
