using System;
using System.Linq;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// Checks data against the model that will read it, before the first step: the samples' shape must be the model's
/// declared <c>InputShape</c> and their element type the model's (float32 unless built otherwise; int64 token ids in
/// [0, vocabulary) for a model that starts with an embedding). Without it, 19
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
            var hint = description.Input == InputKind.Tokens && actual.Length == 1 && expected.Length == 1
                ? $"sequences of {actual[0]} tokens where the model reads {expected[0]}: read the data with length: {expected[0]}"
                : perSample == wanted
                ? $"the same {perSample} values in another layout: reshape the inputs to [N, {string.Join(", ", expected)}]"
                : $"{perSample} values per sample where the model takes {wanted}: check the feature columns or the image size";
            throw new ArgumentException(
                $"The samples of {dataName} have shape [{string.Join(", ", actual)}], but {description.Name} declares InputShape = [{string.Join(", ", expected)}]; {hint}.");
        }
        if (description.Input == InputKind.Tokens)
        {
            Tokens(description, data, dataName);
            return;
        }
        var dtype = model.parameters().Select(p => p.dtype).FirstOrDefault(ScalarType.Float32);
        if (data.Inputs.dtype != dtype)
        {
            var tokens = data.Inputs.dtype == ScalarType.Int64 ? $" {description.Name} reads real values: int64 token ids are for a model whose first layer is an [Embedding]." : "";
            throw new ArgumentException(
                $"The inputs of {dataName} are {data.Inputs.dtype}, but {description.Name}'s parameters are {dtype}; convert them once (inputs.to({dtype})) or build the model with dtype: {dtype}.{tokens}");
        }
    }

    /// <summary>A token model's data: int64 ids in [0, vocabulary).</summary>
    private static void Tokens(ModelDescription description, LabeledDataset data, string dataName)
    {
        var inputs = data.Inputs;
        if (inputs.dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"The inputs of {dataName} are {inputs.dtype}, but {description.Name} starts with an embedding and reads int64 token ids; read them with LabeledDataset.FromTokenSequences or FromTextFile, or convert them once (inputs.to(ScalarType.Int64)).");
        if (description.Vocabulary <= 0 || inputs.numel() == 0) return;
        using var scope = NewDisposeScope();
        var bad = inputs.lt(0).logical_or_(inputs.ge(description.Vocabulary));
        if (!bad.any().item<bool>()) return;
        var at = bad.reshape(inputs.shape[0], -1).nonzero()[0];
        var (row, position) = (at[0].item<long>(), at[1].item<long>());
        var id = inputs.reshape(inputs.shape[0], -1)[row, position].item<long>();
        var count = bad.sum().item<long>();
        throw new ArgumentException(
            $"Sample {row} of {dataName} holds token id {id} at position {position}, outside {description.Name}'s vocabulary [0, {description.Vocabulary}) ({count} such id(s) in all); " +
            $"encode the data with the vocabulary the model was declared for (its [Embedding] has {description.Vocabulary} ids, the reserved ones included).");
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
