using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// One Transformer encoder layer with PyTorch's <c>nn.TransformerEncoderLayer</c> submodules and names (batch first):
/// <c>self_attn</c>, <c>linear1</c>, <c>dropout</c>, <c>linear2</c>, <c>norm1</c>, <c>norm2</c>, <c>dropout1</c>,
/// <c>dropout2</c>. Post-norm: <c>x = norm1(x + sa(x)); x = norm2(x + ff(x))</c>; pre-norm (norm first):
/// <c>x = x + sa(norm1(x)); x = x + ff(norm2(x))</c>, with <c>ff(x) = linear2(dropout(activation(linear1(x))))</c>.
/// </summary>
internal sealed class EncoderLayer : nn.Module
{
#pragma warning disable IDE1006 // PyTorch's names: they are the state_dict keys
    private readonly SelfAttention self_attn;
    private readonly Linear linear1;
    private readonly Dropout dropout;
    private readonly Linear linear2;
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;
    private readonly Dropout dropout1;
    private readonly Dropout dropout2;
#pragma warning restore IDE1006

    private readonly bool _normFirst;
    private readonly FeedForwardActivation _activation;

    public EncoderLayer(long dimensions, long heads, long feedForward, double dropoutProbability, bool normFirst, FeedForwardActivation activation,
        Device? device, ScalarType? dtype)
        : base(nameof(EncoderLayer))
    {
        self_attn = new SelfAttention(dimensions, heads, dropoutProbability, device, dtype);
        linear1 = nn.Linear(dimensions, feedForward, hasBias: true, device: device, dtype: dtype);
        dropout = nn.Dropout(dropoutProbability);
        linear2 = nn.Linear(feedForward, dimensions, hasBias: true, device: device, dtype: dtype);
        norm1 = nn.LayerNorm(dimensions, eps: 1e-5, device: device, dtype: dtype);
        norm2 = nn.LayerNorm(dimensions, eps: 1e-5, device: device, dtype: dtype);
        dropout1 = nn.Dropout(dropoutProbability);
        dropout2 = nn.Dropout(dropoutProbability);
        (_normFirst, _activation) = (normFirst, activation);
        RegisterComponents();
    }

    /// <summary>The layer's output for <paramref name="input"/> <c>[batch, T, d]</c>, ignoring keys where <paramref name="keyPadding"/> is set.</summary>
    public Tensor Forward(Tensor input, Tensor? keyPadding)
    {
        var x = input;
        if (_normFirst)
        {
            x = x + dropout1.call(self_attn.Forward(norm1.call(x), keyPadding));
            return x + dropout2.call(FeedForward(norm2.call(x)));
        }
        x = norm1.call(x + dropout1.call(self_attn.Forward(x, keyPadding)));
        return norm2.call(x + dropout2.call(FeedForward(x)));
    }

    private Tensor FeedForward(Tensor x)
    {
        var hidden = linear1.call(x);
        var activated = _activation == FeedForwardActivation.GELU ? nn.functional.gelu(hidden) : nn.functional.relu(hidden);
        return linear2.call(dropout.call(activated));
    }
}
