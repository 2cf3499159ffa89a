using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// The sequence layers' own contract: state_dict names and parameter counts, padding (packed recurrent layers, key padding,
/// masked pooling; results independent of the padding's content and length), the ambient mask's scoping, gradients,
/// training mode, conversion, the architecture text, and memory over many steps.
/// </summary>
public class SequenceLayerTests
{
    private static Tensor MaskOf(long[] lengths, long steps) => arange(steps).unsqueeze(0).ge(tensor(lengths).unsqueeze(1));

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().to(ScalarType.Float64).item<double>();

    [Fact]
    public void Recurrent_parameters_carry_PyTorchs_names_directly_under_the_layer_and_its_counts()
    {
        var lstm = new RecurrentLayer(RecurrentCell.Lstm, 5, 6, RecurrentOutput.Sequence, layers: 2, bidirectional: true);
        string[] names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"];
        Assert.Equal(names, lstm.state_dict().Keys);
        Assert.Equal([24L, 12], lstm.state_dict()["weight_ih_l1"].shape);
        // 4h(in + h) + 8h per layer and direction; in = h x directions above the first layer.
        Assert.Equal(2 * (4 * 6 * (5 + 6) + 8 * 6) + 2 * (4 * 6 * (12 + 6) + 8 * 6), lstm.parameters().Sum(p => p.numel()));
        var gru = new RecurrentLayer(RecurrentCell.Gru, 5, 6, RecurrentOutput.LastState, layers: 3);
        Assert.Equal(3 * 6 * (5 + 6) + 6 * 6 + 2 * (3 * 6 * (6 + 6) + 6 * 6), gru.parameters().Sum(p => p.numel()));
        Assert.Equal(12, gru.state_dict().Count);

        var block = new Block("Encoder", new TokenEmbedding(10, 5, 0), lstm);
        Assert.Contains("1.weight_hh_l1_reverse", block.state_dict().Keys);
        Assert.Equal(["0.weight", "1.weight_ih_l0"], block.state_dict().Keys.Take(2));
        Assert.Equal(17, block.parameters().Count());
    }

    [Fact]
    public void Transformer_parameters_carry_PyTorchs_TransformerEncoder_names_and_its_counts()
    {
        var encoder = new TransformerEncoderLayers(8, 2, 12, layers: 2);
        string[] layer = ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight", "linear1.bias",
            "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"];
        Assert.Equal(layer.Select(n => "layers.0." + n).Concat(layer.Select(n => "layers.1." + n)), encoder.state_dict().Keys);
        const int d = 8, ff = 12;
        Assert.Equal(2 * (3 * d * d + 3 * d + d * d + d + ff * d + ff + d * ff + d + 4 * d), encoder.parameters().Sum(p => p.numel()));
        Assert.Equal(0f, encoder.state_dict()["layers.1.self_attn.in_proj_bias"].abs().max().item<float>());
        Assert.Equal(0f, encoder.state_dict()["layers.0.self_attn.out_proj.bias"].abs().max().item<float>());
    }

    [Fact]
    public void Embedding_and_positional_encodings_hold_what_the_generator_counts()
    {
        var embedding = new TokenEmbedding(10, 4, paddingIndex: 3);
        Assert.Equal(["weight"], embedding.state_dict().Keys);
        Assert.Equal(0f, embedding.Weight[3].abs().max().item<float>());
        Assert.True(embedding.Weight[4].abs().max().item<float>() > 0);

        var sinusoidal = new PositionalEncodingLayer(6, 4);
        Assert.Empty(sinusoidal.state_dict());
        Assert.Empty(sinusoidal.parameters());
        var learned = new PositionalEncodingLayer(6, 4, PositionalEncodingKind.Learned, dropout: 0.1);
        Assert.Equal(["weight"], learned.state_dict().Keys);
        Assert.Equal(24, learned.parameters().Sum(p => p.numel()));
        Assert.Empty(new TimePoolingLayer(TimePooling.Max).parameters());

        var x = randn(2, 4, 4);
        Assert.True(sinusoidal.call(x).allclose(x + PositionalEncodingLayer.Sinusoids(6, 4).narrow(0, 0, 4)));
        Assert.Contains("T at most 6", Assert.Throws<ArgumentException>(() => sinusoidal.call(randn(2, 7, 4))).Message);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    public void A_padded_row_gives_the_state_and_outputs_of_its_unpadded_sequence(RecurrentCell cell)
    {
        using var seed = SeedScope.Enter(3);
        var last = new RecurrentLayer(cell, 4, 5, RecurrentOutput.LastState, layers: 2, bidirectional: true);
        var sequence = new RecurrentLayer(cell, 4, 5, RecurrentOutput.Sequence, layers: 2, bidirectional: true);
        sequence.load_state_dict(last.state_dict());
        var batch = randn(3, 8, 4);
        long[] lengths = [8, 5, 2];

        Tensor lastPadded, sequencePadded;
        using (SequenceMask.Enter())
        {
            SequenceMask.Set(MaskOf(lengths, 8));
            (lastPadded, sequencePadded) = (last.call(batch), sequence.call(batch));
        }

        for (var row = 0; row < 3; row++)
        {
            var alone = batch[row].narrow(0, 0, lengths[row]).unsqueeze(0);
            Assert.True(MaxDifference(last.call(alone)[0], lastPadded[row]) < 1e-6, $"row {row}: the final state differs from the unpadded sequence's");
            var steps = sequence.call(alone)[0];
            Assert.True(MaxDifference(steps, sequencePadded[row].narrow(0, 0, lengths[row])) < 1e-6, $"row {row}: the outputs differ");
            if (lengths[row] < 8) Assert.Equal(0f, sequencePadded[row].narrow(0, lengths[row], 8 - lengths[row]).abs().max().item<float>());
        }
        // Without a mask the padding is read like any step.
        Assert.True(MaxDifference(last.call(batch)[2], lastPadded[2]) > 1e-4);
    }

    /// <summary>Embedding (padding 0), positional encoding, Transformer, a recurrent layer and pooling: what a generated token model runs.</summary>
    private sealed class TokenModel : nn.Module<Tensor, Tensor>
    {
        private readonly Block body;
        private readonly Linear logits;

        public TokenModel(long length, RecurrentOutput output = RecurrentOutput.Sequence, bool normFirst = false) : base(nameof(TokenModel))
        {
            var layers = new List<nn.Module<Tensor, Tensor>>
            {
                new TokenEmbedding(20, 8, paddingIndex: 0),
                new PositionalEncodingLayer(length, 8),
                new TransformerEncoderLayers(8, 2, 16, dropout: 0.1, normFirst: normFirst),
                new RecurrentLayer(RecurrentCell.Gru, 8, 6, output, bidirectional: true),
            };
            if (output == RecurrentOutput.Sequence) layers.Add(new TimePoolingLayer(TimePooling.Mean));
            body = new Block("Body", [.. layers]);
            logits = nn.Linear(12, 3);
            RegisterComponents();
        }

        public Block Body => body;

        public override Tensor forward(Tensor input)
        {
            using var sequenceMask = SequenceMask.Enter();
            using var features = body.call(input);
            return logits.call(features);
        }
    }

    private static Tensor Tokens(params long[][] rows)
    {
        var length = rows.Max(r => r.Length);
        return stack(rows.Select(r => tensor(r.Concat(Enumerable.Repeat(0L, length - r.Length)).ToArray())).ToArray());
    }

    [Theory]
    [InlineData(RecurrentOutput.Sequence, false)]
    [InlineData(RecurrentOutput.LastState, true)]
    public void A_token_models_output_depends_neither_on_the_padding_vector_nor_on_how_much_padding_there_is(RecurrentOutput output, bool normFirst)
    {
        using var seed = SeedScope.Enter(5);
        var model = new TokenModel(12, output, normFirst);
        model.eval();
        long[] a = [4, 9, 2, 7, 7], b = [3, 1], c = [5, 6, 8, 2, 11, 4, 13, 19, 1];
        var reference = model.call(Tokens(a, b, c));
        // The same sequences in a longer padded batch, next to another row.
        var longer = model.call(Tokens(a, b, c, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
        Assert.True(MaxDifference(reference, longer.narrow(0, 0, 3)) < 1e-5, $"padding length changed the outputs by {MaxDifference(reference, longer.narrow(0, 0, 3))}");
        // A padding vector that is not zero (loaded from a PyTorch checkpoint, say) changes nothing either.
        var embedding = (TokenEmbedding)model.Body.Layers[0];
        using (no_grad()) embedding.Weight[0].normal_();
        Assert.True(MaxDifference(reference, model.call(Tokens(a, b, c))) < 1e-5);
        // Each row alone, unpadded, gives its row of the batch.
        Assert.True(MaxDifference(reference[1], model.call(Tokens(b))[0]) < 1e-5);
    }

    [Fact]
    public void A_row_that_is_all_padding_gives_zeros_and_nothing_is_NaN()
    {
        var mask = MaskOf([3, 0], 4);
        var x = randn(2, 4, 6);
        using var scope = SequenceMask.Enter();
        SequenceMask.Set(mask);
        var last = new RecurrentLayer(RecurrentCell.Lstm, 6, 3, RecurrentOutput.LastState, bidirectional: true).call(x);
        Assert.Equal(0f, last[1].abs().max().item<float>());
        Assert.Equal(0f, new RecurrentLayer(RecurrentCell.Gru, 6, 3, RecurrentOutput.Sequence).call(x)[1].abs().max().item<float>());
        Assert.False(new TransformerEncoderLayers(6, 2, 8).call(x).isnan().any().item<bool>());
        Assert.Equal(0f, new TimePoolingLayer(TimePooling.Max).call(x)[1].abs().max().item<float>());
        Assert.Equal(0f, new TimePoolingLayer(TimePooling.Mean).call(x)[1].abs().max().item<float>());
    }

    [Fact]
    public void Padding_before_a_real_token_is_an_error_naming_the_batch_row()
    {
        var layer = new RecurrentLayer(RecurrentCell.Gru, 4, 3, RecurrentOutput.LastState);
        using var scope = SequenceMask.Enter();
        SequenceMask.Set(tensor(new[,] { { false, false, true }, { true, false, false } }));
        var error = Assert.Throws<ArgumentException>(() => layer.call(randn(2, 3, 4)));
        Assert.Contains("Batch row 1 has padding before a real token", error.Message);
        Assert.Contains("GRU", error.Message);
    }

    [Fact]
    public void Global_pooling_ignores_padded_steps_and_windowed_pooling_pools_every_window()
    {
        var x = tensor(new float[] { 1, 5, 3, 100, 2, -1, -2, 100 }).view(2, 4, 1);
        using var scope = SequenceMask.Enter();
        SequenceMask.Set(MaskOf([3, 3], 4));
        Assert.Equal([5f, 2f], new TimePoolingLayer(TimePooling.Max).call(x).data<float>().ToArray());
        Assert.Equal([3f, -1f / 3], new TimePoolingLayer(TimePooling.Mean).call(x).data<float>().ToArray());
        var windows = new TimePoolingLayer(TimePooling.Max, kernel: 2).call(x);
        Assert.Equal([2L, 2, 1], windows.shape);
        Assert.Equal([5f, 100, 2, 100], windows.data<float>().ToArray());
        Assert.Equal([2L, 3, 1], new TimePoolingLayer(TimePooling.Mean, kernel: 2, stride: 1).call(x).shape);
        // A mask for another length does not apply.
        Assert.Equal([100f, 100], new TimePoolingLayer(TimePooling.Max).call(cat([x, x], 1)).data<float>().ToArray());
    }

    [Fact]
    public void The_mask_lives_in_its_scope_restores_the_enclosing_one_and_stays_on_its_thread()
    {
        Assert.Null(SequenceMask.Current);
        var ids = tensor(new long[,] { { 4, 2, 0 }, { 1, 0, 0 } });
        var embedding = new TokenEmbedding(5, 3, paddingIndex: 0);

        embedding.call(ids);
        Assert.Null(SequenceMask.Current); // no scope, nothing recorded

        Tensor outerMask;
        using (SequenceMask.Enter())
        {
            embedding.call(ids);
            outerMask = SequenceMask.Current!;
            Assert.Equal([false, false, true, false, true, true], outerMask.data<bool>().ToArray());
            using (SequenceMask.Enter())
            {
                Assert.Null(SequenceMask.Current); // a nested pass starts clean
                new TokenEmbedding(5, 3, paddingIndex: 1).call(ids);
                Assert.Equal([false, false, false, true, false, false], SequenceMask.Current!.data<bool>().ToArray());
            }
            Assert.Same(outerMask, SequenceMask.Current);
            Tensor? elsewhere = null;
            var thread = new Thread(() => elsewhere = SequenceMask.Current);
            thread.Start();
            thread.Join();
            Assert.Null(elsewhere);
            Assert.Null(SequenceMask.For(randn(2, 4, 3))); // another length: not this input's mask
            Assert.Null(SequenceMask.For(randn(3, 3, 3))); // another batch
            Assert.Same(outerMask, SequenceMask.For(randn(2, 3, 7)));
        }
        Assert.Null(SequenceMask.Current);
        Assert.True(outerMask.IsInvalid); // the scope disposed its mask

        // Without a padding index there is no mask.
        using (SequenceMask.Enter())
        {
            new TokenEmbedding(5, 3).call(ids);
            Assert.Null(SequenceMask.Current);
        }
    }

    [Fact]
    public void Bad_token_ids_are_errors_naming_the_id_and_where_it_is()
    {
        var embedding = new TokenEmbedding(10, 4, paddingIndex: 0);
        var outside = Assert.Throws<ArgumentException>(() => embedding.call(tensor(new long[,] { { 1, 2, 3 }, { 4, 10, 0 } })));
        Assert.Contains("Token id 10 in batch row 1, position 1 is outside the embedding's vocabulary [0, 10)", outside.Message);
        var negative = Assert.Throws<ArgumentException>(() => embedding.call(tensor(new long[,] { { 1, -3 } })));
        Assert.Contains("Token id -3 in batch row 0, position 1", negative.Message);
        var floats = Assert.Throws<ArgumentException>(() => embedding.call(randn(2, 3)));
        Assert.Contains("reads int64 token ids, but its input is Float32 [2, 3]", floats.Message);
        Assert.Contains("input size 4 reads [batch, T, 4], but got [2, 3, 5]",
            Assert.Throws<ArgumentException>(() => new RecurrentLayer(RecurrentCell.Lstm, 4, 2, RecurrentOutput.Sequence).call(randn(2, 3, 5))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransformerEncoderLayers(10, 3, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenEmbedding(10, 4, paddingIndex: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimePoolingLayer(TimePooling.Max, kernel: 0, stride: 2));
    }

    [Fact]
    public void Gradients_reach_every_parameter_but_the_padding_row()
    {
        using var seed = SeedScope.Enter(9);
        var model = new TokenModel(6);
        model.train();
        var tokens = Tokens([3, 4, 5, 6, 7, 8], [9, 10, 11], [12]);
        nn.functional.cross_entropy(model.call(tokens), tensor(new long[] { 0, 1, 2 })).backward();

        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.NotNull(parameter.grad);
            Assert.True(parameter.grad!.abs().sum().item<float>() > 0, $"{name} got no gradient");
        }
        var embedding = (TokenEmbedding)model.Body.Layers[0];
        Assert.Equal(0f, embedding.Weight.grad![0].abs().max().item<float>());
        Assert.Equal(0f, embedding.Weight.grad![19].abs().max().item<float>()); // an id no sample holds
    }

    [Fact]
    public void Training_mode_reaches_the_recurrent_cell_and_conversion_keeps_the_parameters_it_computes_with()
    {
        using var seed = SeedScope.Enter(4);
        var layer = new RecurrentLayer(RecurrentCell.Lstm, 4, 8, RecurrentOutput.LastState, layers: 2, dropout: 0.5);
        var x = randn(3, 5, 4);
        layer.train();
        Assert.True(MaxDifference(layer.call(x), layer.call(x)) > 1e-4, "dropout between layers should act in training mode");
        layer.eval();
        Assert.Equal(0, MaxDifference(layer.call(x), layer.call(x)));

        layer.to(ScalarType.Float64);
        Assert.All(layer.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.All(layer.state_dict().Values, t => Assert.Equal(ScalarType.Float64, t.dtype));
        var x64 = x.to(ScalarType.Float64);
        var before = layer.call(x64);
        // The registered parameters are the ones the cell computes with: a step on them changes the output.
        var optimizer = optim.SGD(layer.parameters(), 0.5);
        layer.call(x64).sum().backward();
        Assert.All(layer.parameters(), p => Assert.NotNull(p.grad));
        optimizer.step();
        Assert.True(MaxDifference(before, layer.call(x64)) > 1e-4);
        // And loading a state_dict writes into them.
        var other = new RecurrentLayer(RecurrentCell.Lstm, 4, 8, RecurrentOutput.LastState, layers: 2, dtype: ScalarType.Float64);
        other.eval();
        other.load_state_dict(layer.state_dict());
        Assert.Equal(0, MaxDifference(layer.call(x64), other.call(x64)));
    }

    [Fact]
    public void A_saved_recurrent_layer_loads_into_a_fresh_one_through_TorchSharps_format()
    {
        var saved = new RecurrentLayer(RecurrentCell.Gru, 3, 4, RecurrentOutput.Sequence, layers: 2, bidirectional: true);
        var fresh = new RecurrentLayer(RecurrentCell.Gru, 3, 4, RecurrentOutput.Sequence, layers: 2, bidirectional: true);
        var x = randn(2, 5, 3);
        Assert.True(MaxDifference(saved.call(x), fresh.call(x)) > 1e-4);
        var file = new MemoryStream();
        saved.save(file); // closes the stream; its bytes stay readable
        fresh.load(new MemoryStream(file.ToArray()));
        Assert.Equal(0, MaxDifference(saved.call(x), fresh.call(x)));
    }

    [Fact]
    public void The_architecture_text_tells_layers_apart_that_have_the_same_tensors()
    {
        static string Of(nn.Module module) => ModelArchitecture.Describe(module);
        Assert.NotEqual(Of(new RecurrentLayer(RecurrentCell.Lstm, 4, 8, RecurrentOutput.LastState)), Of(new RecurrentLayer(RecurrentCell.Lstm, 4, 8, RecurrentOutput.Sequence)));
        Assert.NotEqual(Of(new RecurrentLayer(RecurrentCell.Lstm, 4, 8, RecurrentOutput.LastState, layers: 2, dropout: 0.1)),
            Of(new RecurrentLayer(RecurrentCell.Lstm, 4, 8, RecurrentOutput.LastState, layers: 2, dropout: 0.2)));
        Assert.NotEqual(Of(new TransformerEncoderLayers(8, 2, 16)), Of(new TransformerEncoderLayers(8, 2, 16, normFirst: true)));
        Assert.NotEqual(Of(new TransformerEncoderLayers(8, 2, 16)), Of(new TransformerEncoderLayers(8, 4, 16)));
        Assert.NotEqual(Of(new TransformerEncoderLayers(8, 2, 16)), Of(new TransformerEncoderLayers(8, 2, 16, activation: FeedForwardActivation.GELU)));
        Assert.NotEqual(Of(new TokenEmbedding(10, 4)), Of(new TokenEmbedding(10, 4, paddingIndex: 0)));
        Assert.NotEqual(Of(new TimePoolingLayer(TimePooling.Max)), Of(new TimePoolingLayer(TimePooling.Mean)));
        Assert.NotEqual(Of(new PositionalEncodingLayer(6, 4)), Of(new PositionalEncodingLayer(6, 4, dropout: 0.1)));
        Assert.Contains("DslKd.RecurrentLayer(Cell=Gru, InputSize=4, HiddenSize=8, Output=Sequence, Layers=1, Bidirectional=True, Dropout=0)",
            Of(new RecurrentLayer(RecurrentCell.Gru, 4, 8, RecurrentOutput.Sequence, bidirectional: true)));
    }

    [Fact]
    public void Live_tensors_stay_flat_over_training_steps_with_padding()
    {
        using var seed = SeedScope.Enter(6);
        var model = new TokenModel(10, RecurrentOutput.LastState);
        var optimizer = optim.Adam(model.parameters(), 1e-3);
        var tokens = Tokens([3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [9, 10, 11], [12, 2]);
        var labels = tensor(new long[] { 0, 1, 2 });
        var live = new List<long>();
        for (var step = 0; step < 12; step++)
        {
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(tokens), labels).backward();
                optimizer.step();
            }
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        Assert.True(live[^1] <= live[2], $"live tensors after each step: {string.Join(", ", live)}");
    }
}
