namespace DslKd;

/// <summary>What a tuning run reports as it goes.</summary>
public abstract record TuningEvent;

/// <summary>A trial begins (it was not found in the results file).</summary>
public sealed record TrialStarted(int Trial, int Trials, System.Collections.Generic.IReadOnlyDictionary<string, double> Values) : TuningEvent;

/// <summary>A training event of the running trial.</summary>
public sealed record TrialProgress(int Trial, int Trials, TrainingEvent Event) : TuningEvent;

/// <summary>A trial finished, or was read back from the results file of an earlier, interrupted run (<paramref name="Reused"/>).</summary>
public sealed record TrialCompleted(TrialResult Result, int Trials, bool Reused) : TuningEvent;
