using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md compiles, with the DslKd generator and analyzer, the way a
/// reader would use it: as a file of a console project that references the DslKd package (<c>dotnet new console</c>:
/// implicit usings and nullable annotations on), with all of DslKd's generators and analyzers. ONNX Runtime's managed
/// assembly is referenced too, for the deployment application's blocks. What a block is, is said by an optional HTML comment on the line right
/// before its fence (GitHub does not show it):
/// <list type="bullet">
/// <item>No marker: a complete C# file that compiles alone, with no error and no warning. With top-level statements it
/// is a whole <c>Program.cs</c> (statements first, then types, as C# requires); with types only, a file of a library.</item>
/// <item><c>&lt;!-- snippet: expect DKD0004 --&gt;</c> (one or more ids): a wrong example. It must produce exactly these
/// diagnostic ids (DslKd's and the C# compiler's, errors and warnings) and nothing else, each located inside the block;
/// a comment in it of the form <c>// DKD0004: message</c> (or <c>// warning DKD0024: message</c>, continued on the
/// following <c>//</c> lines) must match a reported message of that id, where <c>...</c> stands for any text.</item>
/// <item><c>with NAME</c> (also combined: <c>&lt;!-- snippet: with models expect DKD0015 --&gt;</c>): the block is not
/// complete alone; it is compiled with the context NAME of the same page. A context is an HTML comment anywhere in the page,
/// <c>&lt;!-- snippet-context: NAME</c>, C# lines, <c>--&gt;</c>, visible in the page's source only. If a line of the context
/// is <c>{{snippet}}</c>, the block is put there (a member fragment wrapped in a class, say); otherwise the context is
/// another file of the same project (the models a recipe names, say). A block marked <c>as NAME</c> can be a context of
/// later blocks too, as another file (a <c>Models.cs</c> next to a <c>Program.cs</c>); and <c>with</c> a path with a slash
/// adds that file of the repository (<c>with examples/ModelZoo/ResNets.cs</c>). A context whose start names a weights file,
/// <c>&lt;!-- snippet-context: NAME weights/m.safetensors</c>, holds that file's safetensors header (its JSON) instead of C#:
/// <c>with NAME</c> compiles the block as if the project had the file as an <c>AdditionalFiles</c> item, the way DslKd's
/// build targets pass it to the compiler (its header, with the <c>DslKdWeightsOf</c> metadata), so the import diagnostics
/// a real file gives can be shown.</item>
/// <item><c>&lt;!-- snippet: skip REASON --&gt;</c>: not compiled; the reason is required, and says where else the example is
/// checked.</item>
/// </list>
/// A block is compiled, never run: what it prints or trains is for the runtime and example tests.
/// </summary>
public class DocumentationSnippetTests
{
    /// <summary>The pages whose C# blocks are checked, relative to the repository root.</summary>
    private static IEnumerable<string> Pages()
    {
        var root = RepositoryRoot;
        yield return "README.md";
        foreach (var page in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
            yield return Path.GetRelativePath(root, page).Replace('\\', '/');
    }

    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var snippet in Pages().SelectMany(page => Snippet.Read(page, File.ReadAllText(Path.Combine(RepositoryRoot, page)))))
            data.Add(snippet.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_compiles_as_documented(string id)
    {
        var snippet = Find(id);
        if (snippet.SkipReason is not null) return;

        var diagnostics = Compile(snippet).Diagnostics;
        string Listing() => string.Join('\n', diagnostics.Select(Describe));

        if (snippet.Expected.Count == 0)
        {
            Assert.True(diagnostics.Count == 0, $"{id} must compile without errors or warnings, but:\n{Listing()}\n\n{Numbered(snippet.Code)}");
            return;
        }

        var reported = diagnostics.Select(d => d.Id).ToHashSet();
        Assert.True(reported.SetEquals(snippet.Expected),
            $"{id} is marked to produce {string.Join(", ", snippet.Expected)} and nothing else, but it produces:\n{Listing()}\n\n{Numbered(snippet.Code)}");
        foreach (var diagnostic in diagnostics)
        {
            var span = diagnostic.Location.GetLineSpan();
            Assert.True(span.Path == Snippet.FileName && span.StartLinePosition.Line >= snippet.FirstLine && span.StartLinePosition.Line < snippet.FirstLine + snippet.LineCount,
                $"{id}: {Describe(diagnostic)} is reported outside the block (in its context), so the block does not show it.");
        }
        foreach (var (expectedId, pattern, text) in snippet.DiagnosticComments())
        {
            var messages = diagnostics.Where(d => d.Id == expectedId).Select(d => Normalize(d.GetMessage(CultureInfo.InvariantCulture))).ToList();
            Assert.True(messages.Any(pattern.IsMatch),
                $"{id}: the comment '{expectedId}: {text}' matches no reported {expectedId} message ('...' stands for any text):\n{string.Join('\n', messages)}");
        }
    }

    [Fact]
    public void Every_page_with_code_has_its_blocks_checked_and_every_skip_says_why()
    {
        var snippets = Pages().SelectMany(page => Snippet.Read(page, File.ReadAllText(Path.Combine(RepositoryRoot, page)))).ToList();

        Assert.Contains(snippets, s => s.Page == "README.md");
        Assert.Contains(snippets, s => s.Page == "docs/diagnostics.md" && s.Expected.Count > 0);
        // A skipped block is the exception: the checked ones must be the rule.
        Assert.True(snippets.Count(s => s.SkipReason is not null) * 10 <= snippets.Count,
            $"Too many blocks are skipped:\n{string.Join('\n', snippets.Where(s => s.SkipReason is not null).Select(s => $"{s.Id}: {s.SkipReason}"))}");
    }

    [Fact]
    public void The_snippet_reader_follows_the_documented_convention()
    {
        const string page = """
            Text.

            <!-- snippet-context: model
            using DslKd;
            [Model(InputShape = [4], Classes = 4)]
            public partial class Net
            {
            {{snippet}}
            }
            -->

            ```csharp
            System.Console.WriteLine(1);
            ```

            <!-- snippet: with model expect DKD0007 -->
            ```csharp
            [Linear(2)] public partial Block Logits { get; }   // DKD0007: ... 'Logits' ...
            ```

            <!-- snippet: skip shown in prose only -->
            ```csharp
            not C#
            ```
            """;

        var snippets = Snippet.Read("page.md", page).ToList();

        Assert.Equal(["page.md:12", "page.md:17", "page.md:22"], snippets.Select(s => s.Id));
        Assert.Empty(snippets[0].Expected);
        Assert.Equal(["DKD0007"], snippets[1].Expected);
        Assert.Equal("shown in prose only", snippets[2].SkipReason);
        var (_, pattern, _) = Assert.Single(snippets[1].DiagnosticComments());
        Assert.Matches(pattern, "Model 'Net' declares Classes = 4 but its last block 'Logits' outputs [2]");
        Assert.DoesNotMatch(pattern, "Model 'Net' declares Classes = 4");
        Assert.Empty(Compile(snippets[0]).Diagnostics);
        Assert.Equal(["DKD0007"], Compile(snippets[1]).Diagnostics.Select(d => d.Id).Distinct());
    }

    private static readonly Lazy<List<Snippet>> All = new(() =>
        Pages().SelectMany(page => Snippet.Read(page, File.ReadAllText(Path.Combine(RepositoryRoot, page)))).ToList());

    private static Snippet Find(string id) => All.Value.Single(s => s.Id == id);

    /// <summary>The implicit usings of a <c>dotnet new console</c> project (ImplicitUsings enable).</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                           || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll");
        var dslKd = new[]
        {
            typeof(DslKd.Block).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location,
            typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.Location,
        };
        return platform.Concat(dslKd).Distinct().Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToImmutableArray();
    });

    /// <summary>Compiles the snippet with its contexts and runs the generators and the analyzer, as a build would.</summary>
    private static (Compilation Compilation, List<Diagnostic> Diagnostics) Compile(Snippet snippet)
    {
        var files = new List<(string Name, string Text)> { (Snippet.FileName, snippet.CompiledText), ("ImplicitUsings.g.cs", ImplicitUsings) };
        files.AddRange(snippet.OtherFiles.Select((text, i) => ($"Context{i}.cs", text)));
        var trees = files.Select(file => CSharpSyntaxTree.ParseText(file.Text, GeneratorHarness.ParseOptions, path: file.Name)).ToList();
        var program = trees.Any(tree => tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create("Snippet", trees, References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // Every generator a build runs (the import generator too), with the weights headers of the block's contexts.
        var weights = snippet.Weights.Select(w => ImportHarness.Header(w.Path, w.Header)).ToArray();
        var driver = ImportHarness.Driver(weights).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var outcome = new GeneratorOutcome(driver.GetRunResult(), output, generatorDiagnostics);
        var diagnostics = outcome.Diagnostics
            .Concat(generatorDiagnostics)
            .Concat(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning))
            .DistinctBy(d => (d.Id, d.Location.SourceSpan, d.Location.SourceTree?.FilePath, d.GetMessage(CultureInfo.InvariantCulture)))
            .ToList();
        return (output, diagnostics);
    }

    private static string Describe(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return $"{span.Path}({span.StartLinePosition.Line + 1}): {d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
    }

    private static string Numbered(string code) =>
        string.Join('\n', code.Split('\n').Select((line, i) => $"{i + 1,3}  {line}"));

    private static string Normalize(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    private static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DslKd.sln"))) directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("DslKd.sln not found above the test output folder.");
        }
    }

    /// <summary>One ```csharp block of a page, with what its marker says.</summary>
    private sealed class Snippet
    {
        public const string FileName = "Snippet.cs";
        private const string Placeholder = "{{snippet}}";

        public required string Page { get; init; }
        /// <summary>"page:line", the line of the opening fence (1-based).</summary>
        public required string Id { get; init; }
        public required string Code { get; init; }
        public string? SkipReason { get; init; }
        public IReadOnlyList<string> Expected { get; init; } = [];
        /// <summary>The text compiled as <see cref="FileName"/>: the block, or a context with the block in it.</summary>
        public required string CompiledText { get; init; }
        /// <summary>The block's first line in <see cref="CompiledText"/> (0-based) and its number of lines.</summary>
        public int FirstLine { get; init; }
        public int LineCount => Code.Split('\n').Length;
        /// <summary>Contexts compiled as files of their own.</summary>
        public IReadOnlyList<string> OtherFiles { get; init; } = [];
        /// <summary>Weights files in the build: their path and safetensors header (JSON).</summary>
        public IReadOnlyList<(string Path, string Header)> Weights { get; init; } = [];

        private static readonly Regex Marker = new(@"^\s*<!--\s*snippet:\s*(?<body>.*?)\s*-->\s*$");
        private static readonly Regex ContextStart = new(@"^\s*<!--\s*snippet-context:\s*(?<name>[\w-]+)(?:\s+(?<weights>\S+\.safetensors))?\s*$");
        private static readonly Regex DiagnosticComment = new(@"//\s*(?:warning\s+)?(?<id>DKD\d{4}):\s*(?<text>.*)$");

        public static IEnumerable<Snippet> Read(string page, string markdown)
        {
            var lines = markdown.Replace("\r\n", "\n").Split('\n');
            var contexts = new Dictionary<string, string>(StringComparer.Ordinal);
            var weightsContexts = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < lines.Length; i++)
            {
                if (ContextStart.Match(lines[i]) is not { Success: true } start) continue;
                var body = new List<string>();
                for (i++; i < lines.Length && lines[i].Trim() != "-->"; i++) body.Add(lines[i]);
                if (i == lines.Length) throw new InvalidDataException($"{page}: snippet-context '{start.Groups["name"].Value}' has no closing '-->'.");
                if (!contexts.TryAdd(start.Groups["name"].Value, string.Join('\n', body)))
                    throw new InvalidDataException($"{page}: snippet-context '{start.Groups["name"].Value}' is defined twice.");
                if (start.Groups["weights"].Success) weightsContexts.Add(start.Groups["name"].Value, start.Groups["weights"].Value);
            }

            for (var i = 0; i < lines.Length; i++)
            {
                var trimmed = lines[i].TrimStart();
                if (!trimmed.StartsWith("```", StringComparison.Ordinal)) continue;
                var language = trimmed[3..].Trim();
                var indent = lines[i].Length - trimmed.Length;
                var open = i;
                var code = new List<string>();
                for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                    code.Add(lines[i].Length >= indent && string.IsNullOrWhiteSpace(lines[i][..indent]) ? lines[i][indent..] : lines[i].TrimStart());
                if (language != "csharp") continue;

                var id = $"{page}:{open + 1}";
                var text = string.Join('\n', code);
                var marker = open > 0 ? Marker.Match(lines[open - 1]) : Match.Empty;
                var words = marker.Success ? marker.Groups["body"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
                if (words is ["skip", .. var reason])
                {
                    if (reason.Length == 0) throw new InvalidDataException($"{id}: 'snippet: skip' needs a reason.");
                    yield return new Snippet { Page = page, Id = id, Code = text, CompiledText = text, SkipReason = string.Join(' ', reason) };
                    continue;
                }

                var expected = new List<string>();
                var with = new List<string>();
                string? name = null;
                List<string>? current = null;
                foreach (var word in words)
                {
                    switch (word)
                    {
                        case "expect": current = expected; break;
                        case "with": current = with; break;
                        case "as": current = null; name = ""; break;
                        default:
                            if (name == "") name = word;
                            else if (current is null) throw new InvalidDataException($"{id}: unknown snippet marker word '{word}' (expected: expect IDS, with CONTEXTS, as NAME, skip REASON).");
                            else current.AddRange(word.Split(',', StringSplitOptions.RemoveEmptyEntries));
                            break;
                    }
                }

                var compiled = text;
                var first = 0;
                var others = new List<string>();
                var weights = new List<(string Path, string Header)>();
                foreach (var context in with)
                {
                    if (weightsContexts.TryGetValue(context, out var weightsPath))
                    {
                        weights.Add((weightsPath, contexts[context].Trim()));
                        continue;
                    }
                    if (context.Contains('/', StringComparison.Ordinal))
                    {
                        // A file of the repository, such as the model zoo's models.
                        var path = Path.Combine(RepositoryRoot, context);
                        if (!File.Exists(path)) throw new InvalidDataException($"{id}: the repository has no file {context}.");
                        others.Add(File.ReadAllText(path));
                        continue;
                    }
                    if (!contexts.TryGetValue(context, out var contextText))
                        throw new InvalidDataException($"{id}: no snippet-context or earlier 'as {context}' block named '{context}' in {page}.");
                    var contextLines = contextText.Split('\n');
                    var at = Array.FindIndex(contextLines, line => line.Trim() == Placeholder);
                    if (at < 0)
                    {
                        others.Add(contextText);
                        continue;
                    }
                    if (compiled != text) throw new InvalidDataException($"{id}: two contexts with {Placeholder}.");
                    compiled = string.Join('\n', contextLines.Take(at).Append(text).Concat(contextLines.Skip(at + 1)));
                    first = at;
                }
                if (name is { Length: > 0 } && !contexts.TryAdd(name, text))
                    throw new InvalidDataException($"{id}: the name '{name}' is taken.");

                yield return new Snippet
                {
                    Page = page, Id = id, Code = text, Expected = expected, CompiledText = compiled, FirstLine = first, OtherFiles = others, Weights = weights,
                };
            }
        }

        /// <summary>
        /// The block's <c>// DKDnnnn: message</c> comments, each continued by the <c>//</c> lines after it, as patterns on the
        /// whitespace-normalised message: from its start, <c>...</c> for any text, to its end unless the comment ends with <c>...</c>.
        /// </summary>
        public IEnumerable<(string Id, Regex Pattern, string Text)> DiagnosticComments()
        {
            var lines = Code.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (DiagnosticComment.Match(lines[i]) is not { Success: true } match) continue;
                var text = new StringBuilder(match.Groups["text"].Value.Trim());
                while (i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("//", StringComparison.Ordinal) && !DiagnosticComment.IsMatch(lines[i + 1]))
                    text.Append(' ').Append(lines[++i].TrimStart()[2..].Trim());
                var normalized = Normalize(text.ToString());
                var open = normalized.EndsWith("...", StringComparison.Ordinal);
                var pattern = "^" + string.Join(".*?", normalized.Split("...").Select(part => Regex.Escape(part.Trim()).Replace(@"\ ", @"\s+"))) + (open ? "" : "$");
                yield return (match.Groups["id"].Value, new Regex(pattern, RegexOptions.Singleline), normalized);
            }
        }
    }
}
