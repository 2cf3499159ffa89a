using System.Collections.Immutable;
using System.Linq;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Layers;
using DslKd.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslKd.Generators;

/// <summary>
/// Reports DKD0050 where a model is exported to ONNX (a call to a <c>DslKd.Export.OnnxExport</c> method) when one of its
/// layers has no ONNX mapping (<see cref="OnnxMappings"/>): the generator then writes no <c>OnnxGraph</c> for it, and this
/// names the layer at the call instead of leaving only the compiler's "does not implement IOnnxExportable".
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OnnxExportAnalyzer : DiagnosticAnalyzer
{
    private const string ExportClass = "DslKd.Export.OnnxExport";

    private readonly OnnxMappings _mappings;

    /// <summary>Checks against the mappings of every layer kind DslKd has.</summary>
    public OnnxExportAnalyzer() : this(OnnxMappings.Default) { }

    internal OnnxExportAnalyzer(OnnxMappings mappings) => _mappings = mappings;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.NoOnnxMapping);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(Analyze, SyntaxKind.InvocationExpression);
    }

    private void Analyze(SyntaxNodeAnalysisContext context)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        var name = invocation.Expression switch
        {
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => null,
        };
        if (name is null || invocation.ArgumentList.Arguments.Count == 0) return;

        // The call may not bind (the model does not implement IOnnxExportable): candidates count too.
        var info = context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken);
        var method = (info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) as IMethodSymbol;
        if (method?.ContainingType is not { } type || type.ToDisplayString() != ExportClass) return;

        var modelType = method.TypeArguments.FirstOrDefault() as INamedTypeSymbol;
        if (modelType is null or { TypeKind: TypeKind.Error } || !IsModel(modelType))
            modelType = context.SemanticModel.GetTypeInfo(invocation.ArgumentList.Arguments[0].Expression, context.CancellationToken).Type as INamedTypeSymbol;
        if (modelType is null || !IsModel(modelType)) return;

        var parsed = ModelParser.ParseAnyRole(modelType, context.CancellationToken);
        if (parsed is null || ModelValidator.Validate(parsed).Model is not { } model) return;
        if (_mappings.FirstUnmapped(model) is { } unmapped)
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.NoOnnxMapping, invocation.GetLocation(), modelType.Name, unmapped.Kind, unmapped.Block));
    }

    // A model from another assembly was generated (or not) there; only models declared in this project are checked.
    private static bool IsModel(INamedTypeSymbol type) =>
        type.Locations.Any(l => l.IsInSource)
        && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is { } name && KnownNames.RoleAttributes.Contains(name));
}
