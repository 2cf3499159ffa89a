using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslKd.Generators.Tests.Infrastructure;

/// <summary>Runs the generator in-process over source text, as the compiler does in a user's build.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                           || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll");
        var dslKd = new[] { typeof(DslKd.Block).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location };
        return platform.Concat(dslKd).Distinct().Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToImmutableArray();
    });

    public static CSharpCompilation Compile(params string[] sources) => Compile(sources, []);

    public static CSharpCompilation Compile(string[] sources, MetadataReference[] extraReferences) =>
        CSharpCompilation.Create(
            "UserProject" + (extraReferences.Length > 0 ? "WithLibraries" : ""),
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            References.Value.AddRange(extraReferences),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator(), new RecipeGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorOutcome Run(params string[] sources) => Run(sources, []);

    public static GeneratorOutcome Run(string[] sources, MetadataReference[] extraReferences)
    {
        var compilation = Compile(sources, extraReferences);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorOutcome(driver.GetRunResult(), output, generatorDiagnostics);
    }

    public static GeneratorRunResult ResultOf<TGenerator>(this GeneratorDriverRunResult result) =>
        result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(TGenerator));
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorOutcome(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    /// <summary>Everything DslKd reports: the generators' diagnostics and the analyzer's, on the generated compilation.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics => Result.Diagnostics.Concat(AnalyzerDiagnostics).ToList();

    public IReadOnlyList<Diagnostic> AnalyzerDiagnostics =>
        Output.WithAnalyzers([new RecipeWarningsAnalyzer(), new OnnxExportAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("DKD", StringComparison.Ordinal) || d.Id == "AD0001")
            .ToList();

    public string GeneratedSource(string hintName) =>
        Result.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName == hintName).SourceText.ToString();

    public IEnumerable<string> HintNames => Result.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName);

    /// <summary>Errors and warnings of the user's project after generation: generated code must compile cleanly.</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}
