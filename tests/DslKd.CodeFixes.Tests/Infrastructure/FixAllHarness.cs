using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace DslKd.CodeFixes.Tests.Infrastructure;

/// <summary>Runs a provider's Fix All in one document over the diagnostics the generators report.</summary>
internal static class FixAllHarness
{
    public static async Task<string> FixAllInDocumentAsync(CodeFixProvider provider, string source, string id, int expectedDiagnostics)
    {
        var document = CodeFixHarness.CreateDocument(source);
        var run = await CodeFixHarness.RunGeneratorsAsync(document.Project);
        var diagnostics = run.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.Equal(expectedDiagnostics, diagnostics.Count);

        // Fix All starts from one fix the user picked, and fixes everything with the same equivalence key.
        var first = (await CodeFixHarness.ActionsAsync(provider, document, diagnostics[0]))[0];
        var fixAllProvider = provider.GetFixAllProvider();
        Assert.NotNull(fixAllProvider);
        Assert.Contains(FixAllScope.Document, fixAllProvider.GetSupportedFixAllScopes());
        var context = new FixAllContext(document, provider, FixAllScope.Document, first.EquivalenceKey, [id],
            new GeneratorDiagnosticProvider(), CancellationToken.None);
        var action = await fixAllProvider.GetFixAsync(context);
        Assert.NotNull(action);
        return await CodeFixHarness.ApplyAsync(action, document);
    }

    /// <summary>
    /// Hands Fix All the generators' diagnostics. The IDE keeps diagnostics as data tied to a document and gives them
    /// back with locations in that document's syntax tree; a build's generator diagnostics have file locations
    /// (path and span) instead. This maps the one to the other by path, as the IDE does.
    /// </summary>
    internal sealed class GeneratorDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var run = await CodeFixHarness.RunGeneratorsAsync(document.Project);
            var tree = (await document.GetSyntaxTreeAsync(cancellationToken))!;
            return run.Diagnostics
                .Where(d => d.Location.GetLineSpan().Path == document.FilePath)
                .Select(d => InDocument(d, tree))
                .ToList();
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
        {
            var all = new List<Diagnostic>();
            foreach (var document in project.Documents) all.AddRange(await GetDocumentDiagnosticsAsync(document, cancellationToken));
            return all;
        }

        /// <summary>The diagnostic with its location in <paramref name="tree"/>; the message keeps the generator's wording.</summary>
        public static Diagnostic InDocument(Diagnostic diagnostic, SyntaxTree tree)
        {
            var descriptor = new DiagnosticDescriptor(diagnostic.Id, diagnostic.Descriptor.Title, "{0}", diagnostic.Descriptor.Category,
                diagnostic.Severity, isEnabledByDefault: true);
            // The IDE's diagnostic data keeps the properties, which the fixes read.
            return Diagnostic.Create(descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.Properties,
                diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
