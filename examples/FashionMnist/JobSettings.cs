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
    bool NoAugment,
    double ValidationFraction,
    int Patience,
    string? Loss)
{
    /// <summary>Random shifts of up to 2 pixels on every training batch; teacher and student see the same shifted batch.</summary>
    public bool Augment => !NoAugment;
}
