using System;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Multi-head self-attention with PyTorch's <c>nn.MultiheadAttention</c> parameters and names (batch first, query = key =
/// value): <c>in_proj_weight</c> <c>[3d, d]</c> and <c>in_proj_bias</c> <c>[3d]</c> (queries, keys, values stacked),
/// <c>out_proj.weight</c>, <c>out_proj.bias</c>; initialised as PyTorch's (Xavier-uniform projection, zero biases).
/// </summary>
internal sealed class SelfAttention : nn.Module
{
#pragma warning disable IDE1006 // PyTorch's names: they are the state_dict keys
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
#pragma warning restore IDE1006

    public SelfAttention(long dimensions, long heads, double dropout, Device? device, ScalarType? dtype) : base(nameof(SelfAttention))
    {
        (Dimensions, Heads, Dropout) = (dimensions, heads, dropout);
        var type = dtype ?? ScalarType.Float32;
        in_proj_weight = new Parameter(empty([3 * dimensions, dimensions], dtype: type, device: device));
        in_proj_bias = new Parameter(zeros([3 * dimensions], dtype: type, device: device));
        out_proj = nn.Linear(dimensions, dimensions, hasBias: true, device: device, dtype: dtype);
        using (no_grad())
        {
            nn.init.xavier_uniform_(in_proj_weight);
            out_proj.bias!.zero_();
        }
        RegisterComponents();
    }

    public long Dimensions { get; }

    public long Heads { get; }

    public double Dropout { get; }

    /// <summary>Attends over <paramref name="input"/> <c>[batch, T, d]</c>; keys where <paramref name="keyPadding"/> (<c>[batch, T]</c>, true = padded) is set are ignored.</summary>
    /// <remarks>A row whose keys are all padding attends to all of them (PyTorch would give NaN): it has nothing real to attend to.</remarks>
    public Tensor Forward(Tensor input, Tensor? keyPadding)
    {
        var (batch, steps) = (input.shape[0], input.shape[1]);
        var headSize = Dimensions / Heads;
        var projected = nn.functional.linear(input, in_proj_weight, in_proj_bias).view(batch, steps, 3, Heads, headSize).permute(2, 0, 3, 1, 4);
        var (query, key, value) = (projected[0], projected[1], projected[2]); // [batch, heads, T, head size]
        Tensor? allowed = null;
        if (keyPadding is not null)
        {
            var emptyRows = keyPadding.all(1, keepdim: true);
            allowed = keyPadding.logical_not().logical_or(emptyRows).view(batch, 1, 1, steps);
        }
        var attended = nn.functional.scaled_dot_product_attention(query, key, value, attn_mask: allowed, p: training ? Dropout : 0);
        return out_proj.call(attended.transpose(1, 2).reshape(batch, steps, Dimensions));
    }
}
