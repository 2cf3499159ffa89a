namespace DslKd;

/// <summary>Defaults of the training options that more than one place needs (the options, the generator's fixes).</summary>
public static class TrainingDefaults
{
    /// <summary>Samples per optimizer step when nothing says otherwise.</summary>
    public const int BatchSize = 128;
}
