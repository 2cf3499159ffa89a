using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using DslKd.Generators.Diagnostics;
using DslKd.Generators.Emit;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators.Model;

/// <summary>The result of reading a model declaration: a spec to emit from (null when nothing can be emitted) and diagnostics.</summary>
internal sealed record ParsedModel(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Reads a model class (a symbol carrying [Teacher], [Student] or [Model]) into a <see cref="ModelSpec"/>. Structural
/// mistakes become diagnostics; shapes are not looked at here (see <see cref="ModelValidator"/>).
/// </summary>
internal static class ModelParser
{
    /// <summary>
    /// Parses <paramref name="type"/> for the role attribute <paramref name="roleAttributeName"/>. Returns null when another
    /// role attribute on the same class is responsible for it, so a class with two roles is reported and emitted once.
    /// </summary>
    public static ParsedModel? Parse(INamedTypeSymbol type, string roleAttributeName, CancellationToken cancellationToken, AttributeData? matchedAttribute = null)
    {
        var roleAttributes = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && KnownNames.RoleAttributes.Contains(c.ToDisplayString()))
            .ToList();
        if (roleAttributes.Count == 0 || roleAttributes[0].AttributeClass!.ToDisplayString() != roleAttributeName)
            return null;
        if (DeclarationChecks.IsIncomplete(type)) return null;
        // A role attribute repeated on two partial declarations is matched twice; only the first match reports and emits.
        if (matchedAttribute is not null && !AttributeArguments.SameApplication(matchedAttribute, roleAttributes[0]))
            return null;

        var diagnostics = new List<DiagnosticInfo>();
        var classLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        var roleAttribute = roleAttributes[0];
        var roleLocation = LocationInfo.From(roleAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

        if (roleAttributes.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConflictingModelRoles,
                LocationInfo.From(roleAttributes[1].ApplicationSyntaxReference?.GetSyntax(cancellationToken)), type.Name));
            return new ParsedModel(null, diagnostics.ToEquatableArray());
        }

        if (UnsupportedReason(type, cancellationToken) is { } reason)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedModelDeclaration, classLocation, type.Name, reason));
            return new ParsedModel(null, diagnostics.ToEquatableArray());
        }

        if (!IsPartial(type, cancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelMustBePartial, classLocation, type.Name));
            return new ParsedModel(null, diagnostics.ToEquatableArray());
        }

        var (inputShape, classes) = ReadRoleArguments(type.Name, roleAttribute, roleLocation, diagnostics, cancellationToken);
        var blocks = ReadBlocks(type, diagnostics, out var blockProperties, out var unboundLayers, cancellationToken);

        // Members the user wrote beside the blocks must leave the generated ones their names.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var block in blockProperties) fields[GeneratedMembers.BlockField(block)] = $"the field the generator declares for block '{block}'";
        if (blockProperties.FirstOrDefault(b => GeneratedMembers.BlockField(b) == type.Name) is { } fieldOwner)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedModelDeclaration, classLocation, type.Name,
                $"the generator declares a field '{type.Name}' for block '{fieldOwner}', and a member cannot have its class's name; rename the class"));
        else if (DeclarationChecks.MemberProblem(type, "model", GeneratedMembers.Model, fields, "the blocks would never be created",
                     member => !(member is IPropertySymbol && blockProperties.Contains(member.Name)), cancellationToken) is { } problem)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedModelDeclaration, problem.Location ?? classLocation, type.Name, problem.Reason));

        if (blocks.Count == 0 && diagnostics.Count == 0)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelHasNoBlocks, classLocation, type.Name));

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        var spec = new ModelSpec(ns, type.Name, KnownNames.RoleName(roleAttributeName), IsPublic(type), inputShape, classes,
            blocks.ToEquatableArray(), classLocation, roleLocation, unboundLayers);
        return new ParsedModel(spec, diagnostics.ToEquatableArray());
    }

    /// <summary>Parses a model under whichever role attribute it carries first; null when it carries none.</summary>
    public static ParsedModel? ParseAnyRole(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var role = type.GetAttributes()
            .Select(a => a.AttributeClass?.ToDisplayString())
            .FirstOrDefault(name => name is not null && KnownNames.RoleAttributes.Contains(name));
        return role is null ? null : Parse(type, role, cancellationToken);
    }

    /// <summary>Whether the type is visible outside its assembly, which decides what generated members may expose it.</summary>
    internal static bool IsPublic(INamedTypeSymbol type) => type.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public;

    private static string? UnsupportedReason(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (KnownNames.DeclarationKinds(type).Count > 1) return KnownNames.SeveralDeclarations;
        if (type.ContainingType is not null) return "nested types are not supported; declare the model at namespace level";
        if (type.IsGenericType) return "generic types are not supported; declare a non-generic class";
        if (type.IsRecord) return "records are not supported; declare a 'partial class'";
        if (type.IsStatic) return "static classes cannot be modules; remove 'static'";
        if (type.TypeKind != TypeKind.Class) return "only classes can be models";
        if (DeclarationChecks.ClassProblem(type, "model", GeneratedMembers.Model, cancellationToken) is { } problem) return problem;
        if (type.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } baseType
            && baseType.ToDisplayString() != GeneratedModuleBase)
            return $"it derives from '{baseType.ToDisplayString()}'; the generator makes every model a TorchSharp module, so remove the base class";
        return null;
    }

    // Once the generated part exists, the class's base is the TorchSharp module the generator itself declared.
    private const string GeneratedModuleBase = "TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>";

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static (EquatableArray<long> InputShape, int Classes) ReadRoleArguments(
        string modelName, AttributeData attribute, LocationInfo? attributeLocation, List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        var inputShape = EquatableArray<long>.Empty;
        var classes = 0;
        var sawInputShape = false;
        foreach (var named in attribute.NamedArguments)
        {
            var location = AttributeArguments.Location(attribute, named.Key, cancellationToken) ?? attributeLocation;
            switch (named.Key)
            {
                case "InputShape":
                    sawInputShape = true;
                    if (named.Value.Kind != TypedConstantKind.Array) break;
                    if (named.Value.IsNull)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidModelAttribute, location, modelName,
                            "InputShape must list one or more positive sizes, e.g. InputShape = [1, 28, 28], not null"));
                        break;
                    }
                    var dims = named.Value.Values.Select(v => v.Value is int i ? (long)i : -1L).ToArray();
                    if (dims.Length == 0 || dims.Any(d => d <= 0))
                        diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidModelAttribute, location, modelName,
                            "InputShape must list one or more positive sizes, e.g. InputShape = [1, 28, 28]"));
                    else inputShape = dims.ToEquatableArray();
                    break;
                case "Classes":
                    if (named.Value.Value is int c)
                    {
                        if (c <= 0)
                            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidModelAttribute, location, modelName,
                                $"Classes must be positive but is {c}"));
                        else classes = c;
                    }
                    break;
            }
        }

        if (!sawInputShape && !attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidModelAttribute, attributeLocation, modelName,
                "InputShape is required, e.g. InputShape = [1, 28, 28] for 28x28 grey images or [784] for vectors"));
        return (inputShape, classes);
    }

    /// <summary>
    /// Reads the declared blocks. <paramref name="blockProperties"/> are the names of every property read as a block, valid
    /// or not; <paramref name="unboundLayers"/> is set when a layer attribute does not bind yet (half typed: the compiler
    /// reports it), so the model is not emitted from the layers that do.
    /// </summary>
    private static List<BlockSpec> ReadBlocks(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, out HashSet<string> blockProperties,
        out bool unboundLayers, CancellationToken cancellationToken)
    {
        var blocks = new List<BlockSpec>();
        var derivedNames = new Dictionary<string, string>(StringComparer.Ordinal);
        blockProperties = new HashSet<string>(StringComparer.Ordinal);
        unboundLayers = false;
        var candidates = new List<(IPropertySymbol Property, List<AttributeData> Layers, bool IsBlockTyped, List<PropertyDeclarationSyntax> Declarations)>();
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (property.IsIndexer) continue;
            var layerAttributes = property.GetAttributes().Where(IsLayerAttribute).ToList();
            var isBlockTyped = property.Type.ToDisplayString() == KnownNames.Block;
            if (!isBlockTyped && layerAttributes.Count == 0) continue;

            // Both parts of a partial property, but only the user's: the warnings analyzer sees the generated implementation too.
            var declarations = new[] { property, property.PartialDefinitionPart, property.PartialImplementationPart }
                .Where(part => part is not null)
                .SelectMany(part => part!.DeclaringSyntaxReferences)
                .Where(r => !DeclarationChecks.IsGenerated(r.SyntaxTree))
                .Distinct()
                .Select(r => r.GetSyntax(cancellationToken))
                .OfType<PropertyDeclarationSyntax>()
                .ToList();
            var definition = declarations.FirstOrDefault(IsBodiless) ?? declarations.FirstOrDefault();
            if (layerAttributes.Count == 0 && definition is not null
                && (!definition.Modifiers.Any(SyntaxKind.PartialKeyword) || declarations.Any(d => !IsBodiless(d))))
                continue; // a hand-written Block property, not a declared block
            candidates.Add((property, layerAttributes, isBlockTyped, declarations));
            blockProperties.Add(property.Name);
        }
        // The fields the generated code declares for the blocks, which no block may be named as.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in blockProperties) fields[GeneratedMembers.BlockField(name)] = name;

        foreach (var (property, layerAttributes, isBlockTyped, declarations) in candidates)
        {
            var syntax = declarations.FirstOrDefault(IsBodiless) ?? declarations.FirstOrDefault();
            // A body the user wrote: the generated part would be a second implementation.
            var implementation = declarations.FirstOrDefault(d => !IsBodiless(d));
            var location = LocationInfo.From((implementation ?? syntax)?.Identifier.GetLocation() ?? property.Locations.FirstOrDefault());
            if (BlockMemberProblem(property, syntax, isBlockTyped, declarations, implementation) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidBlockMember, location, property.Name, problem));
                continue;
            }

            if (GeneratedMembers.ReservedBlockNames.Contains(property.Name) || fields.ContainsKey(property.Name))
            {
                var reason = fields.TryGetValue(property.Name, out var owner)
                    ? $"has the name of the field the generator declares for block '{owner}'"
                    : "has a name the generated code uses for itself";
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedBlockName, location, property.Name, reason));
                blocks.Add(new BlockSpec(property.Name, Modifiers(syntax!), EquatableArray<LayerSpec>.Empty, location)); // still implemented by the placeholder
                continue;
            }

            // Generated fields and locals are the camel-cased block name: two blocks must not map to the same one.
            var derived = Emit.ModelEmitter.LocalName(property.Name).TrimStart('@');
            if (derivedNames.TryGetValue(derived, out var other))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedBlockName, location, property.Name,
                    $"clashes with block '{other}': both become '{derived}' in the generated code"));
                blocks.Add(new BlockSpec(property.Name, Modifiers(syntax!), EquatableArray<LayerSpec>.Empty, location));
                continue;
            }
            derivedNames[derived] = property.Name;

            var layers = new List<LayerSpec>();
            foreach (var attribute in layerAttributes)
            {
                if (AttributeArgumentsReader.ReadLayer(attribute, cancellationToken) is { } layer)
                    layers.Add(layer);
                else
                    unboundLayers = true;
            }

            if (layerAttributes.Count == 0)
            {
                // Attributes that do not resolve ([Lstm(64)] misspelt, a missing using) are the compiler's CS0246 already;
                // "no layer attributes" beside it would be wrong. The model waits for them, as for a half-typed layer.
                if (property.GetAttributes().Any(a => a.AttributeClass is null or { TypeKind: TypeKind.Error }))
                    unboundLayers = true;
                else
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.BlockHasNoLayers, location, property.Name));
            }

            var (repeat, repeatLocation) = ReadRepeat(property, cancellationToken);
            blocks.Add(new BlockSpec(property.Name, Modifiers(syntax!), layers.ToEquatableArray(), location, repeat, repeatLocation));
        }
        return blocks;
    }

    /// <summary>The [Repeat(n)] count of a block (0 without one) and where it is written.</summary>
    private static (int Count, LocationInfo? Location) ReadRepeat(IPropertySymbol property, CancellationToken cancellationToken)
    {
        var attribute = property.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && KnownNames.MetadataNameOf(c) == KnownNames.RepeatAttribute);
        if (attribute is null || AttributeArgumentsReader.ReadArguments(attribute, cancellationToken) is not { } arguments) return (0, null);
        var count = arguments.Int(nameof(RepeatAttribute.Count), 0);
        // A count below 1 is reported by the validator, at the attribute (its location says the attribute is there).
        var clamped = (int)System.Math.Max(int.MinValue, System.Math.Min(int.MaxValue, count));
        return (clamped, LocationInfo.From(AttributeArguments.Syntax(attribute, cancellationToken)) ?? LocationInfo.From(property.Locations.FirstOrDefault()));
    }

    private static string? BlockMemberProblem(IPropertySymbol property, PropertyDeclarationSyntax? syntax, bool isBlockTyped,
        List<PropertyDeclarationSyntax> declarations, PropertyDeclarationSyntax? implementation)
    {
        if (!isBlockTyped) return $"its type is '{property.Type.ToDisplayString()}', not Block";
        if (property.IsStatic) return "it is static";
        if (syntax is null || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword)) return "it is not partial";
        if (property.SetMethod is not null) return "it has a setter";
        if (property.GetMethod is null) return "it has no getter";
        if (implementation is not null)
            return declarations.Count > 1
                ? "the generator implements it from its layer attributes, so remove this implementation"
                : "it has a body, but the generator implements it from its layer attributes; remove the body";
        if (syntax.Modifiers.FirstOrDefault(m => !BlockModifiers.Contains(m.Kind())) is { RawKind: not 0 } modifier)
            return $"it is '{modifier.ValueText}', which the generated implementation would have to repeat; a block takes only an accessibility and 'new'";
        var accessibility = string.Join(" ", syntax.Modifiers.Where(m => AccessibilityModifiers.Contains(m.Kind())).Select(m => m.ValueText).Distinct());
        if (!ValidAccessibilities.Contains(accessibility))
            return $"'{accessibility}' is not one accessibility; keep one of public, internal, protected, private, protected internal or private protected";
        return null;
    }

    private static readonly SyntaxKind[] AccessibilityModifiers =
        [SyntaxKind.PublicKeyword, SyntaxKind.InternalKeyword, SyntaxKind.ProtectedKeyword, SyntaxKind.PrivateKeyword];

    // Concat, not a spread: a collection spread compiles to ReadOnlySpan code that would need System.Memory in the compiler host.
    private static readonly SyntaxKind[] BlockModifiers = AccessibilityModifiers.Concat(new[] { SyntaxKind.NewKeyword, SyntaxKind.PartialKeyword }).ToArray();

    private static readonly string[] ValidAccessibilities =
        ["", "public", "internal", "protected", "private", "protected internal", "internal protected", "private protected", "protected private"];

    private static bool IsBodiless(PropertyDeclarationSyntax property) =>
        property.ExpressionBody is null
        && property.AccessorList is { } accessors
        && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);

    private static bool IsLayerAttribute(AttributeData attribute)
    {
        for (var type = attribute.AttributeClass?.BaseType; type is not null; type = type.BaseType)
        {
            if (type.ToDisplayString() == KnownNames.LayerAttribute) return true;
        }
        return false;
    }

    // The implementation repeats the accessibility as written: C# requires both parts to agree, implicit or not.
    // A modifier written twice (a compiler error of its own) is repeated once.
    private static string Modifiers(PropertyDeclarationSyntax syntax) => string.Join(" ", syntax.Modifiers
        .Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
                    || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.NewKeyword))
        .Select(m => m.ValueText)
        .Distinct());
}
