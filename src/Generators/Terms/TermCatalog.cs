using System.Collections.Generic;
using System.Linq;

namespace DslKd.Generators.Terms;

/// <summary>Every loss-term kind the generator understands, by attribute name.</summary>
internal static class TermCatalog
{
    /// <summary>The user's [CustomLoss] methods: not an attribute kind, but emitted like one.</summary>
    public static readonly CustomLossTerm Custom = new();

    private static readonly Dictionary<string, TermKind> ByName = new TermKind[]
    {
        new SoftTargetsTerm(),
        new SoftTargetCrossEntropyTerm(),
        new DecoupledKDTerm(),
        new LogitMatchingTerm(),
        new HardLabelsTerm(),
        new FeatureHintTerm(),
        new CosineFeatureTerm(),
        new AttentionTransferTerm(),
        new RelationalKDTerm(),
        new ProbabilisticTransferTerm(),
        new ParameterAnchoringTerm(),
        Custom,
    }.ToDictionary(kind => kind.Name);

    public static TermKind? Find(string name) => ByName.TryGetValue(name, out var kind) ? kind : null;
}
