using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Token data: the vocabulary builder, token sequences from arrays and text files (padding, truncation reported, errors
/// naming the sequence or line), the check of token data against a model, and the teacher cache over int64 inputs.
/// </summary>
[Collection("Training")]
public class TokenDataTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tokens-" + Guid.NewGuid().ToString("N"));

    public TokenDataTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_word_vocabulary_reserves_padding_and_unknown_and_orders_by_frequency()
    {
        var vocabulary = Vocabulary.Build(["the cat sat", "the dog  sat\tdown", "a cat"], Tokenization.Whitespace);
        Assert.Equal(["<pad>", "<unk>", "cat", "sat", "the", "a", "dog", "down"], vocabulary.Tokens);
        Assert.Equal(8, vocabulary.Count);
        Assert.Equal([4, 2, 1, 3], vocabulary.Encode("the cat flew sat"));
        Assert.Equal([1, 2], vocabulary.Encode("<pad> cat")); // padding is never read from text
        Assert.Equal("the cat <unk>", vocabulary.Decode([4, 2, 1, 0, 0]));

        Assert.Equal(["<pad>", "<unk>", "cat", "sat", "the"], Vocabulary.Build(["the cat sat", "the dog sat", "a cat"], minCount: 2).Tokens);
        Assert.Equal(["<pad>", "<unk>", "cat", "sat"], Vocabulary.Build(["the cat sat", "the dog sat", "a cat"], maxSize: 4).Tokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(["a"], maxSize: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(["a"], minCount: 0));
    }

    [Fact]
    public void A_character_vocabulary_keeps_spaces_and_round_trips_through_its_file()
    {
        var vocabulary = Vocabulary.Build(["ab a", "b\u00e9 \U0001F600"], Tokenization.Character);
        Assert.Equal(["<pad>", "<unk>", " ", "a", "b", "\u00e9", "\U0001F600"], vocabulary.Tokens);
        Assert.Equal([3, 2, 6, 1], vocabulary.Encode("a \U0001F600z"));

        var path = Path.Combine(_directory, "chars.txt");
        vocabulary.Save(path);
        Assert.Equal("<pad>\n<unk>\n \na\nb\n\u00e9\n\U0001F600\n", System.IO.File.ReadAllText(path));
        var loaded = Vocabulary.Load(path, Tokenization.Character);
        Assert.Equal(vocabulary.Tokens, loaded.Tokens);
        Assert.Equal(Tokenization.Character, loaded.Tokenization);

        var words = Vocabulary.Build(["x y z"]);
        words.Save(path);
        Assert.Equal(words.Tokens, Vocabulary.Load(path).Tokens);
    }

    [Theory]
    [InlineData("<unk>\n<pad>\na\n", "first two lines must be '<pad>' and '<unk>'")]
    [InlineData("<pad>\n<unk>\na\nb\na\n", "line 5: 'a' is already on line 3")]
    [InlineData("<pad>\n<unk>\na\n\nb\n", "line 4: an empty line is not a token")]
    [InlineData("<pad>\n<unk>\nnew york\n", "line 3: 'new york' is not one token of a Whitespace vocabulary")]
    public void A_bad_vocabulary_file_is_an_error_naming_the_line(string text, string expected)
    {
        var path = File("vocabulary.txt", text);
        var error = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Token_sequences_are_padded_at_the_end_and_truncation_is_counted()
    {
        using var data = LabeledDataset.FromTokenSequences([[5, 6, 7], [8], [9, 9, 9, 9, 9, 9], [4, 3, 0, 0], []], [1, 0, 1, 2, 0], length: 4, paddingIndex: 0, classes: 3);

        Assert.Equal(ScalarType.Int64, data.Inputs.dtype);
        Assert.Equal([5L, 4], data.Inputs.shape);
        Assert.Equal([5L, 6, 7, 0, 8, 0, 0, 0, 9, 9, 9, 9, 4, 3, 0, 0, 0, 0, 0, 0], data.Inputs.data<long>().ToArray());
        Assert.Equal([1L, 0, 1, 2, 0], data.Labels.data<long>().ToArray());
        Assert.Equal(new SequenceStatistics(Length: 4, PaddingIndex: 0, Truncated: 1, Longest: 6, Empty: 1), data.Sequences);
        Assert.Null(data.Subset(tensor(new long[] { 0, 1 })).Sequences);

        using var otherPadding = LabeledDataset.FromTokenSequences([[0, 1], [2]], [0, 1], length: 3, paddingIndex: 7);
        Assert.Equal([0L, 1, 7, 2, 7, 7], otherPadding.Inputs.data<long>().ToArray());
    }

    [Fact]
    public void Bad_token_sequences_are_errors_naming_the_sequence_and_position()
    {
        Assert.Contains("Sequence 1, position 2: token id -4 is negative",
            Assert.Throws<ArgumentException>(() => LabeledDataset.FromTokenSequences([[1], [2, 3, -4]], [0, 1], length: 5)).Message);
        Assert.Contains("Sequence 0, position 1: the padding id 0 comes before a real token (at position 2)",
            Assert.Throws<ArgumentException>(() => LabeledDataset.FromTokenSequences([[1, 0, 3]], [0], length: 5)).Message);
        Assert.Contains("There are 2 sequences but 1 labels",
            Assert.Throws<ArgumentException>(() => LabeledDataset.FromTokenSequences([[1], [2]], [0], length: 5)).Message);
        Assert.Contains("Label -1 of sequence 0 is negative",
            Assert.Throws<ArgumentException>(() => LabeledDataset.FromTokenSequences([[1]], [-1], length: 5)).Message);
        Assert.Contains("Labels must be in [0, 2)",
            Assert.Throws<ArgumentException>(() => LabeledDataset.FromTokenSequences([[1]], [2], length: 5, classes: 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabeledDataset.FromTokenSequences([[1]], [0], length: 0));
    }

    [Fact]
    public void A_text_file_of_labelled_lines_is_encoded_padded_and_counted()
    {
        var path = File("train.tsv", "1\tthe cat sat on the mat\n\n0\tdogs bark\r\n2\t  a cat   \n1\tthe\tcat\n");
        var vocabulary = Vocabulary.Build(LabeledDataset.ReadTexts(path), minCount: 2);
        Assert.Equal(["<pad>", "<unk>", "cat", "the"], vocabulary.Tokens);

        using var data = LabeledDataset.FromTextFile(path, vocabulary, length: 4, classes: 3);
        Assert.Equal([4L, 4], data.Inputs.shape);
        Assert.Equal([3L, 2, 1, 1, 1, 1, 0, 0, 1, 2, 0, 0, 3, 2, 0, 0], data.Inputs.data<long>().ToArray());
        Assert.Equal([1L, 0, 2, 1], data.Labels.data<long>().ToArray());
        Assert.Equal(new SequenceStatistics(4, 0, Truncated: 1, Longest: 6, Empty: 0, UnknownTokens: 5), data.Sequences);

        var named = File("named.tsv", "sports\tgoal\nnews\tvote\n");
        using var byName = LabeledDataset.FromTextFile(named, Vocabulary.Build(["goal vote"]), 3, classNames: ["news", "sports"]);
        Assert.Equal([1L, 0], byName.Labels.data<long>().ToArray());
        Assert.Equal(2, byName.Classes);
    }

    [Theory]
    [InlineData("1\tfine\n0 no tab here\n", "line 2: no tab; each line is a label, a tab, then the text")]
    [InlineData("1\tfine\nx\tbad label\n", "line 2: the label 'x' is not a class index")]
    [InlineData("1\tfine\n-1\tnegative\n", "line 2: the label '-1' is not a class index")]
    [InlineData("1\tfine\n\n0\t   \n", "line 3: the text after the tab is empty")]
    [InlineData("1\tfine\n5\ttoo big\n", "line 2: label 5 is not below the 3 classes")]
    [InlineData("\n\n", "has no samples")]
    public void A_bad_text_file_line_is_an_error_naming_the_file_and_line(string text, string expected)
    {
        var path = File("bad.tsv", text);
        var error = Assert.Throws<InvalidDataException>(() => LabeledDataset.FromTextFile(path, Vocabulary.Build(["fine"]), 4, classes: 3));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Class_names_that_do_not_match_are_an_error_naming_the_line()
    {
        var path = File("named.tsv", "sports\tgoal\nweather\train\n");
        var error = Assert.Throws<InvalidDataException>(() => LabeledDataset.FromTextFile(path, Vocabulary.Build(["goal"]), 3, classNames: ["news", "sports"]));
        Assert.Contains("line 2: the label 'weather' is not one of the classes 'news', 'sports'", error.Message);
    }

    /// <summary>A model as the generator describes one that starts with an [Embedding(10, 4, PaddingIndex = 0)] over [6] tokens.</summary>
    private sealed class DeclaredTokenModel : nn.Module<Tensor, Tensor>, IGeneratedModel
    {
        private readonly TokenEmbedding embedding = new(10, 4, paddingIndex: 0);

        public DeclaredTokenModel() : base(nameof(DeclaredTokenModel)) => RegisterComponents();

        public ModelDescription Description { get; } =
            new("Reader", ModelRole.Student, new Shape(6), new Shape(6, 4), 40, [], "") { Input = InputKind.Tokens, Vocabulary = 10 };

        public override Tensor forward(Tensor input) => embedding.call(input);
    }

    private sealed class DeclaredValueModel : nn.Module<Tensor, Tensor>, IGeneratedModel
    {
        private readonly Linear linear = nn.Linear(6, 2);

        public DeclaredValueModel() : base(nameof(DeclaredValueModel)) => RegisterComponents();

        public ModelDescription Description { get; } = new("Values", ModelRole.Model, new Shape(6), new Shape(2), 14, [], "");

        public override Tensor forward(Tensor input) => linear.call(input);
    }

    [Fact]
    public void Token_data_is_checked_against_the_models_type_and_vocabulary_before_training()
    {
        var model = new DeclaredTokenModel();
        using var fine = LabeledDataset.FromTokenSequences([[1, 2, 9], [3]], [0, 1], length: 6);
        InputCheck.Against(model, fine);

        using var outside = LabeledDataset.FromTokenSequences([[1, 2, 9], [3], [4, 5, 6, 12, 2, 10]], [0, 1, 0], length: 6);
        var error = Assert.Throws<ArgumentException>(() => InputCheck.Against(model, outside, "the training set"));
        Assert.Contains("Sample 2 of the training set holds token id 12 at position 3, outside Reader's vocabulary [0, 10) (2 such id(s) in all)", error.Message);

        using var floats = new LabeledDataset(zeros(2, 6), zeros(2, dtype: ScalarType.Int64));
        Assert.Contains("are Float32, but Reader starts with an embedding and reads int64 token ids", Assert.Throws<ArgumentException>(() => InputCheck.Against(model, floats)).Message);

        using var shorter = LabeledDataset.FromTokenSequences([[1, 2]], [0], length: 5);
        Assert.Contains("sequences of 5 tokens where the model reads 6: read the data with length: 6", Assert.Throws<ArgumentException>(() => InputCheck.Against(model, shorter)).Message);

        using var tokensForValues = LabeledDataset.FromTokenSequences([[1, 2]], [0], length: 6);
        Assert.Contains("int64 token ids are for a model whose first layer is an [Embedding]",
            Assert.Throws<ArgumentException>(() => InputCheck.Against(new DeclaredValueModel(), tokensForValues)).Message);
    }

    /// <summary>A token classifier as generated code runs it: a mask scope around the forward pass.</summary>
    private sealed class TokenClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly TokenEmbedding embedding;
        private readonly RecurrentLayer recurrent;
        private readonly Linear logits;

        public TokenClassifier(long seed, long hidden) : base(nameof(TokenClassifier))
        {
            using var seedScope = SeedScope.Enter(seed);
            embedding = new TokenEmbedding(12, 6, paddingIndex: 0);
            recurrent = new RecurrentLayer(RecurrentCell.Gru, 6, hidden, RecurrentOutput.LastState, bidirectional: true);
            logits = nn.Linear(2 * hidden, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var sequenceMask = SequenceMask.Enter();
            using var embedded = embedding.call(input);
            using var state = recurrent.call(embedded);
            return logits.call(state);
        }
    }

    private static LabeledDataset TokenData(int count, long seed)
    {
        var random = new Random((int)seed);
        var sequences = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(1, 12)).ToArray()).ToList();
        return LabeledDataset.FromTokenSequences(sequences, sequences.Select(s => s.Length % 3).ToList(), length: 8, classes: 3);
    }

    [Fact]
    public void The_teacher_cache_works_on_token_inputs_and_sees_a_changed_token()
    {
        using var data = TokenData(70, seed: 3);
        var path = Path.Combine(_directory, "teacher.cache");
        var teacher = new TokenClassifier(seed: 1, hidden: 8);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 5, TeacherCachePath = path };

        List<TrainingEvent> Train()
        {
            var events = new List<TrainingEvent>();
            TrainingLoop.Run(new ModuleTeacherTask(teacher, new TokenClassifier(seed: 2, hidden: 4)), data, null, options, new SynchronousProgress<TrainingEvent>(events.Add));
            return events;
        }

        var first = Train();
        Assert.Equal(TeacherCacheOutcome.Created, Assert.Single(first.OfType<TeacherCacheUsed>()).Outcome);
        var second = Train();
        Assert.Equal(TeacherCacheOutcome.Reused, Assert.Single(second.OfType<TeacherCacheUsed>()).Outcome);
        Assert.Equal(first.OfType<EpochCompleted>().Select(e => e.Result.TrainLoss), second.OfType<EpochCompleted>().Select(e => e.Result.TrainLoss));

        // The cached outputs are the teacher's on the int64 batches.
        using var cached = TeacherCache.LoadOrBuild(path, new ModuleTeacherTask(teacher, new TokenClassifier(2, 4)), data, 32, CPU).Cache;
        teacher.eval();
        using (no_grad()) Assert.True(cached.Features[0].allclose(teacher.call(data.Inputs), rtol: 0, atol: 1e-5));

        // One token changed in the data: the cache is rebuilt, saying why.
        using var changed = new LabeledDataset(data.Inputs.clone(), data.Labels, 3);
        changed.Inputs[5, 0] = changed.Inputs[5, 0] % 11 + 1;
        var rebuilt = TeacherCache.LoadOrBuild(path, new ModuleTeacherTask(teacher, new TokenClassifier(2, 4)), changed, 32, CPU);
        rebuilt.Cache.Dispose();
        Assert.Equal(TeacherCacheOutcome.Rebuilt, rebuilt.Outcome);
        Assert.Contains("the training data", rebuilt.Reason);
    }
}
