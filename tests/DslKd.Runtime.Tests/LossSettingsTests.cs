using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>The generated LossSettings: the loss reads them at run time, exactly as if the attributes had said so.</summary>
[Collection("Training")]
public class LossSettingsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Run_time_settings_give_the_loss_the_attributes_would_have_given()
    {
        var teacher = new QuadrantTeacher(seed: 1);
        var data = QuadrantData.Create(64, seed: 5);
        var asWritten = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4);
        var overridden = new DistilQuadrantsOtherNumbers(teacher, new QuadrantStudent(seed: 3), seed: 4,
            loss: DistilQuadrantsOtherNumbers.DefaultLoss with { SoftTargetsTemperature = 2, SoftTargetsWeight = 0.7, HardLabelsWeight = 0.3, HiddenHintWeight = 0.1 });

        var expected = asWritten.ComputeLoss(data.Inputs, data.Labels);
        var actual = overridden.ComputeLoss(data.Inputs, data.Labels);

        Assert.Equal(expected.Total.item<float>(), actual.Total.item<float>(), 6);
        Assert.Equal(expected.SoftTargets.item<float>(), actual.SoftTargets.item<float>(), 6);
        Assert.Equal(expected.Terms.Select(t => t.Weight), actual.Terms.Select(t => t.Weight));
        // And the defaults are the attributes' own numbers.
        var defaults = new DistilQuadrantsOtherNumbers(teacher, new QuadrantStudent(seed: 3), seed: 4).ComputeLoss(data.Inputs, data.Labels);
        Assert.NotEqual(expected.Total.item<float>(), defaults.Total.item<float>());
        Assert.Equal([0.2, 0.8, 0.5], defaults.Terms.Select(t => t.Weight));
    }

    [Fact]
    public void Settings_print_back_as_the_attribute_lines_to_paste()
    {
        var tuned = DistilQuadrants.DefaultLoss.With("SoftTargets.Temperature", 1.5).With("HardLabels.Weight", 0.25);

        Assert.Equal(string.Join(Environment.NewLine,
            "[SoftTargets(Temperature = 1.5, Weight = 0.7)]",
            "[HardLabels(Weight = 0.25)]",
            "[FeatureHint(nameof(QuadrantTeacher.Hidden), nameof(QuadrantStudent.Hidden), Weight = 0.1)]"), tuned.ToAttributes());
        Assert.Equal(["SoftTargets.Temperature", "SoftTargets.Weight", "HardLabels.Weight", "HiddenHint.Weight"], tuned.Values.Select(v => v.Name));
        Assert.Equal("SoftTargets.Temperature=1.5;SoftTargets.Weight=0.7;HardLabels.Weight=0.25;HiddenHint.Weight=0.1", LossSettingsSupport.Fingerprint(tuned));
    }

    [Fact]
    public void Unknown_names_and_out_of_range_values_are_refused_with_the_rule()
    {
        var unknown = Assert.Throws<ArgumentException>(() => DistilQuadrants.DefaultLoss.With("SoftTargets.Temprature", 2));
        Assert.Contains("no loss setting 'SoftTargets.Temprature'; it has SoftTargets.Temperature, SoftTargets.Weight, HardLabels.Weight, HiddenHint.Weight", unknown.Message);

        var teacher = new QuadrantTeacher(seed: 1);
        var zeroTemperature = Assert.Throws<ArgumentException>(() =>
            new DistilQuadrants(teacher, new QuadrantStudent(), loss: DistilQuadrants.DefaultLoss with { SoftTargetsTemperature = 0 }));
        Assert.StartsWith("Loss setting SoftTargets.Temperature must be a positive number, but is 0.", zeroTemperature.Message);
        var negativeWeight = Assert.Throws<ArgumentException>(() =>
            new DistilQuadrants(teacher, new QuadrantStudent(), loss: DistilQuadrants.DefaultLoss with { HardLabelsWeight = -1 }));
        Assert.StartsWith("Loss setting HardLabels.Weight must be zero or a positive number, but is -1.", negativeWeight.Message);
        Assert.Throws<ArgumentException>(() =>
            new DistilQuadrants(teacher, new QuadrantStudent(), loss: DistilQuadrants.DefaultLoss with { HiddenHintWeight = double.NaN }));
        // DKD0020's rule at run time: a tuner that sets every weight to 0 would train nothing.
        var allZero = Assert.Throws<ArgumentException>(() => new DistilQuadrants(teacher, new QuadrantStudent(),
            loss: DistilQuadrants.DefaultLoss with { SoftTargetsWeight = 0, HardLabelsWeight = 0, HiddenHintWeight = 0 }));
        Assert.StartsWith("Every term's weight is 0 (SoftTargets.Weight, HardLabels.Weight, HiddenHint.Weight)", allZero.Message);
    }

    [Fact]
    public void A_checkpoint_written_with_other_loss_settings_is_not_resumed()
    {
        var teacher = new QuadrantTeacher(seed: 1);
        var data = QuadrantData.Create(64, seed: 5);
        var options = DistilQuadrants.DefaultOptions with { Epochs = 1, CheckpointDirectory = _directory };
        new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4).Train(data, options: options);

        var other = new DistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4, loss: DistilQuadrants.DefaultLoss with { SoftTargetsTemperature = 8 });
        var error = Assert.Throws<InvalidOperationException>(() => other.Train(data, options: options));
        Assert.Contains("SoftTargets.Temperature=8", error.Message);
    }
}

public class LossSettingsTextTests
{
    [Fact]
    public void Settings_text_applies_back_onto_the_defaults()
    {
        var applied = LossSettingsSupport.Apply(DistilQuadrants.DefaultLoss, "SoftTargets.Temperature=1.5; HardLabels.Weight=0.25");

        Assert.Equal(DistilQuadrants.DefaultLoss with { SoftTargetsTemperature = 1.5, HardLabelsWeight = 0.25 }, applied);
        Assert.Equal(applied, LossSettingsSupport.Apply(DistilQuadrants.DefaultLoss, LossSettingsSupport.Fingerprint(applied)));
        Assert.Contains("write Name=number", Assert.Throws<FormatException>(() => LossSettingsSupport.Apply(DistilQuadrants.DefaultLoss, "SoftTargets.Temperature:2")).Message);
        Assert.Throws<ArgumentException>(() => LossSettingsSupport.Apply(DistilQuadrants.DefaultLoss, "Nope=2"));
        Assert.Throws<ArgumentException>(() => LossSettingsSupport.Apply(DistilQuadrants.DefaultLoss, "SoftTargets.Temperature=-2"));
    }
}
