namespace DslKd.Generators.Specs;

/// <summary>
/// A model declaration as read from the source, before any shape is inferred. <see cref="HasUnboundLayers"/>: a layer
/// attribute does not bind yet (half typed), so only the placeholder is emitted until it does.
/// </summary>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string Role,
    bool IsPublic,
    EquatableArray<long> InputShape,
    int Classes,
    EquatableArray<BlockSpec> Blocks,
    LocationInfo? Location,
    LocationInfo? RoleAttributeLocation,
    bool HasUnboundLayers = false)
{
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;

    /// <summary>The type as generated code refers to it: global::Namespace.Class, keywords escaped.</summary>
    public string TypeReference => "global::" + (Namespace.Length == 0 ? "" : Namespace + ".") + Emit.Identifiers.Id(ClassName);
}

/// <summary>
/// A <c>partial Block</c> property (its modifiers, e.g. "public" or "internal new") and its layers in the order written;
/// <see cref="Repeat"/> is its [Repeat(n)] count, 0 when it has none.
/// </summary>
internal sealed record BlockSpec(string Name, string Modifiers, EquatableArray<LayerSpec> Layers, LocationInfo? Location, int Repeat = 0, LocationInfo? RepeatLocation = null);

/// <summary>One layer attribute: its kind (the attribute name without "Attribute"), its arguments and its source text.</summary>
internal sealed record LayerSpec(string Kind, EquatableArray<AttributeArgument> Arguments, string SourceText, LocationInfo? Location);

/// <summary>
/// A constructor or named argument of a layer attribute, keyed by the attribute's property name
/// (<c>OutChannels</c>, <c>Kernel</c>, ...). <see cref="Value"/> is a boxed long, double or bool.
/// </summary>
internal sealed record AttributeArgument(string Name, object Value, LocationInfo? Location);
