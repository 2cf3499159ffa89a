using System;
using System.Globalization;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.utils.rnn;

namespace DslKd;

/// <summary>
/// [LSTM] and [GRU]: a batch-first recurrent layer over <c>[batch, T, inputSize]</c> whose output is one tensor: every
/// step's output <c>[batch, T, hidden x directions]</c> (<see cref="RecurrentOutput.Sequence"/>) or the top layer's final
/// hidden state <c>[batch, hidden x directions]</c> (<see cref="RecurrentOutput.LastState"/>; when bidirectional, the
/// forward direction's after the last step joined with the backward direction's after the first). It runs TorchSharp's
/// (libtorch's) <c>nn.LSTM</c> / <c>nn.GRU</c>.
/// </summary>
/// <remarks>
/// <para>
/// State-dict keys are exactly PyTorch's <c>nn.LSTM</c> / <c>nn.GRU</c> names, relative to this layer with no module in
/// between: <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, then <c>..._l0_reverse</c> when
/// bidirectional, then <c>..._l1</c> ... for stacked layers (shapes <c>[gates x hidden, in]</c>, <c>[gates x hidden,
/// hidden]</c>, <c>[gates x hidden]</c>; 4 gates for LSTM, 3 for GRU), so a block <c>Encoder</c> whose first layer is
/// this one holds <c>Encoder.0.weight_ih_l0</c>. The libtorch module is held, not registered: its parameters are
/// registered here under their own names, and moving, converting and switching training mode are passed on to it.
/// </para>
/// <para>
/// Padding: when a <see cref="SequenceMask"/> fits the input (same batch size and T), the batch is run as packed
/// sequences (<c>pack_padded_sequence</c>, each row as long as its non-padded steps), so padding never enters a state:
/// <see cref="RecurrentOutput.LastState"/> is the state after each row's last real step, the backward direction starts
/// there, and <see cref="RecurrentOutput.Sequence"/> is zero at padded steps. Padding must come at the end of a row; a
/// row with padding before a real token is an error naming the row. A row that is all padding gives zeros (the initial
/// state). Dropout (between stacked layers only, as PyTorch) acts in training mode.
/// </para>
/// </remarks>
public sealed class RecurrentLayer : nn.Module<Tensor, Tensor>, ILayerSettings
{
    private readonly nn.Module _rnn;

    /// <summary>Creates the layer; parameters are initialised as PyTorch's (uniform in ±1/sqrt(hidden)).</summary>
    /// <param name="cell">LSTM or GRU.</param>
    /// <param name="inputSize">Features per step of the input.</param>
    /// <param name="hiddenSize">Size of the hidden state of each direction.</param>
    /// <param name="output">What the layer passes on: every step's output or the final hidden state.</param>
    /// <param name="layers">Stacked recurrent layers.</param>
    /// <param name="bidirectional">Also run a pass from the end; outputs then have 2 x <paramref name="hiddenSize"/> features.</param>
    /// <param name="dropout">Dropout on the outputs of each stacked layer but the last, in [0, 1); unused with one layer.</param>
    /// <param name="device">Where the parameters live (default: CPU).</param>
    /// <param name="dtype">Their element type (default: float32).</param>
    public RecurrentLayer(RecurrentCell cell, long inputSize, long hiddenSize, RecurrentOutput output, long layers = 1, bool bidirectional = false,
        double dropout = 0, Device? device = null, ScalarType? dtype = null)
        : base(nameof(RecurrentLayer))
    {
        if (!Enum.IsDefined(cell)) throw new ArgumentOutOfRangeException(nameof(cell), cell, "Not a recurrent cell.");
        if (!Enum.IsDefined(output)) throw new ArgumentOutOfRangeException(nameof(output), output, "Not a recurrent output.");
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be positive.");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be positive.");
        if (layers <= 0) throw new ArgumentOutOfRangeException(nameof(layers), layers, "There must be at least one layer.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        (Cell, InputSize, HiddenSize, Output, Layers, Bidirectional, Dropout) = (cell, inputSize, hiddenSize, output, layers, bidirectional, dropout);

        // libtorch warns on every construction when dropout is set with one layer, where it has no effect anyway.
        var effectiveDropout = layers > 1 ? dropout : 0;
        _rnn = cell == RecurrentCell.Lstm
            ? nn.LSTM(inputSize, hiddenSize, layers, bias: true, batchFirst: true, dropout: effectiveDropout, bidirectional: bidirectional, device: device, dtype: dtype)
            : nn.GRU(inputSize, hiddenSize, layers, bias: true, batchFirst: true, dropout: effectiveDropout, bidirectional: bidirectional, device: device, dtype: dtype);
        RegisterCellParameters();
    }

    /// <summary>LSTM or GRU.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Features per step of the input.</summary>
    public long InputSize { get; }

    /// <summary>Size of the hidden state of each direction.</summary>
    public long HiddenSize { get; }

    /// <summary>What the layer passes on.</summary>
    public RecurrentOutput Output { get; }

    /// <summary>Stacked recurrent layers.</summary>
    public long Layers { get; }

    /// <summary>Whether a second pass runs from the end.</summary>
    public bool Bidirectional { get; }

    /// <summary>Dropout between stacked layers.</summary>
    public double Dropout { get; }

    /// <summary>Features of the output per step (or of the final state): hidden size times directions.</summary>
    public long OutputSize => HiddenSize * (Bidirectional ? 2 : 1);

    string ILayerSettings.Settings => string.Create(CultureInfo.InvariantCulture,
        $"Cell={Cell}, InputSize={InputSize}, HiddenSize={HiddenSize}, Output={Output}, Layers={Layers}, Bidirectional={Bidirectional}, Dropout={Dropout:R}");

    /// <summary>Runs the layer on <c>[batch, T, inputSize]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, T, inputSize]</c>, or its padding mask has padding before a real step (the message names the row).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3 || input.shape[2] != InputSize)
            throw new ArgumentException(
                $"A {Cell.ToString().ToUpperInvariant()} layer of input size {InputSize} reads [batch, T, {InputSize}], but got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var mask = SequenceMask.For(input);
        var result = mask is null ? RunUnpadded(input) : RunPacked(input, mask);
        return result.MoveToOuterDisposeScope();
    }

    private Tensor RunUnpadded(Tensor input)
    {
        var (output, state) = Run(input);
        return Output == RecurrentOutput.Sequence ? output : LastState(state);
    }

    private Tensor RunPacked(Tensor input, Tensor mask)
    {
        var steps = input.shape[1];
        var lengths = mask.logical_not().sum(1, type: ScalarType.Int64);
        var endPadded = arange(steps, dtype: ScalarType.Int64, device: mask.device).unsqueeze(0).ge(lengths.unsqueeze(1));
        var misplaced = endPadded.not_equal(mask).any(1);
        if (misplaced.any().item<bool>())
        {
            var row = misplaced.nonzero()[0, 0].item<long>();
            var first = mask[row].logical_not().nonzero()[-1, 0].item<long>();
            throw new ArgumentException(
                $"Batch row {row} has padding before a real token (its last real token is at position {first}, after a padded position): a {Cell.ToString().ToUpperInvariant()} layer reads sequences padded at the end only. Pad at the end (LabeledDataset.FromTokenSequences does).",
                nameof(input));
        }
        // A row that is all padding runs one step (pack_padded_sequence needs a length of at least 1); its result is zeroed.
        using var packed = pack_padded_sequence(input, lengths.clamp_min(1).cpu(), batch_first: true, enforce_sorted: false);
        var (packedOutput, state) = RunPacked(packed);
        using (packedOutput)
        {
            if (Output == RecurrentOutput.LastState)
            {
                var last = LastState(state);
                return last.masked_fill(lengths.eq(0).unsqueeze(1), 0);
            }
            var (padded, _) = pad_packed_sequence(packedOutput, batch_first: true, padding_value: 0, total_length: steps);
            return padded.masked_fill(mask.unsqueeze(-1), 0);
        }
    }

    private (Tensor Output, Tensor State) Run(Tensor input)
    {
        if (_rnn is LSTM lstm)
        {
            var (output, h, _) = lstm.call(input, null);
            return (output, h);
        }
        return ((GRU)_rnn).call(input, null);
    }

    private (PackedSequence Output, Tensor State) RunPacked(PackedSequence input)
    {
        if (_rnn is LSTM lstm)
        {
            var (output, h, _) = lstm.call(input, null);
            return (output, h);
        }
        return ((GRU)_rnn).call(input, null);
    }

    /// <summary>The top layer's final state from h_n <c>[layers x directions, batch, hidden]</c>: forward, then backward.</summary>
    private Tensor LastState(Tensor state) =>
        Bidirectional ? cat([state[-2], state[-1]], 1) : state[-1];

    /// <summary>The cell's parameters are registered directly on this layer, under PyTorch's names.</summary>
    private void RegisterCellParameters()
    {
        foreach (var (name, parameter) in _rnn.named_parameters().ToList()) ConditionallyRegisterParameter(name, parameter);
    }

    /// <summary>The cell is held, not registered: its parameters are registered by name in the constructor.</summary>
    protected override void RegisterComponents() { }

    /// <summary>Switches training mode (dropout between layers) here and in the cell.</summary>
    public override void train(bool on = true)
    {
        base.train(on);
        _rnn.train(on);
    }

    /// <summary>Moves and converts the cell, then registers its (moved) parameters again.</summary>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        _rnn.to(device, dtype, non_blocking);
        RegisterCellParameters();
        return this;
    }

    /// <summary>Moves the cell, then registers its (moved) parameters again.</summary>
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        _rnn.to(deviceType, deviceIndex, non_blocking);
        RegisterCellParameters();
        return this;
    }

    /// <summary>Converts the cell, then registers its (converted) parameters again.</summary>
    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        _rnn.to(dtype, non_blocking);
        RegisterCellParameters();
        return this;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _rnn.Dispose();
        base.Dispose(disposing);
    }
}
