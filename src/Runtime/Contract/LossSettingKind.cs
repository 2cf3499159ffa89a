namespace DslKd;

/// <summary>What a loss setting controls, which decides its valid range.</summary>
public enum LossSettingKind
{
    /// <summary>A term's weight in the total: zero or positive.</summary>
    Weight,
    /// <summary>A softmax temperature: positive.</summary>
    Temperature,
    /// <summary>Decoupled KD's target-class weight: zero or positive.</summary>
    Alpha,
    /// <summary>Decoupled KD's non-target-class weight: zero or positive.</summary>
    Beta,
}

/// <summary>The valid range of each kind of loss setting.</summary>
public static class LossSettingKinds
{
    /// <summary>Temperatures are positive; weights and DKD's alpha and beta are zero or positive.</summary>
    public static ValueRange Range(this LossSettingKind kind) =>
        kind == LossSettingKind.Temperature ? ValueRange.Positive : ValueRange.NonNegative;
}
