namespace DslKd.Runtime.Tests;

// Token sequences of 12 ids from a vocabulary of 20, 0 = padding: the generated models the sequence tests run.

[Teacher(InputShape = [12], Classes = 2)]
public partial class TokenAttentionTeacher
{
    [Embedding(20, 16, PaddingIndex = 0), PositionalEncoding]
    public partial Block Embed { get; }

    [TransformerEncoder(2, FeedForward = 32, Dropout = 0)]
    public partial Block Encoder { get; }

    [PoolOverTime(TimePooling.Mean), Linear(2)]
    public partial Block Logits { get; }
}

[Student(InputShape = [12], Classes = 2)]
public partial class TokenGruStudent
{
    [Embedding(20, 8, PaddingIndex = 0), GRU(16, RecurrentOutput.Sequence)]
    public partial Block Encoder { get; }

    [PoolOverTime(TimePooling.Max), Linear(2)]
    public partial Block Logits { get; }
}

/// <summary>Every sequence layer kind once, on Fashion-MNIST-like rows [28, 28].</summary>
[Model(InputShape = [28, 28], Classes = 3)]
public partial class EverySequenceLayer
{
    [LSTM(8, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true, Dropout = 0.1), Linear(12), LayerNorm]
    public partial Block Rows { get; }

    [PositionalEncoding(Kind = PositionalEncodingKind.Learned), TransformerEncoder(3, NormFirst = true, Activation = FeedForwardActivation.GELU)]
    public partial Block Attention { get; }

    [PoolOverTime(TimePooling.Max, Kernel = 2), GRU(6, RecurrentOutput.LastState, Bidirectional = true), Linear(3)]
    public partial Block Logits { get; }
}

[Supervised<TokenAttentionTeacher>]
[Optimizer(OptimizerKind.Adam, LearningRate = 3e-3)]
[Epochs(12), BatchSize(64), Seed(1)]
public partial class TrainTokenTeacher;

[Distillation<TokenAttentionTeacher, TokenGruStudent>]
[SoftTargets(Temperature = 2, Weight = 0.5)]
[HardLabels(Weight = 0.5)]
[FeatureHint(nameof(TokenAttentionTeacher.Encoder), nameof(TokenGruStudent.Encoder), Weight = 0.1)]
[Optimizer(OptimizerKind.Adam, LearningRate = 3e-3)]
[Epochs(12), BatchSize(64), Seed(2)]
public partial class DistilTokens;
