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
    bool Augment);
