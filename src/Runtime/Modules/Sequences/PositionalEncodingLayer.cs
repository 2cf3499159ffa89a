using System;
using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// [PositionalEncoding]: adds position information to <c>[batch, T, d]</c>, then dropout. Sinusoidal (Vaswani et al. 2017):
/// <c>PE[pos, 2i] = sin(pos / 10000^(2i/d))</c>, <c>PE[pos, 2i+1] = cos(pos / 10000^(2i/d))</c>, a fixed table that is not
/// in the state_dict (a non-persistent buffer); learned: a parameter <c>weight</c> <c>[length, d]</c>, initialised from
/// N(0, 0.02²) as BERT's position embeddings. Inputs shorter than <c>length</c> use its first rows.
/// </summary>
public sealed class PositionalEncodingLayer : nn.Module<Tensor, Tensor>, ILayerSettings
{
    private readonly Parameter? weight;
    private readonly Dropout dropout;

    /// <summary>Creates the encoding.</summary>
    /// <param name="length">The longest sequence, T.</param>
    /// <param name="dimensions">Features per step, d.</param>
    /// <param name="kind">Sinusoidal (no parameters) or learned (<paramref name="length"/> x <paramref name="dimensions"/>).</param>
    /// <param name="dropout">Dropout after adding the encoding, in [0, 1).</param>
    /// <param name="device">Where the table lives (default: CPU).</param>
    /// <param name="dtype">Its element type (default: float32).</param>
    public PositionalEncodingLayer(long length, long dimensions, PositionalEncodingKind kind = PositionalEncodingKind.Sinusoidal, double dropout = 0,
        Device? device = null, ScalarType? dtype = null)
        : base(nameof(PositionalEncodingLayer))
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), length, "The length must be positive.");
        if (dimensions <= 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The dimensions must be positive.");
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a positional encoding.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        (Length, Dimensions, Kind, Dropout) = (length, dimensions, kind, dropout);
        var type = dtype ?? ScalarType.Float32;
        if (kind == PositionalEncodingKind.Learned)
        {
            var table = empty([length, dimensions], dtype: type, device: device);
            using (no_grad()) nn.init.normal_(table, 0, 0.02);
            weight = new Parameter(table);
        }
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
        if (kind == PositionalEncodingKind.Sinusoidal)
            register_buffer("encoding", Sinusoids(length, dimensions).to(type, device ?? CPU), persistent: false);
    }

    /// <summary>The longest sequence.</summary>
    public long Length { get; }

    /// <summary>Features per step.</summary>
    public long Dimensions { get; }

    /// <summary>Sinusoidal or learned.</summary>
    public PositionalEncodingKind Kind { get; }

    /// <summary>Dropout probability after adding the encoding.</summary>
    public double Dropout { get; }

    /// <summary>The table added to each sample, <c>[length, d]</c>.</summary>
    public Tensor Encoding => weight ?? get_buffer("encoding")!;

    string ILayerSettings.Settings => string.Create(CultureInfo.InvariantCulture, $"Length={Length}, Dimensions={Dimensions}, Kind={Kind}, Dropout={Dropout:R}");

    /// <summary>The sinusoidal table <c>[length, d]</c> (computed in float64, returned as float32).</summary>
    public static Tensor Sinusoids(long length, long dimensions)
    {
        using var scope = NewDisposeScope();
        var position = arange(length, dtype: ScalarType.Float64).unsqueeze(1);                          // [T, 1]
        var evenIndex = arange(0, dimensions, 2, dtype: ScalarType.Float64);                             // 2i
        var angle = position / pow(10000.0, evenIndex / dimensions).unsqueeze(0);                        // [T, ceil(d/2)]
        var table = zeros([length, dimensions], dtype: ScalarType.Float64);
        table[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)] = sin(angle);
        table[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)] = cos(angle)[TensorIndex.Colon, TensorIndex.Slice(0, dimensions / 2)];
        return table.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Adds the encoding to <c>[batch, T, d]</c> (T at most the length), then dropout.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, T, d]</c> with T at most the length.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3 || input.shape[2] != Dimensions || input.shape[1] > Length)
            throw new ArgumentException(
                $"A positional encoding of length {Length} and {Dimensions} dimensions reads [batch, T, {Dimensions}] with T at most {Length}, but got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var table = Encoding;
        var added = input + (input.shape[1] == Length ? table : table.narrow(0, 0, input.shape[1]));
        return dropout.call(added).MoveToOuterDisposeScope();
    }
}
