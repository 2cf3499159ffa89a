using System.Collections.Concurrent;
using System.Diagnostics;
using DslKd.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace DslKd.Generators.Tests;

/// <summary>
/// The generator runs on every keystroke in an IDE, so it sees half-typed and nonsensical declarations. Whatever
/// the input, it must never throw (CS8785), and it must either report a DKD error or generate code that compiles.
/// </summary>
public class GeneratorRobustnessTests(ITestOutputHelper output)
{
    /// <summary>Mutants checked in CI: a deterministic sample of every family (of about 12,000), about 50 s of one core.</summary>
    private const int SampleSize = 1200;

    [Fact]
    public void Mutated_declarations_get_a_DKD_error_or_generate_code_that_compiles()
    {
        var mutants = Mutations.Sample(SampleSize);
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(mutants, new ParallelOptions { MaxDegreeOfParallelism = 2 }, mutant =>
        {
            var verdict = MutantCheck.Check(mutant.Source);
            if (verdict.Failed) failures.Add($"{mutant}: {verdict.Outcome}: {verdict.Detail}");
        });

        Assert.True(mutants.Count > 1000, $"only {mutants.Count} mutants were generated");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {mutants.Count} mutants failed:\n" + string.Join("\n", failures.OrderBy(f => f).Take(20)));
    }

    /// <summary>
    /// The whole campaign, outside CI (it returns at once unless asked for):
    /// <c>DSLKD_MUTANTS=20000 dotnet test tests/DslKd.Generators.Tests --filter Mutation_campaign</c> checks up to that many
    /// mutants (all of them: about 12,000, 5 to 10 minutes on two cores), also tells errors the generated code causes in the
    /// user's file from the user's own and runs the warnings analyzer. The report (outcomes, families, failures grouped by
    /// cause with examples) is the test's output, and is written to DSLKD_MUTANTS_REPORT when that names a file;
    /// DSLKD_MUTANTS_EXAMPLES sets how many examples each cause lists. The test fails if any mutant did.
    /// </summary>
    [Fact]
    public void Mutation_campaign()
    {
        var requested = Environment.GetEnvironmentVariable("DSLKD_MUTANTS");
        if (string.IsNullOrEmpty(requested)) return;
        var examples = int.TryParse(Environment.GetEnvironmentVariable("DSLKD_MUTANTS_EXAMPLES"), out var n) ? n : 12;
        var mutants = Mutations.Sample(int.Parse(requested));
        var verdicts = new ConcurrentBag<(Mutant Mutant, MutantVerdict Verdict)>();
        var watch = Stopwatch.StartNew();
        Parallel.ForEach(mutants, new ParallelOptions { MaxDegreeOfParallelism = 2 }, m => verdicts.Add((m, MutantCheck.Check(m.Source, checkUserFile: true))));
        var report = new System.Text.StringBuilder();
        report.AppendLine($"{mutants.Count} of {Mutations.All().Count()} mutants in {watch.Elapsed.TotalSeconds:F0} s");
        foreach (var outcome in verdicts.GroupBy(v => v.Verdict.Outcome).OrderBy(g => g.Key))
            report.AppendLine($"  {outcome.Key}: {outcome.Count()}");
        report.AppendLine();
        foreach (var family in verdicts.GroupBy(v => v.Mutant.Family).OrderBy(g => g.Key))
            report.AppendLine($"{family.Key}: {family.Count()} mutants, {family.Count(v => v.Verdict.Failed)} failed");
        report.AppendLine();
        foreach (var cause in verdicts.Where(v => v.Verdict.Failed).GroupBy(v => v.Verdict.Cause).OrderByDescending(g => g.Count()))
        {
            report.AppendLine($"{cause.Count()} x {cause.Key}");
            foreach (var (mutant, verdict) in cause.OrderBy(v => v.Mutant.Family).ThenBy(v => v.Mutant.Label).Take(examples))
                report.AppendLine($"    {mutant}  =>  {verdict.Detail}");
        }
        var path = Environment.GetEnvironmentVariable("DSLKD_MUTANTS_REPORT");
        if (!string.IsNullOrEmpty(path)) File.WriteAllText(path, report.ToString());
        output.WriteLine(report.ToString());
        Assert.DoesNotContain(verdicts, v => v.Verdict.Failed);
    }
}
