using System.Collections.Generic;
using System.Linq;

namespace DslKd.Generators.Emit;

/// <summary>Writes what every trainable recipe shares: DefaultOptions, Train(...) and the ITrainingTask members.</summary>
internal static class TrainingEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    /// <param name="writer">Where to write.</param>
    /// <param name="initializers">The object-initializer lines of DefaultOptions, each with the attribute it came from.</param>
    /// <param name="sources">The training attributes as written (<c>Epochs(10)</c>), quoted in DefaultOptions' documentation.</param>
    /// <param name="what">What Train does, for its documentation.</param>
    public static void DefaultOptionsAndTrain(CodeWriter writer, IEnumerable<string> initializers, IReadOnlyList<string> sources, string what)
    {
        writer.Line("/// <summary>");
        if (sources.Count > 0)
        {
            writer.Line($"/// Generated from {string.Join(", ", sources.Select(s => "[" + ModelEmitter.XmlText(s) + "]"))};");
            writer.Line("/// the other options keep the defaults of <see cref=\"global::DslKd.TrainingOptions\"/>. Change any at run time with <c>DefaultOptions with { ... }</c>.");
        }
        else
        {
            writer.Line("/// The defaults of <see cref=\"global::DslKd.TrainingOptions\"/>: the recipe has no training attributes ([Optimizer], [Epochs], [BatchSize], ...).");
            writer.Line("/// Change any at run time with <c>DefaultOptions with { ... }</c>.");
        }
        writer.Line("/// </summary>");
        writer.Line("public static global::DslKd.TrainingOptions DefaultOptions { get; } = new global::DslKd.TrainingOptions");
        writer.Line("{");
        using (writer.Indent())
        {
            foreach (var line in initializers) writer.Line(ModelEmitter.OneLine(line));
        }
        writer.Line("};");
        writer.Line();
        writer.Line($"/// <summary>Trains: {what}, evaluating after each epoch when <paramref name=\"evaluation\"/> is given.</summary>");
        writer.Line("/// <param name=\"train\">The training set.</param>");
        writer.Line("/// <param name=\"evaluation\">A held-out set for the per-epoch metrics (loss, accuracy, per-class accuracy, confusion matrix).</param>");
        writer.Line("/// <param name=\"options\">Overrides of <see cref=\"DefaultOptions\"/>.</param>");
        writer.Line("/// <param name=\"progress\">Receives the progress events.</param>");
        writer.Line("/// <param name=\"cancellationToken\">Stops the run between steps.</param>");
        writer.Line("public global::DslKd.TrainingResult Train(global::DslKd.LabeledDataset train, global::DslKd.LabeledDataset? evaluation = null, " +
                    "global::DslKd.TrainingOptions? options = null, global::System.IProgress<global::DslKd.TrainingEvent>? progress = null, " +
                    "global::System.Threading.CancellationToken cancellationToken = default) =>");
        using (writer.Indent())
            writer.Line("global::DslKd.TrainingLoop.Run(this, train, evaluation, options ?? DefaultOptions, progress, cancellationToken);");
    }

    public static void TaskMembers(CodeWriter writer, string className, string trainable, IReadOnlyList<string> moveTo, IReadOnlyList<string> loss, string predict)
    {
        writer.Line($"string global::DslKd.ITrainingTask.Name => nameof({Identifiers.Id(className)});");
        writer.Line();
        writer.Line($"global::TorchSharp.torch.nn.Module global::DslKd.ITrainingTask.Trainable => {trainable};");
        writer.Line();
        using (writer.Block("void global::DslKd.ITrainingTask.MoveTo(global::TorchSharp.torch.Device device)"))
        {
            foreach (var line in moveTo) writer.Line(line);
        }
        writer.Line();
        using (writer.Block($"global::DslKd.StepLoss global::DslKd.ITrainingTask.ComputeTrainingLoss({Tensor} inputs, {Tensor} labels)"))
        {
            foreach (var line in loss) writer.Line(line);
        }
        writer.Line();
        writer.Line($"{Tensor} global::DslKd.ITrainingTask.Predict({Tensor} inputs) => {predict};");
    }
}
