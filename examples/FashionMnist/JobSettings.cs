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
    double? StudentMixup,
    double? StudentLearningRate,
    bool TeacherLabelSmoothing,
    double ValidationFraction,
    int Patience,
    string? Loss)
{
    /// <summary>Random shifts of up to <paramref name="pixels"/> pixels on every training batch, or none for 0.</summary>
    public static DslKd.RandomShift? Shift(int pixels) => pixels > 0 ? new DslKd.RandomShift(pixels) : null;

    /// <summary>
    /// The students' augmentation (alone and distilled alike): random flips or shifts, whose variants the teacher cache
    /// enumerates, or mixing, which needs the teacher online; or none.
    /// </summary>
    public AugmentationChoice StudentAugmentation()
    {
        var chosen = (StudentFlip ? 1 : 0) + (StudentShift > 0 ? 1 : 0) + (StudentMixup is null ? 0 : 1);
        if (chosen > 1)
            throw new ArgumentException("--student-flip, --student-shift and --student-mixup cannot be combined; pick one.");
        if (StudentMixup is { } minWeight)
            return new AugmentationChoice(DslKd.RandomMixup.Create(minWeight), null, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"RandomMixup({minWeight})"));
        return new AugmentationChoice(null, StudentFlip ? new DslKd.RandomFlip() : Shift(StudentShift));
    }

    /// <summary>A student recipe's options with the --student-learning-rate override, if any (alone and distilled alike).</summary>
    public DslKd.TrainingOptions ForStudents(DslKd.TrainingOptions options) =>
        StudentLearningRate is { } rate ? options with { Optimizer = options.Optimizer with { LearningRate = rate } } : options;

    /// <summary>Where distillation keeps the teacher's outputs, or null when the students' augmentation needs the teacher online (mixing).</summary>
    public string? TeacherCachePath => StudentMixup is null ? Path.Combine(OutputDirectory, "teacher-outputs.cache") : null;
}

/// <summary>
/// An augmentation choice: a function (the teacher runs online) or one with enumerable variants (cacheable); at most one
/// is set. <paramref name="Description"/> names a function, which cannot name itself ("RandomMixup(0.7)").
/// </summary>
public sealed record AugmentationChoice(Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? Online, DslKd.IEnumerableAugmentation? Enumerable, string? Description = null)
{
    /// <summary><paramref name="options"/> with this augmentation.</summary>
    public DslKd.TrainingOptions ApplyTo(DslKd.TrainingOptions options) => options with { Augmentation = Online, EnumerableAugmentation = Enumerable };
}
