namespace DslKd.Generators.Specs;

/// <summary>A model whose every shape and parameter count was inferred without error; what the emitter writes.</summary>
internal sealed record ResolvedModel(
    ModelSpec Spec,
    EquatableArray<ResolvedBlock> Blocks,
    EquatableArray<long> OutputShape,
    long ParameterCount);

internal sealed record ResolvedBlock(
    string Name,
    string Modifiers,
    EquatableArray<ResolvedLayer> Layers,
    EquatableArray<long> OutputShape,
    long ParameterCount);

internal sealed record ResolvedLayer(
    LayerSpec Layer,
    EquatableArray<long> InputShape,
    EquatableArray<long> OutputShape,
    long ParameterCount);
