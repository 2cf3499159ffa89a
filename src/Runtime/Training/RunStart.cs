using System;
using System.Security.Cryptography;
using System.Text;

namespace DslKd;

/// <summary>
/// What a run starts from besides its options: the recipe type, the architecture of the trainable module and of a
/// teacher (<see cref="ModelArchitecture"/>), a teacher's weights, and the data. Part of a checkpoint's identity, so a
/// checkpoint is never resumed with another teacher, another model (a changed activation or dropout probability leaves
/// the state_dict as it was) or other data (a retrained teacher, another validation split), which would silently mix two
/// runs. The trainable model's initial weights are not part of it: a resumed process re-creates the model, unseeded
/// models differ each time, and the checkpoint replaces them.
/// </summary>
internal static class RunStart
{
    /// <summary>A SHA-256 (hex, 16 characters) of the starting point.</summary>
    public static string Hash(ITrainingTask task, LabeledDataset train, LabeledDataset? evaluation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(task.GetType().FullName ?? task.Name));
        hash.AppendData(Encoding.UTF8.GetBytes(ModelArchitecture.Describe(task.Trainable)));
        if (task is ICachedTeacherTask distillation)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(ModelArchitecture.Describe(distillation.Teacher)));
            TensorHash.AppendModule(hash, distillation.Teacher);
        }
        TensorHash.Append(hash, train.Inputs);
        TensorHash.Append(hash, train.Labels);
        if (evaluation is not null)
        {
            TensorHash.Append(hash, evaluation.Inputs);
            TensorHash.Append(hash, evaluation.Labels);
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }
}
