using Xunit;
using static DslKd.Runtime.Tests.PyTorchImportTests;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>Opaque teachers: TorchScript files written by PyTorch 1.13 (Fixtures/make_import_fixtures.py), loaded in libtorch 2.10.</summary>
public class TorchScriptTeacherTests
{
    [Theory]
    [InlineData("small_cnn.traced.pt", "small_cnn")]
    [InlineData("small_cnn.scripted.pt", "small_cnn")]
    [InlineData("tiny_resnet.traced.pt", "tiny_resnet")]
    public void A_pytorch_1_13_torchscript_file_loads_and_reproduces_pytorchs_logits(string file, string model)
    {
        nn.Module<Tensor, Tensor> declared = model == "small_cnn" ? new ScriptedCnn() : new ScriptedTinyResNet();
        TorchScriptLayer.Load(declared, Fixture(file));
        var (input, expected) = InputsAndLogits(model);

        declared.train();   // the TorchScript module stays in evaluation mode regardless
        using (no_grad())
            Assert.True(MaxDifference(declared.call(input), expected) < 1e-5, $"{file}: logits differ by {MaxDifference(declared.call(input), expected)}");
        Assert.All(declared.parameters(), p => Assert.False(p.requires_grad));
        Assert.Contains(declared.state_dict().Keys, k => k.StartsWith("Logits.0.script."));
    }

    [Fact]
    public void A_recipe_distils_from_a_torchscript_teacher_with_every_logit_term()
    {
        var teacher = new ScriptedCnn();
        TorchScriptLayer.Load(teacher, Fixture("small_cnn.traced.pt"));
        var recipe = new TinyMlpFromTorchScript(teacher, new TinyMlp(seed: 1));
        var (input, _) = InputsAndLogits("small_cnn");

        var losses = recipe.ComputeLoss(input, tensor(new long[] { 0, 1, 2, 0 }));
        losses.Total.backward();

        Assert.True(double.IsFinite(losses.Total.item<float>()));
        Assert.Equal(243, TinyMlpFromTorchScript.TeacherParameterCount);
        Assert.Equal(243.0 / TinyMlp.ParameterCount, TinyMlpFromTorchScript.CompressionRatio);
        Assert.All(teacher.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void A_torchscript_file_of_another_model_is_refused_when_it_loads()
    {
        var error = Assert.Throws<InvalidDataException>(() => TorchScriptLayer.Load(new ScriptedCnn(), Fixture("tiny_resnet.traced.pt")));
        Assert.Contains("tiny_resnet.traced.pt", error.Message);
        Assert.Contains("parameters but the layer declares Parameters = 243", error.Message);   // checked before the input shape
    }

    [Fact]
    public void A_torchscript_file_that_fails_on_the_declared_input_or_returns_other_classes_is_refused()
    {
        var wrongInput = Assert.Throws<InvalidDataException>(() => TorchScriptLayer.Load(new ScriptedTinyResNet(), Fixture("small_cnn.traced.pt")));
        Assert.Contains("fails on the declared input shape [3, 8, 8]", wrongInput.Message);

        var wrongClasses = Assert.Throws<InvalidDataException>(() => TorchScriptLayer.LoadChecked(Fixture("small_cnn.traced.pt"), [1, 8, 8], outputs: 10));
        Assert.Contains("returns [2, 3] for a batch of 2 inputs [1, 8, 8], but the layer declares 10 outputs", wrongClasses.Message);

        var notScript = Assert.Throws<InvalidDataException>(() => TorchScriptLayer.Load(new ScriptedCnn(), Fixture("small_cnn.pt")));
        Assert.Contains("is not a TorchScript module", notScript.Message);
    }

    [Fact]
    public void An_empty_layer_or_a_wrong_batch_says_what_to_do()
    {
        var empty = Assert.Throws<InvalidOperationException>(() => new ScriptedCnn().call(zeros(2, 1, 8, 8)));
        Assert.Contains("TorchScriptLayer.Load", empty.Message);
        var loaded = new ScriptedCnn();
        TorchScriptLayer.Load(loaded, Fixture("small_cnn.traced.pt"));
        var wrong = Assert.Throws<ArgumentException>(() => loaded.call(zeros(2, 64)));
        Assert.Contains("takes inputs [batch, 1, 8, 8] but got [2, 64]", wrong.Message);
    }
}
