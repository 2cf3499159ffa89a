using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Model;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators.Recipe;

/// <summary>The result of reading a recipe: a spec (null when nothing can be emitted) and diagnostics.</summary>
internal sealed record ParsedRecipe(RecipeSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Reads a [Distillation&lt;TTeacher, TStudent&gt;] class: resolves both models (parsing and validating them again from
/// their symbols, so a change to a model reaches its recipes), and reads the loss terms and custom-loss methods.
/// </summary>
internal static class RecipeParser
{
    public static ParsedRecipe? Parse(INamedTypeSymbol type, AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.AttributeClass is not { TypeArguments.Length: 2 } attributeClass
            || attributeClass.TypeArguments.Any(t => t.TypeKind == TypeKind.Error))
            return null; // the compiler reports unresolved type arguments
        // [Distillation] repeated on two partial declarations (CS0579) is matched twice; only the first reports and emits.
        var first = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.OriginalDefinition.ToDisplayString() == attributeClass.OriginalDefinition.ToDisplayString());
        if (first is not null && !AttributeArguments.SameApplication(first, attribute)) return null;

        // A class with several declarations is reported once: by the model pipeline if it is also a model.
        if (KnownNames.DeclarationKinds(type).Contains("model")) return null;
        var diagnostics = new List<DiagnosticInfo>();
        var classLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        var attributeLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

        if ((UnsupportedReason(type, cancellationToken) ?? MemberClash(type)) is { } reason)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedRecipeDeclaration, classLocation, type.Name, reason));
            return new ParsedRecipe(null, diagnostics.ToEquatableArray());
        }

        var teacher = ResolveModel(attributeClass.TypeArguments[0], "teacher", type.Name, attributeLocation, diagnostics, cancellationToken);
        var student = ResolveModel(attributeClass.TypeArguments[1], "student", type.Name, attributeLocation, diagnostics, cancellationToken);
        if (teacher is null || student is null)
            return new ParsedRecipe(null, diagnostics.ToEquatableArray());

        var terms = new List<TermSpec>();
        foreach (var termAttribute in type.GetAttributes().Where(a => DerivesFrom(a.AttributeClass, KnownNames.LossTermAttribute)))
        {
            if (AttributeArgumentsReader.ReadArguments(termAttribute, cancellationToken) is not { } arguments) continue;
            var syntax = AttributeArguments.Syntax(termAttribute, cancellationToken);
            var kind = AttributeArgumentsReader.KindName(termAttribute.AttributeClass!);
            terms.Add(new TermSpec(kind, arguments, syntax?.ToString() ?? kind, LocationInfo.From(syntax)));
        }

        var customLosses = ReadCustomLosses(type, teacher.Spec.ClassName, student.Spec.ClassName, cancellationToken);
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        var spec = new RecipeSpec(ns, type.Name, teacher, student, terms.ToEquatableArray(), customLosses.ToEquatableArray(),
            TrainingOptionsReader.Read(type, cancellationToken), classLocation, attributeLocation);
        return new ParsedRecipe(spec, diagnostics.ToEquatableArray());
    }

    internal static ResolvedModel? ResolveModel(ITypeSymbol typeArgument, string role, string recipeName, LocationInfo? attributeLocation,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        if (typeArgument is INamedTypeSymbol && !typeArgument.Locations.Any(l => l.IsInSource))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelFromAnotherAssembly, attributeLocation, role, recipeName, typeArgument.ToDisplayString()));
            return null;
        }
        var parsed = typeArgument is INamedTypeSymbol named ? ModelParser.ParseAnyRole(named, cancellationToken) : null;
        if (parsed is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.RecipeTypeIsNotAModel, attributeLocation, role, recipeName, typeArgument.ToDisplayString()));
            return null;
        }
        // A model with errors is reported by the model pipeline; the recipe just waits for it to be fixed.
        return ModelValidator.Validate(parsed).Model;
    }

    /// <summary>Members every generated distillation recipe declares (methods it overloads, such as Train, are left out).</summary>
    private static readonly HashSet<string> GeneratedMembers =
    [
        "Teacher", "Student", "Loss", "DefaultLoss", "Losses", "LossSettings", "DefaultOptions",
        "TeacherParameterCount", "StudentParameterCount", "AdapterParameterCount", "CompressionRatio",
    ];

    // Only members the user wrote: the warnings analyzer parses recipes in a compilation that includes the generated part.
    private static string? MemberClash(INamedTypeSymbol type) =>
        type.GetMembers().FirstOrDefault(m => !m.IsImplicitlyDeclared && GeneratedMembers.Contains(m.Name)
            && m.DeclaringSyntaxReferences.Any(r => !r.SyntaxTree.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal))) is { } clash
            ? $"it declares '{clash.Name}', which the generator adds to every distillation recipe; rename it"
            : null;

    internal static string? UnsupportedReason(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (KnownNames.DeclarationKinds(type).Count > 1) return KnownNames.SeveralDeclarations;
        if (type.Name is "Losses" or "Teacher" or "Student" or "Model")
            return $"the generated code declares a member or nested type '{type.Name}' in every recipe; rename the class";
        if (type.ContainingType is not null) return "nested types are not supported; declare the recipe at namespace level";
        if (type.IsGenericType) return "generic types are not supported; declare a non-generic class";
        if (type.IsRecord || type.IsStatic || type.TypeKind != TypeKind.Class) return "declare it as a non-static 'partial class'";
        if (type.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } baseType
            && !(baseType.ContainingNamespace?.ToDisplayString() == "TorchSharp" && baseType.Name == "Module"))
            return $"it derives from '{baseType.ToDisplayString()}'; the generator makes every recipe a TorchSharp module, so remove the base class";
        var isPartial = type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
        return isPartial ? null : "it is not 'partial'; the generator adds the loss and adapters as another part";
    }

    private static List<CustomLossSpec> ReadCustomLosses(INamedTypeSymbol type, string teacher, string student, CancellationToken cancellationToken)
    {
        var losses = new List<CustomLossSpec>();
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.CustomLossAttribute);
            if (attribute is null) continue;
            var arguments = AttributeArgumentsReader.ReadArguments(attribute, cancellationToken) ?? EquatableArray<AttributeArgument>.Empty;
            var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            losses.Add(new CustomLossSpec(method.Name, method.IsStatic, arguments, SignatureProblem(method, syntax, teacher, student),
                LocationInfo.From(syntax?.Identifier.GetLocation() ?? method.Locations.FirstOrDefault())));
        }
        return losses;
    }

    private static string? SignatureProblem(IMethodSymbol method, MethodDeclarationSyntax? syntax, string teacher, string student)
    {
        if (method.IsGenericMethod) return "it must not be generic";
        if (method.ReturnType.ToDisplayString() != KnownNames.Tensor) return $"it returns '{method.ReturnType.ToDisplayString()}', not Tensor";
        if (method.Parameters.Length != 3) return $"it takes {method.Parameters.Length} parameters, not 3";
        // The Features types are generated, so the generator sees them unresolved: compare the written type names.
        var parameterTypes = syntax?.ParameterList.Parameters.Select(p => p.Type).ToList();
        if (parameterTypes is null || !IsFeaturesOf(parameterTypes[0], teacher))
            return $"its first parameter must be '{teacher}.Features', the teacher's block outputs";
        if (!IsFeaturesOf(parameterTypes[1], student))
            return $"its second parameter must be '{student}.Features', the student's block outputs";
        if (method.Parameters[2].Type.ToDisplayString() != KnownNames.Tensor)
            return "its third parameter must be the labels, a Tensor";
        return null;
    }

    private static bool IsFeaturesOf(TypeSyntax? type, string modelName) =>
        type is QualifiedNameSyntax { Right.Identifier.ValueText: "Features" } qualified
        && RightmostIdentifier(qualified.Left) == modelName;

    private static string? RightmostIdentifier(NameSyntax name) => name switch
    {
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
        SimpleNameSyntax s => s.Identifier.ValueText,
        _ => null,
    };

    private static bool DerivesFrom(INamedTypeSymbol? type, string baseName)
    {
        for (var current = type?.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == baseName) return true;
        }
        return false;
    }
}
