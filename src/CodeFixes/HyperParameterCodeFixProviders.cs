using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace DslKd.CodeFixes;

/// <summary>
/// DKD0006 for <c>[Dropout(p)]</c> with p outside [0, 1): a negative p becomes 0 (the nearest valid value, no dropout),
/// p &gt;= 1 becomes 0.5 (the attribute's default; [0, 1) has no nearest value to 1). The sequence layers' <c>Dropout</c>
/// (LSTM, GRU, TransformerEncoder, PositionalEncoding) gets the value the diagnostic suggests the same way: 0 when
/// negative, the attribute's default when 1 or more. DKD0006's other rules (kernel sizes, padding, groups, heads that do
/// not divide the features, ...) have no value that is right without knowing the model, so they get no fix.
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

/// <summary>DKD0018: a <c>Temperature</c> &lt;= 0 becomes the value the diagnostic suggests (1, the plain softmax).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TemperatureCodeFixProvider)), Shared]
public sealed class TemperatureCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidTemperature);
}

/// <summary>DKD0019: a negative <c>Weight</c> (of a loss term or a [CustomLoss]) becomes the suggested 0, the nearest valid value.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NegativeWeightCodeFixProvider)), Shared]
public sealed class NegativeWeightCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NegativeWeight);
}

/// <summary>
/// DKD0028: an out-of-range term argument becomes the value the diagnostic suggests: <c>LabelSmoothing</c> 0 when
/// negative and 0.1 (the usual value) when &gt;= 1, an attention-transfer exponent <c>P</c> &lt;= 0 the default 2, DKD's
/// <c>Alpha</c>/<c>Beta</c> and RKD's weights their defaults.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TermArgumentCodeFixProvider)), Shared]
public sealed class TermArgumentCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidTermArgument);
}

/// <summary>
/// DKD0029: the value the diagnostic suggests: epochs 1 (the nearest valid value), the batch size 128 (the options'
/// default; a batch of 1 is valid but rarely meant), a negative weight decay or minimum learning rate 0. A learning rate,
/// gradient norm or warm-up has no value that is right without knowing the run: the diagnostic suggests none, and no fix
/// is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TrainingOptionCodeFixProvider)), Shared]
public sealed class TrainingOptionCodeFixProvider : LiteralArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidTrainingOption);
}
