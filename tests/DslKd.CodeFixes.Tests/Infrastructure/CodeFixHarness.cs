using System.Collections.Immutable;
using DslKd.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace DslKd.CodeFixes.Tests.Infrastructure;

/// <summary>
/// Runs a code fix the way the IDE does, on the diagnostics the DslKd generators actually report: the user's source is a
/// document in a workspace; the generators run over its compilation; the diagnostic goes to the provider in a
/// <see cref="CodeFixContext"/>; the registered action's operations are applied and the document's new text returned.
/// </summary>
internal static class CodeFixHarness
{
    public const string FilePath = "/src/Source0.cs";

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

    /// <summary>A one-document C# project holding <paramref name="source"/>, referencing DslKd and TorchSharp.</summary>
    public static Document CreateDocument(string source, CSharpParseOptions? parseOptions = null)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var project = workspace.AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "UserProject", "UserProject", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: parseOptions ?? ParseOptions,
            metadataReferences: References.Value));
        return workspace.AddDocument(DocumentInfo.Create(DocumentId.CreateNewId(project.Id), "Source0.cs",
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(source), VersionStamp.Default, FilePath)), filePath: FilePath));
    }

    /// <summary>What the generators report for the document's project, as a build would: locations made with
    /// <c>Location.Create(path, span, lineSpan)</c>, outside any syntax tree.</summary>
    public static async Task<GeneratorRun> RunGeneratorsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator(), new RecipeGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)project.ParseOptions!);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var dslKd = driver.GetRunResult().Diagnostics.Where(d => d.Id.StartsWith("DKD", StringComparison.Ordinal)).ToImmutableArray();
        Assert.DoesNotContain(generatorDiagnostics, d => d.Id is "CS8785" or "AD0001");
        return new GeneratorRun(dslKd, output);
    }

    public static Task<GeneratorRun> RunGeneratorsAsync(string source) => RunGeneratorsAsync(CreateDocument(source).Project);

    /// <summary>The code actions <paramref name="provider"/> registers for <paramref name="diagnostic"/>.</summary>
    public static async Task<IReadOnlyList<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    /// <summary>Applies <paramref name="action"/> and returns the document's new text.</summary>
    public static async Task<string> ApplyAsync(CodeAction action, Document document)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
        var changed = apply.ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync()).ToString();
    }

    /// <summary>
    /// Runs the generators on <paramref name="source"/>, expects exactly one diagnostic <paramref name="id"/>, lets
    /// <paramref name="provider"/> fix it, and returns the fixed source and the action's title.
    /// </summary>
    public static async Task<(string FixedSource, string Title)> FixSingleAsync(CodeFixProvider provider, string source, string id)
    {
        var document = CreateDocument(source);
        var run = await RunGeneratorsAsync(document.Project);
        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == id);
        Assert.Equal(FilePath, diagnostic.Location.GetLineSpan().Path);
        var action = Assert.Single(await ActionsAsync(provider, document, diagnostic));
        return (await ApplyAsync(action, document), action.Title);
    }

    /// <summary>
    /// Fixes <paramref name="before"/> and asserts the result is exactly <paramref name="after"/>, and that running the
    /// generators on it again reports nothing and the generated code compiles.
    /// </summary>
    public static async Task<string> VerifyFixAsync(CodeFixProvider provider, string before, string id, string after)
    {
        var (fixedSource, title) = await FixSingleAsync(provider, before, id);
        Assert.Equal(Normalize(after), Normalize(fixedSource));
        await AssertCleanAsync(fixedSource);
        return title;
    }

    /// <summary>The generators report nothing for <paramref name="source"/>, and the project compiles without errors.</summary>
    public static async Task AssertCleanAsync(string source)
    {
        var run = await RunGeneratorsAsync(source);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>The generators report <paramref name="id"/> for <paramref name="source"/>, and the provider offers no fix for it.</summary>
    public static async Task VerifyNoFixAsync(CodeFixProvider provider, string source, string id)
    {
        var document = CreateDocument(source);
        var run = await RunGeneratorsAsync(document.Project);
        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == id);
        Assert.Empty(await ActionsAsync(provider, document, diagnostic));
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");
}

/// <summary>The DKD diagnostics of one generator run and the compilation with the generated code.</summary>
internal sealed record GeneratorRun(ImmutableArray<Diagnostic> Diagnostics, Compilation Output);
