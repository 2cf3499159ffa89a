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
    int? TeacherShift,
    int StudentShift,
    bool StudentFlip,
    double? StudentMixup,
    double? StudentLearningRate,
    bool TeacherLabelSmoothing,
    double ValidationFraction,
    int Patience,
    string? Loss)
{
    /// <summary>The teacher and student (<c>--pair</c>); <see cref="OutputDirectory"/> is already this pair's folder.</summary>
    public ExamplePair Pair { get; init; } = ExamplePair.DefaultPair;

    /// <summary>Train the student alone with label smoothing 0.1 (<c>--alone-label-smoothing</c>, the pair's <see cref="ExamplePair.SmoothedStudentAlone"/>).</summary>
    public bool AloneLabelSmoothing { get; init; }

    /// <summary>Random erasing on the students' batches with this probability (<c>--student-erasing</c>); none when null or 0.</summary>
    public double? StudentErasing { get; init; }

    /// <summary>
    /// Train every stage channels-last (<c>--channels-last</c>, <see cref="DslKd.TrainingOptions.ChannelsLast"/>): faster
    /// convolutions, results equal to float rounding rather than bit for bit. Like the thread count it is not part of a
    /// saved model's identity.
    /// </summary>
    public bool ChannelsLast { get; init; }

    /// <summary><paramref name="options"/> with the run-wide settings of every stage (<see cref="ChannelsLast"/>).</summary>
    public DslKd.TrainingOptions ForAnyStage(DslKd.TrainingOptions options) => ChannelsLast ? options with { ChannelsLast = true } : options;

    /// <summary>Random shifts of up to <paramref name="pixels"/> pixels on every training batch, or none for 0.</summary>
    public static DslKd.RandomShift? Shift(int pixels) => pixels > 0 ? new DslKd.RandomShift(pixels) : null;

    /// <summary>
    /// The students' augmentation (alone and distilled alike): random flips or shifts, whose variants the teacher cache
    /// enumerates, or mixing, which needs the teacher online; or none. Random erasing adds to a flip or shift (or stands
    /// alone), and makes it a function the teacher runs online on. Image augmentations are wrapped for the pair's
    /// <see cref="ExamplePair.Input"/>.
    /// </summary>
    public AugmentationChoice StudentAugmentation()
    {
        var chosen = (StudentFlip ? 1 : 0) + (StudentShift > 0 ? 1 : 0) + (StudentMixup is null ? 0 : 1);
        if (chosen > 1)
            throw new ArgumentException("--student-flip, --student-shift and --student-mixup cannot be combined; pick one.");
        if (StudentErasing is { } probability && !(probability >= 0 && probability <= 1))
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--student-erasing is the probability that an image is erased, in [0, 1], not {probability}."));
        if (StudentMixup is { } minWeight)
        {
            if (Erasing is not null) throw new ArgumentException("--student-erasing and --student-mixup cannot be combined; pick one.");
            return new AugmentationChoice(DslKd.RandomMixup.Create(minWeight), null, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"RandomMixup({minWeight})"));
        }
        DslKd.EnumerableImageAugmentation? image = StudentFlip ? new DslKd.RandomFlip() : Shift(StudentShift);
        if (Erasing is { } erasing)
        {
            Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> augment = image is null ? erasing.Augment : x => erasing.Augment(image.Augment(x));
            return new AugmentationChoice(Pair.Input.Wrap(augment), null, image is null ? erasing.Identity : $"{image.Identity}, then {erasing.Identity}");
        }
        return new AugmentationChoice(null, Pair.Input.Wrap(image));
    }

    /// <summary>The students' random erasing, or null (no --student-erasing, or 0).</summary>
    private DslKd.RandomErasing? Erasing => StudentErasing is { } probability && probability > 0 ? new DslKd.RandomErasing(probability) : null;

    /// <summary>A student recipe's options with the --student-learning-rate override, if any (alone and distilled alike).</summary>
    public DslKd.TrainingOptions ForStudents(DslKd.TrainingOptions options) => ForAnyStage(
        StudentLearningRate is { } rate ? options with { Optimizer = options.Optimizer with { LearningRate = rate } } : options);

    /// <summary>Where distillation keeps the teacher's outputs, or null when the students' augmentation needs the teacher online (mixing, erasing).</summary>
    public string? TeacherCachePath => StudentMixup is null && Erasing is null ? Path.Combine(OutputDirectory, "teacher-outputs.cache") : null;

    /// <summary>
    /// Where <paramref name="task"/> keeps the teacher's outputs: <see cref="TeacherCachePath"/> for a recipe that reads
    /// one teacher output (the logits, for every recipe of the pairs), a file named by the outputs for one that reads more
    /// (attention transfer: a feature map and the logits), so recipes trained one after another (compare) do not rebuild
    /// each other's cache.
    /// </summary>
    public string? TeacherCachePathFor(DslKd.ITrainingTask task) =>
        TeacherCachePath is { } path && task is DslKd.ICachedTeacherTask { CachedTeacherFeatures: { Count: > 1 } features }
            ? Path.ChangeExtension(path, string.Join('+', features) + ".cache")
            : TeacherCachePath;

    /// <summary>The teacher's augmentation: random shifts of up to --teacher-shift pixels, for the pair's input.</summary>
    public DslKd.IEnumerableAugmentation? TeacherAugmentation => Pair.Input.Wrap(Shift(TeacherShift ?? Pair.TeacherShift));
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
