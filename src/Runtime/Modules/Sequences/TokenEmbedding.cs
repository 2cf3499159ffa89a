using System;
using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// [Embedding]: int64 token ids <c>[batch, T]</c> -> <c>[batch, T, dimensions]</c>, one learned vector per id, as PyTorch's
/// <c>nn.Embedding</c> (state_dict key <c>weight</c>, <c>[vocabulary, dimensions]</c>, initialised from N(0, 1)). With a
/// padding index, that id's row starts at zero and gets no gradient (<c>padding_idx</c>), and the positions holding it are
/// recorded as the <see cref="SequenceMask"/> of the forward pass for the layers after it.
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>, ILayerSettings
{
    private readonly Parameter weight;

    /// <summary>Creates the table.</summary>
    /// <param name="vocabulary">Number of distinct ids: ids run from 0 to <paramref name="vocabulary"/> - 1.</param>
    /// <param name="dimensions">Length of each id's vector.</param>
    /// <param name="paddingIndex">The id that marks padding, or -1 for none.</param>
    /// <param name="device">Where the table lives (default: CPU).</param>
    /// <param name="dtype">Its element type (default: float32).</param>
    public TokenEmbedding(long vocabulary, long dimensions, long paddingIndex = -1, Device? device = null, ScalarType? dtype = null)
        : base(nameof(TokenEmbedding))
    {
        if (vocabulary <= 0) throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, "The vocabulary must hold at least one token.");
        if (dimensions <= 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The dimensions must be positive.");
        if (paddingIndex < -1 || paddingIndex >= vocabulary)
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), paddingIndex, $"The padding index must be an id in [0, {vocabulary}), or -1 for none.");
        Vocabulary = vocabulary;
        Dimensions = dimensions;
        PaddingIndex = paddingIndex;
        var table = empty([vocabulary, dimensions], dtype: dtype ?? ScalarType.Float32, device: device);
        using (no_grad())
        {
            nn.init.normal_(table);
            if (paddingIndex >= 0) table[paddingIndex].zero_();
        }
        weight = new Parameter(table);
        RegisterComponents();
    }

    /// <summary>Number of distinct ids.</summary>
    public long Vocabulary { get; }

    /// <summary>Length of each id's vector.</summary>
    public long Dimensions { get; }

    /// <summary>The id that marks padding, or -1 for none.</summary>
    public long PaddingIndex { get; }

    /// <summary>The table, <c>[vocabulary, dimensions]</c>.</summary>
    public Parameter Weight => weight;

    string ILayerSettings.Settings => string.Create(CultureInfo.InvariantCulture, $"Vocabulary={Vocabulary}, Dimensions={Dimensions}, PaddingIndex={PaddingIndex}");

    /// <summary>The vectors of <paramref name="input"/>'s ids; records the padding mask (when there is a padding index and the input is <c>[batch, T]</c>).</summary>
    /// <exception cref="ArgumentException">The input is not int64, or holds an id outside [0, vocabulary); the message names the first such id and its batch row and position.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Check(input);
        using var scope = NewDisposeScope();
        var rows = weight.index_select(0, input.reshape(-1)).view([.. input.shape, Dimensions]);
        if (PaddingIndex < 0) return rows.MoveToOuterDisposeScope();
        var padded = input.eq(PaddingIndex);
        // nn.Embedding's padding_idx: padded positions read the padding row, which gets no gradient from them.
        var output = where(padded.unsqueeze(-1), weight[PaddingIndex].detach(), rows);
        if (input.dim() == 2) SequenceMask.Set(padded);
        return output.MoveToOuterDisposeScope();
    }

    private void Check(Tensor input)
    {
        if (input.dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"An embedding reads int64 token ids, but its input is {input.dtype} [{string.Join(", ", input.shape)}]; convert the data once (inputs.to(ScalarType.Int64)) or read it with LabeledDataset.FromTokenSequences or FromTextFile.",
                nameof(input));
        if (input.numel() == 0) return;
        using var scope = NewDisposeScope();
        var bad = input.lt(0).logical_or_(input.ge(Vocabulary));
        if (!bad.any().item<bool>()) return;
        var first = bad.reshape(-1).nonzero()[0, 0].item<long>();
        var id = input.reshape(-1)[first].item<long>();
        var where = input.dim() switch
        {
            0 => "",
            1 => $" at position {first}",
            _ => $" in batch row {first / (input.numel() / input.shape[0])}, position {first % (input.numel() / input.shape[0])}",
        };
        throw new ArgumentException(
            $"Token id {id}{where} is outside the embedding's vocabulary [0, {Vocabulary}); every id must be below {Vocabulary} (the vocabulary's size, reserved ids included).",
            nameof(input));
    }
}
