using DslKd.Generators.Diagnostics;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>The user's [CustomLoss] methods: read every block of both models and the labels; only their weight is a setting.</summary>
internal sealed class CustomLossTerm : TermKind
{
    public const string KindName = "Custom";

    public override string Name => KindName;
    public override TermInput Consumes => TermInput.Everything;

    /// <summary>Custom losses are resolved from their method (<see cref="ResolveMethod"/>); no attribute has this kind.</summary>
    public override TermResult Resolve(TermContext context) =>
        context.Fail(Descriptors.InvalidTermArgument, context.Term.Location, context.Term.Kind, "this loss term is not known to this version of the DslKd generator; reference one version of the DslKd package");

    public static TermResult ResolveMethod(RecipeSpec spec, CustomLossSpec custom, string name)
    {
        var weight = custom.Arguments.Real(nameof(CustomLossAttribute.Weight), new CustomLossAttribute().Weight);
        if (custom.SignatureProblem is { } signature)
            return TermResult.Fail(DiagnosticInfo.Create(Descriptors.InvalidCustomLoss, custom.Location, custom.MethodName,
                spec.Teacher.Spec.ClassName, spec.Student.Spec.ClassName, signature));
        var range = Weight.Kind.Range();
        if (!range.Contains(weight))
            return TermResult.Fail(DiagnosticInfo.OutOfRange(Descriptors.NegativeWeight, custom.Arguments.LocationOf(Weight.Argument) ?? custom.Location,
                Weight.Argument, range, weight, Weight.Fallback, custom.MethodName, Emit.Literal.Of(weight)));
        var settings = EquatableArray.Of(new TermSetting(Weight.Argument, Weight.Kind, weight, Weight.Meaning));
        return TermResult.Of(new ResolvedTerm(KindName, name, "CustomLoss", settings, EquatableArray<string>.Empty,
            MethodName: custom.MethodName, MethodOwner: custom.IsStatic ? Emit.Identifiers.Id(spec.ClassName) : "this"));
    }

    /// <summary>Qualified by its owner, so a local named like the method cannot hide it.</summary>
    public override string Call(ResolvedTerm term) => $"{term.MethodOwner}.{Emit.Identifiers.Id(term.MethodName!)}(teacher, student, labels)";
}
