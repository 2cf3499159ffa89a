using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Generated sequence models run in TorchSharp: the compile-time shapes and counts hold, a padded row's output does not
/// depend on its batch, and a Transformer teacher distils into a GRU student on a task that needs the whole sequence.
/// </summary>
public class GeneratedSequenceModelTests
{
    public static TheoryData<string> ModelNames => new() { nameof(TokenAttentionTeacher), nameof(TokenGruStudent), nameof(EverySequenceLayer) };

    private static (nn.Module<Tensor, Tensor> Module, ModelDescription Description) Create(string name, long seed = 1) => name switch
    {
        nameof(TokenAttentionTeacher) => (new TokenAttentionTeacher(seed: seed), TokenAttentionTeacher.Description),
        nameof(TokenGruStudent) => (new TokenGruStudent(seed: seed), TokenGruStudent.Description),
        nameof(EverySequenceLayer) => (new EverySequenceLayer(seed: seed), EverySequenceLayer.Description),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static Tensor InputFor(ModelDescription description, long batch) => description.Input == InputKind.Tokens
        ? randint(1, description.Vocabulary, description.InputShape.WithBatch(batch), dtype: ScalarType.Int64)
        : randn(description.InputShape.WithBatch(batch));

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Compile_time_counts_and_shapes_hold_at_run_time(string name)
    {
        using var scope = NewDisposeScope();
        var (model, description) = Create(name);
        model.eval();

        var output = model.call(InputFor(description, 5));

        Assert.Equal(description.OutputShape.WithBatch(5), output.shape);
        Assert.Equal(description.ParameterCount, model.parameters().Where(p => p.requires_grad).Sum(p => p.numel()));
    }

    [Fact]
    public void Token_models_say_they_read_token_ids_from_their_vocabulary()
    {
        Assert.Equal(InputKind.Tokens, TokenAttentionTeacher.Description.Input);
        Assert.Equal(20, TokenGruStudent.Description.Vocabulary);
        Assert.Equal(InputKind.Values, EverySequenceLayer.Description.Input);
    }

    [Theory]
    [InlineData(nameof(TokenAttentionTeacher))]
    [InlineData(nameof(TokenGruStudent))]
    public void A_padded_row_gives_the_same_output_alone_and_in_a_batch_of_longer_rows(string name)
    {
        using var scope = NewDisposeScope();
        var (model, _) = Create(name);
        model.eval();
        var shortRow = tensor(new long[] { 5, 3, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).unsqueeze(0);
        var longRows = randint(1, 20, [3, 12], dtype: ScalarType.Int64);

        var alone = model.call(shortRow);
        var inBatch = model.call(cat([longRows, shortRow], 0))[3];

        Assert.True(alone[0].allclose(inBatch, rtol: 1e-5, atol: 1e-6), $"{alone[0].str()} vs {inBatch.str()}");
    }

    [Fact]
    public void A_transformer_teacher_distils_into_a_gru_student_with_a_hint_between_their_sequences()
    {
        using var scope = NewDisposeScope();
        var (train, test) = OrderTask(trainCount: 1200, testCount: 600, seed: 11);
        var teacher = new TokenAttentionTeacher(seed: 1);
        var teacherResult = new TrainTokenTeacher(teacher).Train(train, test);
        Assert.True(teacherResult.Final.Evaluation!.Accuracy > 0.9, $"teacher accuracy {teacherResult.Final.Evaluation.Accuracy}");

        var distilled = new DistilTokens(teacher, new TokenGruStudent(seed: 3), seed: 4).Train(train, test);

        Assert.Equal(["SoftTargets", "HardLabels", "EncoderHint"], distilled.Final.TrainTerms.Keys);
        Assert.True(distilled.Final.Evaluation!.Accuracy > 0.85, $"distilled student accuracy {distilled.Final.Evaluation.Accuracy}");
        Assert.True(distilled.Final.TrainLoss < distilled.Epochs[0].TrainLoss);
    }

    /// <summary>
    /// Rows of 3-12 random tokens (1-19) padded with 0 at the end; label 1 when the first 7 comes before the first 8 (or
    /// 7 appears and 8 does not). The answer needs the order of tokens anywhere in the row, and padding hides nothing.
    /// </summary>
    private static (LabeledDataset Train, LabeledDataset Test) OrderTask(int trainCount, int testCount, int seed)
    {
        var random = new Random(seed);
        LabeledDataset Make(int count)
        {
            var sequences = new List<int[]>();
            var labels = new List<int>();
            while (sequences.Count < count)
            {
                var row = Enumerable.Range(0, random.Next(3, 13)).Select(_ => random.Next(1, 20)).ToArray();
                var seven = Array.IndexOf(row, 7);
                var eight = Array.IndexOf(row, 8);
                if (seven < 0 && eight < 0) continue; // only rows that contain one of the two
                var label = seven >= 0 && (eight < 0 || seven < eight) ? 1 : 0;
                sequences.Add(row);
                labels.Add(label);
            }
            return LabeledDataset.FromTokenSequences(sequences, labels, length: 12, paddingIndex: 0, classes: 2);
        }
        return (Make(trainCount), Make(testCount));
    }
}
