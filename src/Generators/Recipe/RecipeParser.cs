using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
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
        if (KnownNames.DeclarationKinds(type).Contains("model") || DeclarationChecks.IsIncomplete(type)) return null;
        var diagnostics = new List<DiagnosticInfo>();
        var classLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        var attributeLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

        if (Unsupported(type, Distillation, classLocation, cancellationToken) is { } unsupported)
        {
            diagnostics.Add(unsupported);
            return new ParsedRecipe(null, diagnostics.ToEquatableArray());
        }

        var teacher = ResolveModel(attributeClass.TypeArguments[0], "teacher", type.Name, attributeLocation, diagnostics, cancellationToken);
        var student = ResolveModel(attributeClass.TypeArguments[1], "student", type.Name, attributeLocation, diagnostics, cancellationToken);
        if (teacher is null || student is null
            || ModelNameClash(teacher, "teacher", Distillation, type, attributeLocation, diagnostics)
            || ModelNameClash(student, "student", Distillation, type, attributeLocation, diagnostics))
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
        if (typeArgument is INamedTypeSymbol incomplete && DeclarationChecks.IsIncomplete(incomplete)) return null; // still being typed
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

    /// <summary>What a recipe class is, for the checks and messages its kind changes.</summary>
    internal sealed record RecipeKind(string Name, IReadOnlyList<GeneratedMembers.Member> Members, string? AllowedBase, string ConstructorDuty);

    internal static readonly RecipeKind Distillation = new("distillation recipe", GeneratedMembers.Distillation, "TorchSharp.torch.nn.Module",
        "the teacher, the student and the adapters would never be set");

    internal static readonly RecipeKind Supervised = new("supervised recipe", GeneratedMembers.Supervised, null, "the model would never be set");

    /// <summary>Why the generated part cannot join the recipe class, on the class or on the member the user wrote; null when it can.</summary>
    internal static DiagnosticInfo? Unsupported(INamedTypeSymbol type, RecipeKind kind, LocationInfo? classLocation, CancellationToken cancellationToken)
    {
        if (UnsupportedReason(type, kind, cancellationToken) is { } reason)
            return DiagnosticInfo.Create(Descriptors.UnsupportedRecipeDeclaration, classLocation, type.Name, reason);
        var none = new Dictionary<string, string>();
        return DeclarationChecks.MemberProblem(type, kind.Name, kind.Members, none, kind.ConstructorDuty, _ => true, cancellationToken) is { } problem
            ? DiagnosticInfo.Create(Descriptors.UnsupportedRecipeDeclaration, problem.Location ?? classLocation, type.Name, problem.Reason)
            : null;
    }

    private static string? UnsupportedReason(INamedTypeSymbol type, RecipeKind kind, CancellationToken cancellationToken)
    {
        if (KnownNames.DeclarationKinds(type).Count > 1) return KnownNames.SeveralDeclarations;
        if (type.ContainingType is not null) return "nested types are not supported; declare the recipe at namespace level";
        if (type.IsGenericType) return "generic types are not supported; declare a non-generic class";
        if (type.IsRecord || type.IsStatic || type.TypeKind != TypeKind.Class) return "declare it as a non-static 'partial class'";
        if (DeclarationChecks.ClassProblem(type, kind.Name, kind.Members, cancellationToken) is { } problem) return problem;
        if (type.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } baseType
            && baseType.ToDisplayString() != kind.AllowedBase)
            return kind.AllowedBase is null
                ? $"it derives from '{baseType.ToDisplayString()}'; the generator completes a supervised recipe as a plain class, so remove the base class"
                : $"it derives from '{baseType.ToDisplayString()}'; the generator makes every distillation recipe a TorchSharp module, so remove the base class";
        var isPartial = type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
        return isPartial ? null : "it is not 'partial'; the generator adds the loss and adapters as another part";
    }

    /// <summary>
    /// A model named like a member of the recipe: one the generator adds, or one a distillation recipe inherits from
    /// TorchSharp's Module (<c>train</c>, <c>parameters</c>, <c>Dispose</c>, ...) or any class from object. Inside the recipe
    /// that name means the member, so <c>nameof(Model.Block)</c> and <c>Model.Features</c> there no longer find the
    /// model. A property of the model's own type and name (a teacher called Teacher) is fine: C# resolves such a name to either.
    /// </summary>
    internal static bool ModelNameClash(ResolvedModel model, string role, RecipeKind kind, INamedTypeSymbol recipe, LocationInfo? attributeLocation,
        List<DiagnosticInfo> diagnostics)
    {
        var name = model.Spec.ClassName;
        var property = char.ToUpperInvariant(role[0]) + role.Substring(1);
        if (name == property) return false;
        string origin;
        if (kind.Members.Any(m => m.Declared && !m.IsConstructor && m.Name == name)) origin = "the generator adds to every " + kind.Name;
        else if (InheritedMemberOwner(recipe, kind, name) is { } owner) origin = $"every {kind.Name} inherits from {owner}";
        else return false;
        diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedRecipeDeclaration, attributeLocation, recipe.Name,
            $"its {role} '{name}' has the name of a member {origin}, so inside the recipe '{name}' would mean that member; rename the model"));
        return true;
    }

    /// <summary>
    /// The class a recipe inherits a member named <paramref name="name"/> from: TorchSharp's Module (a distillation recipe
    /// becomes one; read from the referenced TorchSharp, so its version's members count) or object.
    /// </summary>
    private static string? InheritedMemberOwner(INamedTypeSymbol recipe, RecipeKind kind, string name)
    {
        var module = kind.AllowedBase is null ? null : recipe.ContainingModule?.ReferencedAssemblySymbols
            .Select(a => a.GetTypeByMetadataName("TorchSharp.torch+nn+Module"))
            .FirstOrDefault(t => t is not null);
        for (var type = module ?? recipe.BaseType; type is not null; type = type.BaseType)
        {
            if (type.GetMembers(name).Any(m => !m.IsImplicitlyDeclared && m.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected
                                                  or Accessibility.ProtectedOrInternal))
                return type.SpecialType == SpecialType.System_Object ? "object" : "TorchSharp's Module";
        }
        return null;
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
