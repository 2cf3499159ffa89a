using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>A term with WarmupEpochs counts Weight * min(epoch / WarmupEpochs, 1) in a training run, and in full outside one.</summary>
public class LossWarmupTests
{
    [Fact]
    public void The_weight_ramps_in_over_the_declared_epochs_and_the_other_terms_keep_theirs()
    {
        var data = QuadrantData.Create(256, seed: 10);
        var teacher = new QuadrantTeacher(seed: 1);
        var recipe = new WarmedUpDistilQuadrants(teacher, new QuadrantStudent(seed: 3), seed: 4);
        var probe = data.Inputs.narrow(0, 0, 8);
        var probeLabels = data.Labels.narrow(0, 0, 8);
        var seen = new WeightsPerEpoch(() =>
        {
            using var scope = NewDisposeScope();
            return recipe.ComputeLoss(probe, probeLabels).Terms.ToDictionary(t => t.Name, t => t.Weight);
        });

        var options = WarmedUpDistilQuadrants.DefaultOptions;
        TrainingLoop.Run(recipe, data, null, options, [.. TrainingLoop.DefaultCallbacks(options), seen]);

        Assert.Equal([0.2, 0.4, 0.6, 0.8, 0.8], seen.Epochs.Select(w => Math.Round(w["DecoupledKD"], 12)));
        Assert.All(seen.Epochs, w => Assert.Equal(0.5, w["HardLabels"]));
        // Outside a training run the term counts in full.
        using var after = NewDisposeScope();
        Assert.Equal(0.8, recipe.ComputeLoss(probe, probeLabels).Terms.Single(t => t.Name == "DecoupledKD").Weight);
        Assert.Null(LossWarmup.CurrentEpoch);
    }

    [Fact]
    public void The_factor_is_one_outside_training_and_refuses_a_negative_warm_up()
    {
        Assert.Equal(1.0, LossWarmup.Factor(20));
        Assert.Equal(1.0, LossWarmup.Factor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LossWarmup.Factor(-1));
    }

    /// <summary>Records the recipe's term weights at the first step of each epoch.</summary>
    private sealed class WeightsPerEpoch(Func<Dictionary<string, double>> read) : TrainingCallback
    {
        private bool _recorded;

        public List<Dictionary<string, double>> Epochs { get; } = [];

        public override void OnEpochStart(TrainingContext context) => _recorded = false;

        public override void OnStepEnd(TrainingContext context, TrainingStep step)
        {
            if (_recorded) return;
            _recorded = true;
            Epochs.Add(read());
        }
    }
}
