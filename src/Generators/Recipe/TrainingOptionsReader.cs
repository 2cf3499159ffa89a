using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslKd.Generators.Model;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace DslKd.Generators.Recipe;

/// <summary>Reads a recipe's training-option attributes ([Optimizer], [Epochs], [BatchSize], ...).</summary>
internal static class TrainingOptionsReader
{
    public static EquatableArray<TermSpec> Read(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var options = new List<TermSpec>();
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.BaseType?.ToDisplayString() != KnownNames.TrainingOptionAttribute) continue;
            if (AttributeArgumentsReader.ReadArguments(attribute, cancellationToken) is not { } arguments) continue;
            var syntax = AttributeArguments.Syntax(attribute, cancellationToken);
            var kind = AttributeArgumentsReader.KindName(attribute.AttributeClass);
            // Each option is written once (AllowMultiple = false); a repeated one is the compiler's error (CS0579), and the first counts.
            if (options.Any(o => o.Kind == kind)) continue;
            options.Add(new TermSpec(kind, arguments, syntax?.ToString() ?? kind, LocationInfo.From(syntax)));
        }
        return options.ToEquatableArray();
    }
}
