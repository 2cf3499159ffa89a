using System.Collections.Generic;

namespace DslKd;

/// <summary>The role a model was declared with.</summary>
public enum ModelRole
{
    /// <summary>Declared with <see cref="ModelAttribute"/>.</summary>
    Model,
    /// <summary>Declared with <see cref="TeacherAttribute"/>.</summary>
    Teacher,
    /// <summary>Declared with <see cref="StudentAttribute"/>.</summary>
    Student,
}

/// <summary>One block of a model as inferred at compile time.</summary>
/// <param name="Name">The block's property name; also its state_dict prefix and its feature name.</param>
/// <param name="OutputShape">Shape of the block's output for one sample.</param>
/// <param name="ParameterCount">Trainable parameters in the block.</param>
public sealed record BlockDescription(string Name, Shape OutputShape, long ParameterCount);

/// <summary>Everything the generator inferred about a model, available without running it.</summary>
/// <param name="Name">The model class name.</param>
/// <param name="Role">Teacher, student or plain model.</param>
/// <param name="InputShape">Shape of one input sample.</param>
/// <param name="OutputShape">Shape of one output sample.</param>
/// <param name="ParameterCount">Trainable parameters in the whole model.</param>
/// <param name="Blocks">The blocks in the order they run.</param>
/// <param name="Summary">A torchinfo-style table: layer, output shape, parameters.</param>
public sealed record ModelDescription(
    string Name,
    ModelRole Role,
    Shape InputShape,
    Shape OutputShape,
    long ParameterCount,
    IReadOnlyList<BlockDescription> Blocks,
    string Summary)
{
    /// <summary>Size of the parameters in bytes at 32-bit floats.</summary>
    public long ParameterBytes => ParameterCount * sizeof(float);

    /// <summary>What the model reads: real values (float) or token ids (int64, when its first layer is an embedding).</summary>
    public InputKind Input { get; init; } = InputKind.Values;

    /// <summary>Number of distinct token ids the model accepts (its embedding's vocabulary); 0 for real-valued input.</summary>
    public long Vocabulary { get; init; }
}

/// <summary>The element type of a model's input.</summary>
public enum InputKind
{
    /// <summary>Real values in the model's floating-point type (images, signals, features).</summary>
    Values,
    /// <summary>Int64 token ids in [0, vocabulary): the model starts with an embedding.</summary>
    Tokens,
}

/// <summary>Implemented by every generated model; gives run-time code access to the compile-time description.</summary>
public interface IGeneratedModel
{
    /// <summary>The compile-time description of the model.</summary>
    ModelDescription Description { get; }
}
