namespace FashionMnistExample;

/// <summary>What the command line asked for.</summary>
public sealed record JobSettings(
    string? DataDirectory,
    string OutputDirectory,
    long Seed,
    int? Threads,
    int? TeacherEpochs,
    int? StudentEpochs,
    int? DistilEpochs,
    int? LimitTrain,
    int? LimitTest,
    bool Retrain,
    int TeacherShift,
    int StudentShift,
    bool StudentFlip,
    bool TeacherLabelSmoothing,
    double ValidationFraction,
    int Patience,
    string? Loss)
{
    /// <summary>Random shifts of up to <paramref name="pixels"/> pixels on every training batch, or none for 0.</summary>
    public static Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? Shift(int pixels) => pixels > 0 ? DslKd.RandomShift.Create(pixels) : null;

    /// <summary>The students' augmentation (alone and distilled alike): random flips, random shifts, or none.</summary>
    public Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? StudentAugmentation() => StudentFlip
        ? StudentShift > 0 ? throw new ArgumentException("--student-flip and --student-shift cannot be combined; pick one.") : DslKd.RandomFlip.Create()
        : Shift(StudentShift);
}
