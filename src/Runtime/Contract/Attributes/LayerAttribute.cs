using System;

namespace DslKd;

/// <summary>
/// Base of every layer attribute. Layers are listed on a <c>partial Block</c> property and run in the order they
/// are written; each layer's input size is inferred from the previous layer at compile time, so a layer states
/// only its output size.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute() { }
}
