using System;
using System.Collections.Generic;
using System.Threading;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Model;

/// <summary>Turns a layer attribute into a <see cref="LayerSpec"/>: constructor and named arguments become name/value pairs.</summary>
internal static class LayerArgumentsReader
{
    /// <summary>Returns null for an attribute that does not bind yet (half-typed in an IDE): the compiler reports it already.</summary>
    public static LayerSpec? Read(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.AttributeClass is not { } attributeClass || attributeClass.TypeKind == TypeKind.Error)
            return null;
        var constructor = attribute.AttributeConstructor;
        if (constructor is null || constructor.Parameters.Length != attribute.ConstructorArguments.Length)
            return null;

        var arguments = new List<LayerArgument>();
        for (var i = 0; i < attribute.ConstructorArguments.Length; i++)
        {
            if (!TryReadValue(attribute.ConstructorArguments[i], out var value)) return null;
            var name = PropertyName(constructor.Parameters[i].Name);
            arguments.Add(new LayerArgument(name, value, AttributeArguments.Location(attribute, i, cancellationToken)));
        }

        foreach (var named in attribute.NamedArguments)
        {
            if (!TryReadValue(named.Value, out var value)) return null;
            arguments.Add(new LayerArgument(named.Key, value, AttributeArguments.Location(attribute, named.Key, cancellationToken)));
        }

        var syntax = AttributeArguments.Syntax(attribute, cancellationToken);
        var kind = attributeClass.Name.EndsWith("Attribute", StringComparison.Ordinal)
            ? attributeClass.Name.Substring(0, attributeClass.Name.Length - "Attribute".Length)
            : attributeClass.Name;
        return new LayerSpec(kind, arguments.ToEquatableArray(), syntax?.ToString() ?? kind, LocationInfo.From(syntax));
    }

    // Positional arguments are keyed like the property they initialise: outChannels -> OutChannels.
    private static string PropertyName(string parameterName) =>
        parameterName.Length == 0 ? parameterName : char.ToUpperInvariant(parameterName[0]) + parameterName.Substring(1);

    private static bool TryReadValue(TypedConstant constant, out object value)
    {
        switch (constant.Kind == TypedConstantKind.Primitive ? constant.Value : null)
        {
            case int i: value = (long)i; return true;
            case long l: value = l; return true;
            case double d: value = d; return true;
            case float f: value = (double)f; return true;
            case bool b: value = b; return true;
            default: value = 0L; return false;
        }
    }
}
