using System;

namespace DslKd;

/// <summary>
/// Marks a <c>partial</c> class as a network declared with the DslKd DSL. The generator turns it into a
/// TorchSharp module whose blocks are its <c>partial Block</c> properties, run in declaration order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class ModelRoleAttribute : Attribute
{
    private protected ModelRoleAttribute() { }

    /// <summary>Shape of one input sample, without the batch dimension: <c>[1, 28, 28]</c> for a grey 28x28 image.</summary>
    public int[] InputShape { get; set; } = [];

    /// <summary>Number of classes. When set, the last block must output exactly <c>[Classes]</c>.</summary>
    public int Classes { get; set; }
}

/// <summary>A large model whose knowledge is distilled into a <see cref="StudentAttribute">student</see>.</summary>
public sealed class TeacherAttribute : ModelRoleAttribute;

/// <summary>A small model trained to reproduce a <see cref="TeacherAttribute">teacher</see>.</summary>
public sealed class StudentAttribute : ModelRoleAttribute;

/// <summary>A model with no distillation role (it can still be trained on labels).</summary>
public sealed class ModelAttribute : ModelRoleAttribute;
