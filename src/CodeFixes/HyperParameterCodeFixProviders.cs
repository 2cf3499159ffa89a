using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace DslKd.CodeFixes;

/// <summary>
/// DKD0006 for <c>[Dropout(p)]</c> with p outside [0, 1): a negative p becomes 0 (the nearest valid value, no dropout),
/// p &gt;= 1 becomes 0.5 (the attribute's default; [0, 1) has no nearest value to 1). DKD0006's other rules (kernel
/// sizes, padding, groups, ...) have no value that is right without knowing the model, so they get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DropoutProbabilityCodeFixProvider)), Shared]
public sealed class DropoutProbabilityCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidLayerArgument);

    /// <inheritdoc />
    protected override double? Replacement(LiteralArgument argument) =>
        argument is { AttributeName: "Dropout", Name: "Probability", Value: var p } && !(p >= 0 && p < 1)
            ? (p < 0 ? 0 : 0.5)
            : null;
}

/// <summary>DKD0018: a <c>Temperature</c> &lt;= 0 becomes 1, the plain softmax.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TemperatureCodeFixProvider)), Shared]
public sealed class TemperatureCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidTemperature);

    /// <inheritdoc />
    protected override double? Replacement(LiteralArgument argument) =>
        argument is { Name: "Temperature", Value: <= 0 } ? 1 : null;
}

/// <summary>DKD0019: a negative <c>Weight</c> (of a loss term or a [CustomLoss]) becomes 0, the nearest valid value.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NegativeWeightCodeFixProvider)), Shared]
public sealed class NegativeWeightCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NegativeWeight);

    /// <inheritdoc />
    protected override double? Replacement(LiteralArgument argument) =>
        argument is { Name: "Weight", Value: < 0 } ? 0 : null;
}

/// <summary>
/// DKD0028: <c>LabelSmoothing</c> outside [0, 1) (of [HardLabels] or [Supervised]) becomes 0 when negative and 0.1 (the
/// usual value) when &gt;= 1; an attention-transfer exponent <c>P</c> &lt;= 0 becomes 2, the attribute's default.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TermArgumentCodeFixProvider)), Shared]
public sealed class TermArgumentCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidTermArgument);

    /// <inheritdoc />
    protected override double? Replacement(LiteralArgument argument) => argument switch
    {
        { Name: "LabelSmoothing", Value: < 0 } => 0,
        { Name: "LabelSmoothing", Value: >= 1 } => 0.1,
        { AttributeName: "AttentionTransfer", Name: "P", Value: <= 0 } => 2,
        _ => null,
    };
}

/// <summary>
/// DKD0029 for <c>[Epochs(n)]</c> and <c>[BatchSize(n)]</c> with n &lt;= 0: epochs become 1 (the nearest valid value), the
/// batch size 128 (TrainingOptions' default; a batch of 1 is valid but rarely meant). The other training options'
/// rules get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TrainingOptionCodeFixProvider)), Shared]
public sealed class TrainingOptionCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <summary>TrainingOptions.BatchSize's default.</summary>
    internal const int DefaultBatchSize = 128;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidTrainingOption);

    /// <inheritdoc />
    protected override double? Replacement(LiteralArgument argument) => argument switch
    {
        { AttributeName: "Epochs", Name: "Epochs", Value: <= 0 } => 1,
        { AttributeName: "BatchSize", Name: "BatchSize", Value: <= 0 } => DefaultBatchSize,
        _ => null,
    };
}
