using System.Collections.Generic;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>The loss of one training step: the total to back-propagate and every term, for logging.</summary>
public readonly record struct StepLoss(Tensor Total, IReadOnlyList<LossTerm> Terms);

/// <summary>
/// What the training loop needs from a recipe; implemented by the generated code, which computes only what that recipe
/// needs (its features, its terms).
/// </summary>
public interface ITrainingTask
{
    /// <summary>The recipe's name, used in progress events and errors.</summary>
    string Name { get; }

    /// <summary>The module whose <c>parameters()</c> are trained and whose state a checkpoint keeps.</summary>
    nn.Module Trainable { get; }

    /// <summary>Moves everything the task runs (including a frozen teacher) to <paramref name="device"/>.</summary>
    void MoveTo(Device device);

    /// <summary>The loss of one batch, in training mode.</summary>
    StepLoss ComputeTrainingLoss(Tensor inputs, Tensor labels);

    /// <summary>The trained model's class scores [B, K], for evaluation.</summary>
    Tensor Predict(Tensor inputs);
}
