using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DslKd.Generators.Specs;

/// <summary>A model whose every shape and parameter count was inferred without error; what the emitter writes.</summary>
internal sealed record ResolvedModel(
    ModelSpec Spec,
    EquatableArray<ResolvedBlock> Blocks,
    EquatableArray<long> OutputShape,
    long ParameterCount)
{
    /// <summary>The model's first layer (of its first block, or of that block's first unit).</summary>
    public ResolvedLayer? FirstLayer => Blocks.Count == 0 ? null : Blocks[0].NamedLayers().Select(l => l.Layer).FirstOrDefault();

    /// <summary>The model reads int64 token ids: its first layer is an Embedding.</summary>
    public bool TakesTokens => FirstLayer?.Layer.Kind == Layers.EmbeddingLayer.KindName;

    /// <summary>The number of token ids the model accepts (its embedding's vocabulary); 0 for real-valued input.</summary>
    public long Vocabulary => TakesTokens ? FirstLayer!.Layer.Arguments.Int(Layers.EmbeddingLayer.VocabularyArgument, 0) : 0;
}

/// <summary>
/// A block: its layers, or, when it repeats a unit or adds its input back, its units (<see cref="Units"/> not empty;
/// <see cref="Layers"/> is then empty). <see cref="Layout"/> says what the axes of its output mean (a sequence [T, d] or a
/// map [C, L]), which the feature terms need. <see cref="ActivationTail"/> counts the trailing activations a plain block's
/// pre-activation output skips; <see cref="HasPreActivation"/> says whether that output differs from the block's output.
/// </summary>
internal sealed record ResolvedBlock(
    string Name,
    string Modifiers,
    EquatableArray<ResolvedLayer> Layers,
    EquatableArray<long> OutputShape,
    long ParameterCount,
    EquatableArray<ResolvedUnit> Units = default,
    int ActivationTail = 0,
    bool HasPreActivation = false,
    string Declaration = "",
    TensorLayout Layout = TensorLayout.Plain)
{
    public bool IsUnitBlock => Units.Count > 0;

    /// <summary>Every layer with its state_dict path: <c>Stem.0</c>, or <c>Stage2.0.3</c> and <c>Stage2.0.Shortcut.0</c> in units.</summary>
    public IEnumerable<(string Path, ResolvedLayer Layer)> NamedLayers()
    {
        if (!IsUnitBlock)
        {
            for (var i = 0; i < Layers.Count; i++) yield return (Name + "." + Index(i), Layers[i]);
            yield break;
        }
        for (var u = 0; u < Units.Count; u++)
        {
            var unit = Units[u];
            var prefix = Name + "." + Index(u) + ".";
            var layers = unit.Body.Concat(unit.AfterAdd).ToList();
            for (var i = 0; i < layers.Count; i++) yield return (prefix + Index(i), layers[i]);
            for (var i = 0; i < unit.Shortcut.Count; i++) yield return (prefix + "Shortcut." + Index(i), unit.Shortcut[i]);
        }
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// One unit of a block: <see cref="Body"/>, then (when <see cref="Adds"/>) the unit's input added back through
/// <see cref="Shortcut"/> (empty: the identity), then <see cref="AfterAdd"/>. A unit that does not add is its body alone.
/// </summary>
internal sealed record ResolvedUnit(
    EquatableArray<ResolvedLayer> Body,
    bool Adds,
    EquatableArray<ResolvedLayer> Shortcut,
    EquatableArray<ResolvedLayer> AfterAdd,
    EquatableArray<long> InputShape,
    EquatableArray<long> OutputShape,
    long ParameterCount,
    int ActivationTail);

/// <summary>One layer with its shapes and parameters; the layouts say what the axes of its input and output mean.</summary>
internal sealed record ResolvedLayer(
    LayerSpec Layer,
    EquatableArray<long> InputShape,
    EquatableArray<long> OutputShape,
    long ParameterCount,
    TensorLayout InputLayout = TensorLayout.Plain,
    TensorLayout OutputLayout = TensorLayout.Plain);
