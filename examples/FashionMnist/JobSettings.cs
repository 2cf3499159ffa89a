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
    public static Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? Shift(int pixels) => pixels > 0 ? DslKd.RandomShift.Create(pixels) : null;

    /// <summary>The students' augmentation (alone and distilled alike): random flips, shifts or mixing, or none.</summary>
    public Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? StudentAugmentation()
    {
        var chosen = (StudentFlip ? 1 : 0) + (StudentShift > 0 ? 1 : 0) + (StudentMixup is null ? 0 : 1);
        if (chosen > 1)
            throw new ArgumentException("--student-flip, --student-shift and --student-mixup cannot be combined; pick one.");
        if (StudentMixup is { } minWeight) return DslKd.RandomMixup.Create(minWeight);
        return StudentFlip ? DslKd.RandomFlip.Create() : Shift(StudentShift);
    }

    /// <summary>A student recipe's options with the --student-learning-rate override, if any (alone and distilled alike).</summary>
    public DslKd.TrainingOptions ForStudents(DslKd.TrainingOptions options) =>
        StudentLearningRate is { } rate ? options with { Optimizer = options.Optimizer with { LearningRate = rate } } : options;

    /// <summary>Where distillation keeps the teacher's outputs, or null when the students' augmentation needs the teacher online (mixing).</summary>
    public string? TeacherCachePath => StudentMixup is null ? Path.Combine(OutputDirectory, "teacher-outputs.cache") : null;
}
