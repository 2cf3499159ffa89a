using System.Text.Json;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// DslKd's sequence layers against PyTorch's own modules (Fixtures/sequence_peer.py, Debian's PyTorch 1.13): each layer's
/// state_dict loads into the PyTorch module with strict=True (so the key names and shapes are PyTorch's), both run in
/// eval mode on the same inputs (padded ones as packed sequences or with a key padding mask), and the outputs, the
/// embedding's gradient and the parameter counts must agree. One python3 run serves every case.
/// </summary>
public class SequencePeerTests(SequencePeerTests.Peer peer) : IClassFixture<SequencePeerTests.Peer>
{
    private const double Tolerance = 1e-5;

    /// <summary>Every case's DslKd outputs and PyTorch's, computed once for the class.</summary>
    public sealed class Peer : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-sequence-peer-" + Guid.NewGuid().ToString("N"));
        private readonly Lazy<Dictionary<string, (Dictionary<string, Tensor> Ours, Dictionary<string, Tensor> Theirs)>> _results;

        public Peer() => _results = new(Run);

        public (Dictionary<string, Tensor> Ours, Dictionary<string, Tensor> Theirs) this[string name] => _results.Value[name];

        public void Dispose()
        {
            if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        }

        private Dictionary<string, (Dictionary<string, Tensor>, Dictionary<string, Tensor>)> Run()
        {
            Directory.CreateDirectory(_directory);
            var manifest = new List<object>();
            var ours = new Dictionary<string, Dictionary<string, Tensor>>();
            foreach (var (name, kind, config, build) in Cases())
            {
                var (written, computed) = build();
                SafetensorsFile.Save(Path.Combine(_directory, name + ".in.safetensors"), written);
                manifest.Add(new { name, kind, config, input = name + ".in.safetensors" });
                ours[name] = computed;
            }
            var manifestPath = Path.Combine(_directory, "manifest.json");
            File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest));
            PythonTorch.Run(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sequence_peer.py"), manifestPath);
            return ours.ToDictionary(p => p.Key, p => (p.Value,
                SafetensorsFile.Load(Path.Combine(_directory, p.Key + ".out.safetensors")).ToDictionary(t => t.Name, t => t.Tensor)));
        }
    }

    private delegate (List<(string, Tensor)> Written, Dictionary<string, Tensor> Ours) Build();

    /// <summary>Lengths of the padded batches: every row has at least one real step (PyTorch cannot pack an empty one).</summary>
    private static readonly long[] Lengths = [7, 3, 1, 5];

    private static Tensor MaskOf(long[] lengths, long steps) =>
        arange(steps).unsqueeze(0).ge(tensor(lengths).unsqueeze(1));

    private static List<(string, Tensor)> StateOf(nn.Module module) => module.state_dict().Select(p => (p.Key, p.Value)).ToList();

    private static IEnumerable<(string Name, string Kind, object Config, Build Build)> Cases()
    {
        foreach (var cell in new[] { RecurrentCell.Lstm, RecurrentCell.Gru })
        foreach (var bidirectional in new[] { false, true })
        foreach (var padded in new[] { false, true })
        {
            var name = $"{cell}_{(bidirectional ? "bi" : "uni")}_{(padded ? "packed" : "full")}".ToLowerInvariant();
            var config = new { cell = cell.ToString().ToLowerInvariant(), input = 5, hidden = 6, layers = 2, bidirectional };
            yield return (name, "recurrent", config, () =>
            {
                using var seed = SeedScope.Enter(11);
                var sequence = new RecurrentLayer(cell, 5, 6, RecurrentOutput.Sequence, layers: 2, bidirectional: bidirectional, dropout: 0.3);
                var last = new RecurrentLayer(cell, 5, 6, RecurrentOutput.LastState, layers: 2, bidirectional: bidirectional, dropout: 0.3);
                last.load_state_dict(sequence.state_dict());
                sequence.eval();
                last.eval();
                var input = randn(4, 7, 5);
                var written = StateOf(sequence).Append(("input", input)).ToList();
                var ours = new Dictionary<string, Tensor> { ["parameters"] = tensor(sequence.parameters().Sum(p => p.numel())) };
                using (no_grad())
                using (SequenceMask.Enter())
                {
                    if (padded)
                    {
                        SequenceMask.Set(MaskOf(Lengths, 7));
                        written.Add(("lengths", tensor(Lengths)));
                    }
                    ours["sequence"] = sequence.call(input);
                    ours["last"] = last.call(input);
                }
                return (written, ours);
            });
        }

        foreach (var (normFirst, activation, masked) in new[] { (false, FeedForwardActivation.ReLU, true), (true, FeedForwardActivation.GELU, true), (false, FeedForwardActivation.GELU, false), (true, FeedForwardActivation.ReLU, false) })
        {
            var name = $"transformer_{(normFirst ? "prenorm" : "postnorm")}_{activation}_{(masked ? "masked" : "full")}".ToLowerInvariant();
            var config = new { dimensions = 8, heads = 2, feedForward = 12, normFirst, activation = activation.ToString().ToLowerInvariant(), layers = 2 };
            yield return (name, "transformer", config, () =>
            {
                using var seed = SeedScope.Enter(12);
                var encoder = new TransformerEncoderLayers(8, 2, 12, dropout: 0.1, normFirst: normFirst, activation: activation, layers: 2);
                encoder.eval();
                var input = randn(4, 7, 8);
                var written = StateOf(encoder).Append(("input", input)).ToList();
                var ours = new Dictionary<string, Tensor> { ["parameters"] = tensor(encoder.parameters().Sum(p => p.numel())) };
                using (no_grad())
                using (SequenceMask.Enter())
                {
                    if (masked)
                    {
                        var mask = MaskOf(Lengths, 7);
                        written.Add(("mask", mask.clone()));
                        SequenceMask.Set(mask);
                    }
                    ours["output"] = encoder.call(input);
                }
                return (written, ours);
            });
        }

        yield return ("embedding", "embedding", new { vocabulary = 9, dimensions = 4, paddingIndex = 2 }, () =>
        {
            using var seed = SeedScope.Enter(13);
            var embedding = new TokenEmbedding(9, 4, paddingIndex: 2);
            var ids = tensor(new long[,] { { 1, 2, 2, 8 }, { 2, 0, 5, 2 }, { 3, 3, 2, 7 } });
            var upstream = randn(3, 4, 4);
            var written = StateOf(embedding).Append(("input", ids)).Append(("upstream", upstream)).ToList();
            var output = embedding.call(ids);
            (output * upstream).sum().backward();
            return (written, new Dictionary<string, Tensor>
            {
                ["output"] = output.detach(),
                ["gradient"] = embedding.Weight.grad!.clone(),
                ["parameters"] = tensor(embedding.parameters().Sum(p => p.numel())),
            });
        });

        long[] poolLengths = [7, 2, 0, 4];
        foreach (var pooling in new[] { TimePooling.Max, TimePooling.Mean })
        {
            yield return ($"pool_global_{pooling}".ToLowerInvariant(), "pooling", new { pooling = pooling.ToString().ToLowerInvariant(), kernel = 0, stride = 0 }, () =>
            {
                using var seed = SeedScope.Enter(14);
                var input = randn(4, 7, 3);
                var ours = new Dictionary<string, Tensor>();
                using (SequenceMask.Enter())
                {
                    SequenceMask.Set(MaskOf(poolLengths, 7));
                    ours["output"] = new TimePoolingLayer(pooling).call(input);
                }
                return ([("input", input), ("lengths", tensor(poolLengths))], ours);
            });
            yield return ($"pool_window_{pooling}".ToLowerInvariant(), "pooling", new { pooling = pooling.ToString().ToLowerInvariant(), kernel = 3, stride = 2 }, () =>
            {
                using var seed = SeedScope.Enter(15);
                var input = randn(4, 8, 3);
                return ([("input", input)], new Dictionary<string, Tensor> { ["output"] = new TimePoolingLayer(pooling, kernel: 3, stride: 2).call(input) });
            });
        }

        foreach (var dimensions in new[] { 8, 7 })
            yield return ($"positional_{dimensions}", "positional", new { length = 50, dimensions }, () =>
                ([("unused", zeros(1))], new Dictionary<string, Tensor> { ["encoding"] = new PositionalEncodingLayer(50, dimensions).Encoding.clone() }));
    }

    private void Same(string name, params string[] outputs)
    {
        var (ours, theirs) = peer[name];
        foreach (var output in outputs)
        {
            Assert.Equal(theirs[output].shape, ours[output].shape);
            var difference = (ours[output] - theirs[output]).abs().max().item<float>();
            Assert.True(difference < Tolerance, $"{name}: '{output}' differs from PyTorch's by {difference}");
        }
        if (theirs.TryGetValue("parameters", out var count)) Assert.Equal(count.item<long>(), ours["parameters"].item<long>());
    }

    [PyTorchTheory]
    [InlineData("lstm_uni_full")]
    [InlineData("lstm_bi_full")]
    [InlineData("gru_uni_full")]
    [InlineData("gru_bi_full")]
    public void Two_layer_LSTM_and_GRU_compute_what_PyTorchs_own_modules_compute(string name) => Same(name, "sequence", "last");

    [PyTorchTheory]
    [InlineData("lstm_uni_packed")]
    [InlineData("lstm_bi_packed")]
    [InlineData("gru_uni_packed")]
    [InlineData("gru_bi_packed")]
    public void Masked_batches_run_as_PyTorchs_packed_sequences(string name)
    {
        Same(name, "sequence", "last");
        // Zero at padded steps, as pad_packed_sequence gives.
        var sequence = peer[name].Ours["sequence"];
        Assert.Equal(0f, sequence[2, TensorIndex.Slice(1, null)].abs().max().item<float>());
    }

    [PyTorchTheory]
    [InlineData("transformer_postnorm_relu_masked")]
    [InlineData("transformer_prenorm_gelu_masked")]
    [InlineData("transformer_postnorm_gelu_full")]
    [InlineData("transformer_prenorm_relu_full")]
    public void Transformer_encoder_layers_compute_what_PyTorchs_TransformerEncoder_computes(string name) => Same(name, "output");

    [PyTorchFact]
    public void The_embedding_matches_nn_Embedding_with_padding_idx_in_output_and_gradient()
    {
        Same("embedding", "output", "gradient");
        Assert.Equal(0f, peer["embedding"].Ours["gradient"][2].abs().max().item<float>());
    }

    [PyTorchTheory]
    [InlineData("pool_global_max")]
    [InlineData("pool_global_mean")]
    [InlineData("pool_window_max")]
    [InlineData("pool_window_mean")]
    public void Pooling_over_time_matches_PyTorch_on_the_real_steps_and_as_1d_pooling(string name) => Same(name, "output");

    [PyTorchTheory]
    [InlineData("positional_8")]
    [InlineData("positional_7")]
    public void The_sinusoidal_encoding_is_the_one_of_the_PyTorch_tutorial(string name) => Same(name, "encoding");
}

/// <summary>A theory that needs /usr/bin/python3 with PyTorch (Debian's python3-torch); skipped, saying so, where it is missing.</summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public PyTorchTheoryAttribute()
    {
        if (!PythonTorch.Available) Skip = "needs /usr/bin/python3 with PyTorch (apt-get install python3-torch)";
    }
}
