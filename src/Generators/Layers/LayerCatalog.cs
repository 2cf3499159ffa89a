using System.Collections.Generic;
using System.Linq;

namespace DslKd.Generators.Layers;

/// <summary>Every layer kind the generator understands, by attribute name.</summary>
internal static class LayerCatalog
{
    private static readonly Dictionary<string, LayerKind> ByName = new LayerKind[]
    {
        new LinearLayer(),
        new ConvolutionLayer(spatialRank: 1),
        new ConvolutionLayer(spatialRank: 2),
        new BatchNormLayer(spatialRank: 1),
        new BatchNormLayer(spatialRank: 2),
        new LayerNormLayer(),
        new DropoutLayer(),
        new FlattenLayer(),
        new WindowPoolLayer("MaxPool2d"),
        new WindowPoolLayer("AvgPool2d"),
        new WindowPoolLayer("MaxPool1d", spatialRank: 1),
        new WindowPoolLayer("AvgPool1d", spatialRank: 1),
        new AdaptiveAvgPoolLayer(),
        new ActivationLayer("ReLU"),
        new LeakyReLULayer(),
        new ActivationLayer("GELU"),
        new ActivationLayer("SiLU"),
        new ActivationLayer("Tanh"),
        new ActivationLayer("Sigmoid"),
        new ActivationLayer("ReLU6"),
        new ActivationLayer("Hardswish"),
        new IdentityLayer(),
        new TorchScriptLayer(),
        // Sequences (docs/sequence-models.md).
        new EmbeddingLayer(),
        new RecurrentLayerKind(lstm: true),
        new RecurrentLayerKind(lstm: false),
        new TransformerEncoderLayer(),
        new PositionalEncodingLayerKind(),
        new PoolOverTimeLayer(),
    }.ToDictionary(kind => kind.Name);

    public static LayerKind? Find(string name) => ByName.TryGetValue(name, out var kind) ? kind : null;

}
