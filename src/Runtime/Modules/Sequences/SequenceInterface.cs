// INTERFACE SKELETON (temporary): the public constructors the generator emits for sequence layers. Each class moves to a
// file of its own with a real implementation; nothing here may remain when issue 19 is closed.
using System;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>The recurrent cell of a <see cref="RecurrentLayer"/>.</summary>
public enum RecurrentCell
{
    /// <summary>Long short-term memory (PyTorch's nn.LSTM).</summary>
    Lstm,
    /// <summary>Gated recurrent unit (PyTorch's nn.GRU).</summary>
    Gru,
}

/// <summary>[Embedding]: int64 tokens [batch, T] -> [batch, T, dimensions]; marks padded positions for the layers after it.</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    public TokenEmbedding(long vocabulary, long dimensions, long paddingIndex = -1, Device? device = null, ScalarType? dtype = null)
        : base(nameof(TokenEmbedding)) => throw new NotImplementedException();

    public override Tensor forward(Tensor input) => throw new NotImplementedException();
}

/// <summary>[LSTM] and [GRU]: batch-first recurrent layers whose output is one tensor.</summary>
public sealed class RecurrentLayer : nn.Module<Tensor, Tensor>
{
    public RecurrentLayer(RecurrentCell cell, long inputSize, long hiddenSize, RecurrentOutput output, long layers = 1, bool bidirectional = false, double dropout = 0, Device? device = null, ScalarType? dtype = null)
        : base(nameof(RecurrentLayer)) => throw new NotImplementedException();

    public override Tensor forward(Tensor input) => throw new NotImplementedException();
}

/// <summary>[TransformerEncoder]: [batch, T, d] -> [batch, T, d].</summary>
public sealed class TransformerEncoderLayers : nn.Module<Tensor, Tensor>
{
    public TransformerEncoderLayers(long dimensions, long heads, long feedForward, double dropout = 0.1, bool normFirst = false, FeedForwardActivation activation = FeedForwardActivation.ReLU, long layers = 1, Device? device = null, ScalarType? dtype = null)
        : base(nameof(TransformerEncoderLayers)) => throw new NotImplementedException();

    public override Tensor forward(Tensor input) => throw new NotImplementedException();
}

/// <summary>[PositionalEncoding]: [batch, T, d] -> [batch, T, d].</summary>
public sealed class PositionalEncodingLayer : nn.Module<Tensor, Tensor>
{
    public PositionalEncodingLayer(long length, long dimensions, PositionalEncodingKind kind = PositionalEncodingKind.Sinusoidal, double dropout = 0, Device? device = null, ScalarType? dtype = null)
        : base(nameof(PositionalEncodingLayer)) => throw new NotImplementedException();

    public override Tensor forward(Tensor input) => throw new NotImplementedException();
}

/// <summary>[PoolOverTime]: [batch, T, d] -> [batch, d] (kernel 0) or [batch, T', d].</summary>
public sealed class TimePoolingLayer : nn.Module<Tensor, Tensor>
{
    public TimePoolingLayer(TimePooling pooling, long kernel = 0, long stride = 0) : base(nameof(TimePoolingLayer)) => throw new NotImplementedException();

    public override Tensor forward(Tensor input) => throw new NotImplementedException();
}

/// <summary>The padding mask of the current forward pass, set by <see cref="TokenEmbedding"/> and read by the layers after it.</summary>
public static class SequenceMask
{
    /// <summary>Starts a forward pass: the mask is cleared now and when the returned scope is disposed.</summary>
    public static IDisposable Enter() => throw new NotImplementedException();

    /// <summary>[batch, T] booleans, true at padded positions; null when the input has no padding index.</summary>
    public static Tensor? Current => throw new NotImplementedException();
}
