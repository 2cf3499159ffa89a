using DslKd;

namespace FashionMnistExample;

/// <summary>
/// The first pair and the default (<c>--pair mlp</c>): the CNN teacher of Models.cs (824,650 parameters) and the
/// 784-128-10 MLP student (101,770), with the recipes of Recipes.cs; docs/results.md reports it. Its files stay where
/// the job always wrote them: in the output folder itself, under the names they had.
/// </summary>
public sealed class MlpPair : ExamplePair<FashionCnn, FashionMlp>
{
    public override string Key => "mlp";
    public override int Order => 0;
    public override string TeacherKind => "CNN";
    public override string StudentKind => "MLP";
    public override string ReportTitle => "Fashion-MNIST: teacher, student alone, textbook and tuned distillation";
    public override ModelDescription TeacherDescription => FashionCnn.Description;
    public override ModelDescription StudentDescription => FashionMlp.Description;

    protected override FashionCnn CreateTeacher(long seed) => new(seed: seed);
    protected override FashionMlp CreateStudent(long seed) => new(seed: seed);

    public override SupervisedRecipe Teacher { get; } =
        Supervised<FashionCnn>(nameof(TrainTeacher), TrainTeacher.DefaultOptions, model => new TrainTeacher(model));

    public override SupervisedRecipe SmoothedTeacher { get; } =
        Supervised<FashionCnn>(nameof(TrainSmoothedTeacher), TrainSmoothedTeacher.DefaultOptions, model => new TrainSmoothedTeacher(model), TrainSmoothedTeacher.LabelSmoothing);

    public override SupervisedRecipe StudentAlone { get; } =
        Supervised<FashionMlp>(nameof(TrainStudentAlone), TrainStudentAlone.DefaultOptions, model => new TrainStudentAlone(model));

    public override SupervisedRecipe SmoothedStudentAlone { get; } =
        Supervised<FashionMlp>(nameof(TrainSmoothedStudentAlone), TrainSmoothedStudentAlone.DefaultOptions, model => new TrainSmoothedStudentAlone(model), TrainSmoothedStudentAlone.LabelSmoothing);

    public override DistillationRecipe Textbook { get; } = Distillation(nameof(TextbookDistil), TextbookDistil.DefaultOptions, TextbookDistil.DefaultLoss,
        (teacher, student, seed, loss) => new TextbookDistil(teacher, student, seed: seed, loss: loss));

    public override DistillationRecipe Default { get; } = Distillation(nameof(Distil), Distil.DefaultOptions, Distil.DefaultLoss,
        (teacher, student, seed, loss) => new Distil(teacher, student, seed: seed, loss: loss));

    public override IReadOnlyList<DistillationRecipe> Tunable => [Default,
        Distillation(nameof(DecoupledDistil), DecoupledDistil.DefaultOptions, DecoupledDistil.DefaultLoss,
            (teacher, student, seed, loss) => new DecoupledDistil(teacher, student, seed: seed, loss: loss))];
}
