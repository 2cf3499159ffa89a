namespace DslKd.Generators.Tests.Infrastructure;

/// <summary>Model declarations shared by the generator tests.</summary>
internal static class Sources
{
    public const string WideCnn = """
        using DslKd;

        namespace Demo;

        [Teacher(InputShape = [1, 28, 28], Classes = 10)]
        public partial class WideCnn
        {
            [Conv2d(32, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
            public partial Block Stem { get; }

            [Conv2d(64, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2)]
            public partial Block Body { get; }

            [Flatten, Linear(256), ReLU, Dropout(0.3)]
            public partial Block Hidden { get; }

            [Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    public const string SmallMlp = """
        using DslKd;

        namespace Demo;

        [Student(InputShape = [1, 28, 28], Classes = 10)]
        public partial class SmallMlp
        {
            [Flatten, Linear(128), ReLU]
            public partial Block Hidden { get; }

            [Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>Every layer kind at least once, with non-default arguments, in the global namespace.</summary>
    public const string EveryLayer = """
        using DslKd;

        [Model(InputShape = [3, 32, 32])]
        internal partial class EveryLayer
        {
            [Conv2d(16, Kernel = 5, Stride = 2, Padding = 2, Dilation = 1, Groups = 1, Bias = false), BatchNorm2d(Eps = 1e-3, Momentum = 0.05), LeakyReLU(0.2)]
            public partial Block Stem { get; }

            [Conv2d(32, Kernel = 3, Padding = 2, Dilation = 2, Groups = 4), GELU, AvgPool2d(3, Stride = 2, Padding = 1), MaxPool2d(2, Stride = 1)]
            internal partial Block Mixer { get; }

            [AdaptiveAvgPool2d(2, 3), SiLU]
            public partial Block Pool { get; }

            [Flatten, LayerNorm(Eps = 1e-6), Linear(64, Bias = false), BatchNorm1d, Tanh, Dropout]
            public partial Block Head { get; }

            [Linear(5), Sigmoid]
            public partial Block Output { get; }
        }
        """;

    /// <summary>A 1-d convolutional model over [channels, length] signals.</summary>
    public const string SignalCnn = """
        using DslKd;

        namespace Signals.Models;

        [Model(InputShape = [2, 100], Classes = 4)]
        public partial class SignalCnn
        {
            [Conv1d(8, Kernel = 7, Stride = 2), BatchNorm1d, ReLU]
            public partial Block Encoder { get; }

            [Conv1d(16, Kernel = 3, Padding = 1, Dilation = 2), ReLU, Flatten]
            public partial Block Mix { get; }

            [Linear(4)]
            public partial Block Head { get; }
        }
        """;

    /// <summary>The recipe of the README's example (soft targets, hard labels, a hint between the two hidden layers) with training settings.</summary>
    public const string CnnToMlp = """
        using DslKd;

        namespace Demo;

        [Distillation<WideCnn, SmallMlp>]
        [SoftTargets(Temperature = 4, Weight = 0.9)]
        [HardLabels(Weight = 0.1)]
        [FeatureHint(nameof(WideCnn.Hidden), nameof(SmallMlp.Hidden), Weight = 0.5)]
        [Optimizer(OptimizerKind.AdamW, LearningRate = 1e-3, WeightDecay = 0.05)]
        [LearningRateSchedule(ScheduleKind.Cosine, MinLearningRate = 1e-5)]
        [Epochs(10), BatchSize(128), GradientClipping(5), Seed(42)]
        public partial class CnnToMlp;
        """;

    /// <summary>The teacher stage: supervised training of WideCnn with SGD, Nesterov momentum and label smoothing.</summary>
    public const string TrainTeacher = """
        using DslKd;

        namespace Demo;

        [Supervised<WideCnn>(LabelSmoothing = 0.1)]
        [Optimizer(OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Nesterov = true)]
        [LearningRateSchedule(ScheduleKind.Step, StepEpochs = 3, Gamma = 0.5)]
        [Epochs(8)]
        public partial class TrainTeacher;
        """;

    /// <summary>Every other term: two conv models, so maps can be compared; pooling, anchoring, a custom loss.</summary>
    public const string EveryTerm = """
        using DslKd;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Demo.Recipes;

        [Teacher(InputShape = [3, 16, 16], Classes = 5)]
        public partial class DeepCnn
        {
            [Conv2d(32, Kernel = 3, Padding = 1), ReLU]
            public partial Block Early { get; }

            [Conv2d(32, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
            public partial Block Late { get; }

            [Flatten, Linear(64), ReLU]
            public partial Block Embedding { get; }

            [Linear(5)]
            public partial Block Head { get; }
        }

        [Student(InputShape = [3, 16, 16], Classes = 5)]
        public partial class ThinCnn
        {
            [Conv2d(8, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
            public partial Block Early { get; }

            [Flatten, Linear(64), ReLU]
            public partial Block Embedding { get; }

            [Linear(5)]
            public partial Block Head { get; }
        }

        [Distillation<DeepCnn, ThinCnn>]
        [SoftTargetCrossEntropy(Temperature = 2.5, Weight = 0.25)]
        [LogitMatching(Weight = 0.1)]
        [DecoupledKD(Temperature = 3, Alpha = 1, Beta = 4, Weight = 0.2, StandardizeLogits = true, WarmupEpochs = 20)]
        [HardLabels(LabelSmoothing = 0.1)]
        [FeatureHint(nameof(DeepCnn.Late), nameof(ThinCnn.Early), Weight = 0.5)]
        [FeatureHint(nameof(DeepCnn.Early), nameof(ThinCnn.Early), Alignment = FeatureAlignment.AdaptivePool, Weight = 0.2)]
        [CosineFeature(nameof(DeepCnn.Embedding), nameof(ThinCnn.Embedding), Weight = 0.3)]
        [AttentionTransfer(nameof(DeepCnn.Early), nameof(ThinCnn.Early), Alignment = FeatureAlignment.AdaptivePool, P = 1, Weight = 100)]
        [RelationalKD(nameof(DeepCnn.Embedding), nameof(ThinCnn.Embedding), AngleWeight = 20, Weight = 0.5)]
        [ProbabilisticTransfer(nameof(DeepCnn.Embedding), nameof(ThinCnn.Embedding), Weight = 0.3)]
        [ParameterAnchoring(Weight = 1e-4)]
        [SoftTargets(Weight = 0)]
        internal partial class DeepToThin
        {
            [CustomLoss(Weight = 0.05)]
            private Tensor Confidence(DeepCnn.Features teacher, ThinCnn.Features student, Tensor labels) =>
                nn.functional.softmax(student.Head, 1).max(1).values.mean();
        }
        """;

    /// <summary>A small ResNet: a stem, a repeated residual stage with a projection, a strided one, pre-activation taps.</summary>
    public const string ResNet = """
        using DslKd;

        namespace Zoo;

        [Student(InputShape = [3, 16, 16], Classes = 10)]
        public partial class TinyResNet
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU]
            public partial Block Stem { get; }

            [Repeat(2)]
            [Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, ReLU,
             Conv2d(16, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput, ReLU]
            public partial Block Layer1 { get; }

            [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU,
             Conv2d(32, Kernel = 3, Padding = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.Convolution), ReLU]
            public partial Block Layer2 { get; }

            [AdaptiveAvgPool2d(1), Flatten, Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>MobileNetV2-style inverted residuals: expansion, depthwise convolution, a linear bottleneck, identity-or-none.</summary>
    public const string InvertedResidual = """
        using DslKd;

        namespace Zoo;

        [Student(InputShape = [3, 16, 16], Classes = 10)]
        public partial class TinyMobileNet
        {
            [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1, Bias = false), BatchNorm2d, ReLU6]
            public partial Block Stem { get; }

            [Repeat(2)]
            [Conv2d(Kernel = 1, Expansion = 4, Bias = false), BatchNorm2d, ReLU6,
             Conv2d(Kernel = 3, Stride = 2, Padding = 1, Depthwise = true, Bias = false), BatchNorm2d, ReLU6,
             Conv2d(12, Kernel = 1, Bias = false), BatchNorm2d, AddInput(Shortcut = ShortcutKind.IdentityOrNone)]
            public partial Block Stage1 { get; }

            [Conv2d(64, Kernel = 1, Bias = false), BatchNorm2d, Hardswish, AdaptiveAvgPool2d(1), Flatten, Identity, Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>A Transformer encoder over token ids: embedding with padding, positional encoding, two encoder layers, mean over time.</summary>
    public const string TokenTransformer = """
        using DslKd;

        namespace Text;

        [Teacher(InputShape = [64], Classes = 4)]
        public partial class TokenTransformer
        {
            [Embedding(10000, 64, PaddingIndex = 0), PositionalEncoding(Dropout = 0.1)]
            public partial Block Embed { get; }

            [TransformerEncoder(4, FeedForward = 128, Layers = 2)]
            public partial Block Encoder { get; }

            [PoolOverTime(TimePooling.Mean), Dropout(0.1)]
            public partial Block Pooled { get; }

            [Linear(4)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>A bidirectional two-layer LSTM over token ids, a per-step projection, and a last-state LSTM.</summary>
    public const string BiLstm = """
        using DslKd;

        namespace Text;

        [Teacher(InputShape = [64], Classes = 4)]
        public partial class BiLstm
        {
            [Embedding(10000, 64, PaddingIndex = 0)]
            public partial Block Embed { get; }

            [LSTM(128, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true, Dropout = 0.2), Linear(64), LayerNorm, GELU]
            public partial Block Encoder { get; }

            [LSTM(64, RecurrentOutput.LastState), Dropout(0.2)]
            public partial Block Summary2 { get; }

            [Linear(4)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>The small student of the sequence recipe: a GRU over a smaller embedding, max over time.</summary>
    public const string GruStudent = """
        using DslKd;

        namespace Text;

        [Student(InputShape = [64], Classes = 4)]
        public partial class GruStudent
        {
            [Embedding(10000, 16, PaddingIndex = 0), GRU(32, RecurrentOutput.Sequence)]
            public partial Block Encoder { get; }

            [PoolOverTime(TimePooling.Max), Linear(4)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>
    /// Every sequence layer on real-valued rows (Fashion-MNIST read as 28 steps of 28 pixels), with non-default arguments:
    /// a GRU's last state, a learned positional encoding, a pre-norm GELU encoder, windowed pooling over time, a per-step
    /// Linear and LayerNorm, a residual unit on a sequence with a generated Linear shortcut.
    /// </summary>
    public const string EverySequenceLayer = """
        using DslKd;

        [Model(InputShape = [28, 28], Classes = 10)]
        internal partial class EverySequenceLayer
        {
            [GRU(32, RecurrentOutput.Sequence, Bidirectional = true), Linear(32, Bias = false), LayerNorm(Eps = 1e-6)]
            public partial Block Rows { get; }

            [PositionalEncoding(Kind = PositionalEncodingKind.Learned), TransformerEncoder(8, Dropout = 0, NormFirst = true, Activation = FeedForwardActivation.GELU)]
            public partial Block Attention { get; }

            [PoolOverTime(TimePooling.Max, Kernel = 4, Stride = 2), Tanh, Identity]
            public partial Block Windows { get; }

            [LSTM(48, RecurrentOutput.Sequence), Dropout(0.1), AddInput]
            public partial Block Residual { get; }

            [GRU(24, RecurrentOutput.LastState, Layers = 3, Dropout = 0.25), Linear(10)]
            public partial Block Logits { get; }
        }
        """;

    /// <summary>1-d pooling on [channels, length] maps after Conv1d.</summary>
    public const string SignalPools = """
        using DslKd;

        namespace Signals.Models;

        [Model(InputShape = [2, 100], Classes = 3)]
        public partial class SignalPools
        {
            [Conv1d(8, Kernel = 5), ReLU, MaxPool1d(2)]
            public partial Block Encoder { get; }

            [AvgPool1d(3, Stride = 2, Padding = 1), MaxPool1d(2, Stride = 1), Flatten, Linear(3)]
            public partial Block Head { get; }
        }
        """;

    /// <summary>Distils the token Transformer into the GRU: soft targets, labels, a hint between the encoders' [T, d] sequences.</summary>
    public const string SequenceRecipe = """
        using DslKd;

        namespace Text;

        [Distillation<TokenTransformer, GruStudent>]
        [SoftTargets(Temperature = 2, Weight = 0.7)]
        [HardLabels(Weight = 0.3)]
        [FeatureHint(nameof(TokenTransformer.Encoder), nameof(GruStudent.Encoder), Weight = 0.1)]
        public partial class TransformerToGru;
        """;
}
