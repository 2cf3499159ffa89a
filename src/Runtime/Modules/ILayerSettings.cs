namespace DslKd;

/// <summary>
/// A DslKd layer whose settings decide its outputs but are not visible in its state_dict (a recurrent cell's kind, a
/// dropout probability, a pooling window): <see cref="ModelArchitecture"/> writes them next to its type, as it does for
/// TorchSharp's own layers, so changing one is never mistaken for the same model.
/// </summary>
internal interface ILayerSettings
{
    /// <summary>The settings as <c>name=value</c> pairs joined by ", ", invariant culture.</summary>
    string Settings { get; }
}
