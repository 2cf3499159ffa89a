using DslKd;

namespace DslKd.Runtime.Tests;

// Sequence models without a padding mask (real-valued, or tokens through an Embedding without a PaddingIndex) that put LSTM, GRU, PoolOverTime and a Linear applied to
// each step through ONNX export: one and two directions, one and two stacked layers, both recurrent outputs.

/// <summary>A 2-layer bidirectional GRU's every step, a Linear per step, a mean over time.</summary>
[Model(InputShape = [9, 5], Classes = 3)]
public partial class OnnxBiGruSequence
{
    [GRU(6, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true), Linear(4), Tanh, PoolOverTime(TimePooling.Mean)]
    public partial Block Encoder { get; }

    [Linear(3)]
    public partial Block Logits { get; }
}

/// <summary>A 2-layer bidirectional GRU's last state.</summary>
[Model(InputShape = [7, 4], Classes = 3)]
public partial class OnnxBiGruLastState
{
    [GRU(5, RecurrentOutput.LastState, Layers = 2, Bidirectional = true)]
    public partial Block Encoder { get; }

    [Linear(3)]
    public partial Block Logits { get; }
}

/// <summary>A 2-layer bidirectional LSTM's every step, a max over time.</summary>
[Model(InputShape = [8, 5], Classes = 4)]
public partial class OnnxBiLstmSequence
{
    [LSTM(6, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true), PoolOverTime(TimePooling.Max)]
    public partial Block Encoder { get; }

    [Linear(4)]
    public partial Block Logits { get; }
}

/// <summary>A 2-layer bidirectional LSTM's last state.</summary>
[Model(InputShape = [6, 3], Classes = 2)]
public partial class OnnxBiLstmLastState
{
    [LSTM(4, RecurrentOutput.LastState, Layers = 2, Bidirectional = true)]
    public partial Block Encoder { get; }

    [Linear(2)]
    public partial Block Logits { get; }
}

/// <summary>One-directional, one-layer cells in a chain: an LSTM's steps, a Linear per step without bias, a GRU's last state.</summary>
[Model(InputShape = [10, 4], Classes = 3)]
public partial class OnnxRecurrentChain
{
    [LSTM(5, RecurrentOutput.Sequence), Linear(6, Bias = false), GRU(7, RecurrentOutput.LastState)]
    public partial Block Encoder { get; }

    [Linear(3)]
    public partial Block Logits { get; }
}

/// <summary>The FashionMnist example's sequence student RowGru (examples/FashionMnist/Pairs/SequencePair.cs), declared again.</summary>
[Student(InputShape = [28, 28], Classes = 10)]
public partial class OnnxRowGru
{
    [GRU(48, RecurrentOutput.LastState)]
    public partial Block Rows { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

/// <summary>The example's sequence teacher RowLstm, declared again: dropout between stacked layers, pooled, dropout.</summary>
[Teacher(InputShape = [28, 28], Classes = 10)]
public partial class OnnxRowLstm
{
    [LSTM(96, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true, Dropout = 0.1)]
    public partial Block Rows { get; }

    [PoolOverTime(TimePooling.Mean), Dropout(0.2)]
    public partial Block Pooled { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

/// <summary>Token ids through an Embedding without a PaddingIndex (so no mask): Gather, then a GRU's every step, pooled.</summary>
[Model(InputShape = [11], Classes = 3)]
public partial class OnnxTokenGru
{
    [Embedding(20, 6), GRU(5, RecurrentOutput.Sequence, Bidirectional = true), PoolOverTime(TimePooling.Max)]
    public partial Block Encoder { get; }

    [Linear(3)]
    public partial Block Logits { get; }
}
