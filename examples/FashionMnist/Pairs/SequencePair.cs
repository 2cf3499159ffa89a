using DslKd;

namespace FashionMnistExample;

// The sequence pair (`--pair sequence`, issue 19): each image read as a sequence of 28 rows of 28 pixels, the published
// anchor of the data set's own table (a GRU, with an SVM on top, 89.7%). A bidirectional two-layer LSTM teacher distils
// into a one-layer GRU student 12.7x smaller. Everything of the pair is in this file; its files go in the `sequence`
// sub-folder of the output folder. The recipes start from the MLP pair's tuned numbers, not tuned for this pair yet.

/// <summary>Two stacked bidirectional LSTMs over the rows, averaged over time (148,746 parameters).</summary>
[Teacher(InputShape = [28, 28], Classes = 10)]
public partial class RowLstm
{
    [LSTM(96, RecurrentOutput.Sequence, Layers = 2, Bidirectional = true, Dropout = 0.1)]
    public partial Block Rows { get; }

    [PoolOverTime(TimePooling.Mean), Dropout(0.2)]
    public partial Block Pooled { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

/// <summary>One GRU of 48 units over the rows; its state after the last row classifies (11,722 parameters).</summary>
[Student(InputShape = [28, 28], Classes = 10)]
public partial class RowGru
{
    [GRU(48, RecurrentOutput.LastState)]
    public partial Block Rows { get; }

    [Linear(10)]
    public partial Block Logits { get; }
}

[Supervised<RowLstm>]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(1)]
public partial class TrainRowLstm;

[Supervised<RowLstm>(LabelSmoothing = 0.1)]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(1)]
public partial class TrainSmoothedRowLstm;

[Supervised<RowGru>]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(2)]
public partial class TrainRowGruAlone;

/// <summary>The GRU alone with label smoothing 0.1 (<c>--alone-label-smoothing</c>).</summary>
[Supervised<RowGru>(LabelSmoothing = 0.1)]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(2)]
public partial class TrainSmoothedRowGruAlone;

[Distillation<RowLstm, RowGru>]
[SoftTargets(Temperature = 4, Weight = 0.9)]
[HardLabels(Weight = 0.1)]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(2)]
public partial class RowGruTextbookDistil;

[Distillation<RowLstm, RowGru>]
[SoftTargets(Temperature = 2, Weight = 0.5)]
[HardLabels(Weight = 0.5)]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(2)]
public partial class RowGruDistil;

[Distillation<RowLstm, RowGru>]
[DecoupledKD(Temperature = 4, Alpha = 1, Beta = 8, Weight = 1)]
[HardLabels(Weight = 1)]
[Optimizer(OptimizerKind.Adam, LearningRate = 2e-3)]
[LearningRateSchedule(ScheduleKind.Cosine)]
[Epochs(30), BatchSize(128), Seed(2)]
public partial class RowGruDecoupledDistil;

/// <summary>The sequence pair: rows of pixels, an LSTM teacher and a GRU student.</summary>
public sealed class SequencePair : ExamplePair<RowLstm, RowGru>
{
    public override string Key => "sequence";
    public override int Order => 2;
    public override string TeacherKind => "BiLSTM";
    public override string StudentKind => "GRU";
    public override ModelDescription TeacherDescription => RowLstm.Description;
    public override ModelDescription StudentDescription => RowGru.Description;
    public override InputForm Input => InputForm.Rows;
    public override int TeacherShift => 0;

    protected override RowLstm CreateTeacher(long seed) => new(seed: seed);
    protected override RowGru CreateStudent(long seed) => new(seed: seed);

    public override SupervisedRecipe Teacher { get; } =
        Supervised<RowLstm>(nameof(TrainRowLstm), TrainRowLstm.DefaultOptions, model => new TrainRowLstm(model));

    public override SupervisedRecipe SmoothedTeacher { get; } =
        Supervised<RowLstm>(nameof(TrainSmoothedRowLstm), TrainSmoothedRowLstm.DefaultOptions, model => new TrainSmoothedRowLstm(model), TrainSmoothedRowLstm.LabelSmoothing);

    public override SupervisedRecipe StudentAlone { get; } =
        Supervised<RowGru>(nameof(TrainRowGruAlone), TrainRowGruAlone.DefaultOptions, model => new TrainRowGruAlone(model));

    public override SupervisedRecipe SmoothedStudentAlone { get; } =
        Supervised<RowGru>(nameof(TrainSmoothedRowGruAlone), TrainSmoothedRowGruAlone.DefaultOptions, model => new TrainSmoothedRowGruAlone(model), TrainSmoothedRowGruAlone.LabelSmoothing);

    public override DistillationRecipe Textbook { get; } = Distillation(nameof(RowGruTextbookDistil), RowGruTextbookDistil.DefaultOptions, RowGruTextbookDistil.DefaultLoss,
        (teacher, student, seed, loss) => new RowGruTextbookDistil(teacher, student, seed: seed, loss: loss));

    public override DistillationRecipe Default { get; } = Distillation(nameof(RowGruDistil), RowGruDistil.DefaultOptions, RowGruDistil.DefaultLoss,
        (teacher, student, seed, loss) => new RowGruDistil(teacher, student, seed: seed, loss: loss));

    public override IReadOnlyList<DistillationRecipe> Tunable =>
    [
        Default,
        Distillation(nameof(RowGruDecoupledDistil), RowGruDecoupledDistil.DefaultOptions, RowGruDecoupledDistil.DefaultLoss,
            (teacher, student, seed, loss) => new RowGruDecoupledDistil(teacher, student, seed: seed, loss: loss)),
    ];
}
