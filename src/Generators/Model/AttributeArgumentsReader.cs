using System;
using System.Collections.Generic;
using System.Threading;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Model;

/// <summary>Reads attribute arguments into name/value pairs: constructor and named arguments alike.</summary>
internal static class AttributeArgumentsReader
{
    /// <summary>A layer attribute as a <see cref="LayerSpec"/>; null while it does not bind (half-typed in an IDE).</summary>
    public static LayerSpec? ReadLayer(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (ReadArguments(attribute, cancellationToken) is not { } arguments) return null;
        var syntax = AttributeArguments.Syntax(attribute, cancellationToken);
        var kind = KindName(attribute.AttributeClass!);
        return new LayerSpec(kind, arguments, syntax?.ToString() ?? kind, LocationInfo.From(syntax));
    }

    /// <summary>
    /// The arguments keyed by the attribute's property names (a constructor parameter <c>outChannels</c> becomes
    /// <c>OutChannels</c>), or null when the attribute does not bind yet: the compiler reports that already.
    /// </summary>
    public static EquatableArray<AttributeArgument>? ReadArguments(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.AttributeClass is not { } attributeClass || attributeClass.TypeKind == TypeKind.Error)
            return null;
        var constructor = attribute.AttributeConstructor;
        if (constructor is null || constructor.Parameters.Length != attribute.ConstructorArguments.Length)
            return null;

        var arguments = new List<AttributeArgument>();
        for (var i = 0; i < attribute.ConstructorArguments.Length; i++)
        {
            if (!TryReadValue(attribute.ConstructorArguments[i], out var value)) return null;
            var name = PropertyName(constructor.Parameters[i].Name);
            arguments.Add(new AttributeArgument(name, value, AttributeArguments.Location(attribute, i, cancellationToken)));
        }

        foreach (var named in attribute.NamedArguments)
        {
            if (!TryReadValue(named.Value, out var value)) return null;
            arguments.Add(new AttributeArgument(named.Key, value, AttributeArguments.Location(attribute, named.Key, cancellationToken)));
        }
        return arguments.ToEquatableArray();
    }

    /// <summary>"Conv2dAttribute" -> "Conv2d"; generic attributes lose their arity: "DistillationAttribute`2" -> "Distillation".</summary>
    public static string KindName(INamedTypeSymbol attributeClass) =>
        attributeClass.Name.EndsWith("Attribute", StringComparison.Ordinal)
            ? attributeClass.Name.Substring(0, attributeClass.Name.Length - "Attribute".Length)
            : attributeClass.Name;

    private static string PropertyName(string parameterName) =>
        parameterName.Length == 0 ? parameterName : char.ToUpperInvariant(parameterName[0]) + parameterName.Substring(1);

    private static bool TryReadValue(TypedConstant constant, out object value)
    {
        switch (constant.Kind is TypedConstantKind.Primitive or TypedConstantKind.Enum ? constant.Value : null)
        {
            case int i: value = (long)i; return true;
            case long l: value = l; return true;
            case double d: value = d; return true;
            case float f: value = (double)f; return true;
            case bool b: value = b; return true;
            case string s: value = s; return true;
            case null when constant.Type?.SpecialType == SpecialType.System_String && constant.Kind == TypedConstantKind.Primitive:
                value = ""; // a null name reaches the feature check (DKD0016) instead of silently dropping the term
                return true;
            default: value = 0L; return false;
        }
    }
}
