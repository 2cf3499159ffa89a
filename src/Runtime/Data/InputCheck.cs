using System;
using System.Linq;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Checks data against the model that will read it, before the first step: the samples' shape must be the model's
/// declared <c>InputShape</c> and their element type the model's (float32 unless built otherwise). Without it, 19
/// features into an <c>InputShape = [20]</c> model or float64 inputs fail deep in libtorch ("mat1 and mat2 shapes cannot
/// be multiplied", native stack frames).
/// </summary>
public static class InputCheck
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="dataName"/>, both shapes or types, and the fix, when <paramref name="data"/> does not fit <paramref name="model"/>.</summary>
    /// <param name="model">A generated model (its description gives the input shape; its parameters the element type).</param>
    /// <param name="data">The dataset.</param>
    /// <param name="dataName">What to call the data in the message, e.g. "the training set".</param>
    public static void Against(nn.Module model, LabeledDataset data, string dataName = "the data")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model is not IGeneratedModel generated) return;
        var description = generated.Description;
        var expected = description.InputShape.ToArray();
        var actual = data.Inputs.shape.Skip(1).ToArray();
        if (!actual.SequenceEqual(expected))
        {
            var perSample = actual.Aggregate(1L, (p, d) => p * d);
            var wanted = expected.Aggregate(1L, (p, d) => p * d);
            var hint = perSample == wanted
                ? $"the same {perSample} values in another layout: reshape the inputs to [N, {string.Join(", ", expected)}]"
                : $"{perSample} values per sample where the model takes {wanted}: check the feature columns or the image size";
            throw new ArgumentException(
                $"The samples of {dataName} have shape [{string.Join(", ", actual)}], but {description.Name} declares InputShape = [{string.Join(", ", expected)}]; {hint}.");
        }
        var dtype = model.parameters().Select(p => p.dtype).FirstOrDefault(ScalarType.Float32);
        if (data.Inputs.dtype != dtype)
            throw new ArgumentException(
                $"The inputs of {dataName} are {data.Inputs.dtype}, but {description.Name}'s parameters are {dtype}; convert them once (inputs.to({dtype})) or build the model with dtype: {dtype}.");
    }

    /// <summary>The model a training task feeds its batches to: the task's trainable module, or the generated model registered in it (a recipe's student).</summary>
    internal static nn.Module? ModelOf(ITrainingTask task) =>
        task.Trainable is IGeneratedModel ? task.Trainable : task.Trainable.children().FirstOrDefault(c => c is IGeneratedModel);

    internal static void ForTask(ITrainingTask task, LabeledDataset train, LabeledDataset? evaluation)
    {
        if (ModelOf(task) is not { } model) return;
        Against(model, train, "the training set");
        if (evaluation is not null) Against(model, evaluation, "the evaluation set");
    }
}
