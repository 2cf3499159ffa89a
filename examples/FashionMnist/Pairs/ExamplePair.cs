using System.Globalization;
using System.Reflection;
using DslKd;
using static TorchSharp.torch;

namespace FashionMnistExample;

/// <summary>
/// A teacher and a student the job can train, chosen with <c>--pair</c>: what the report calls them, how to build them,
/// the recipes of each stage and what the models read. The job (<see cref="MainJob"/>, <see cref="TuningJob"/>, the
/// <c>export</c> and <c>summary</c> commands) knows only this class; each pair is one file in <c>Pairs/</c> that declares
/// its models and recipes and derives from <see cref="ExamplePair{TTeacher, TStudent}"/>. A new pair in a new file is
/// found by itself (<see cref="All"/>): nothing else needs to change.
/// </summary>
public abstract class ExamplePair
{
    /// <summary>What <c>--pair</c> calls it: "mlp", "cnn".</summary>
    public abstract string Key { get; }

    /// <summary>
    /// Where <c>--pair</c> lists it; the smallest is the default. The first pair (mlp) is 0: it keeps the folder and the
    /// file names the job had before there were pairs.
    /// </summary>
    public abstract int Order { get; }

    /// <summary>The teacher's kind, as the report's labels say it: "CNN" in "Teacher (CNN)".</summary>
    public abstract string TeacherKind { get; }

    /// <summary>The student's kind: "MLP" in "Student alone (MLP)".</summary>
    public abstract string StudentKind { get; }

    /// <summary>The report's title (results.md's first line).</summary>
    public virtual string ReportTitle => $"Fashion-MNIST ({Key} pair): teacher, student alone, textbook and default distillation";

    /// <summary>The teacher as the generator described it: name, parameters, summary.</summary>
    public abstract ModelDescription TeacherDescription { get; }

    /// <summary>The student as the generator described it.</summary>
    public abstract ModelDescription StudentDescription { get; }

    /// <summary>How the data's images [N, 1, 28, 28] become what both models read (<see cref="InputForm.Images"/> unless a pair says otherwise).</summary>
    public virtual InputForm Input => InputForm.Images;

    /// <summary>
    /// Random shifts of up to this many pixels on the teacher's batches unless <c>--teacher-shift</c> says otherwise: 2 for
    /// the image pairs; a pair whose models read rows sets 0 (a sideways shift moves every feature of a row).
    /// </summary>
    public virtual int TeacherShift => 2;

    /// <summary>A new teacher, initialised from <paramref name="seed"/>.</summary>
    public abstract nn.Module<Tensor, Tensor> NewTeacher(long seed);

    /// <summary>A new student, initialised from <paramref name="seed"/>.</summary>
    public abstract nn.Module<Tensor, Tensor> NewStudent(long seed);

    /// <summary>The teacher on the labels (the teacher stage).</summary>
    public abstract SupervisedRecipe Teacher { get; }

    /// <summary>The teacher on smoothed labels (<c>--teacher-label-smoothing</c>).</summary>
    public abstract SupervisedRecipe SmoothedTeacher { get; }

    /// <summary>The student on the labels alone: the baseline every distilled student is compared with.</summary>
    public abstract SupervisedRecipe StudentAlone { get; }

    /// <summary>The same with label smoothing 0.1 (<c>--alone-label-smoothing</c>): one of the baseline's tuning choices; <see cref="StudentAlone"/> itself where the pair's baseline already smooths.</summary>
    public abstract SupervisedRecipe SmoothedStudentAlone { get; }

    /// <summary>Hinton et al.'s recipe as usually quoted (T = 4, 0.9 on soft targets): the report's "Textbook KD" row.</summary>
    public abstract DistillationRecipe Textbook { get; }

    /// <summary>The job's distillation recipe (the report's "Distilled student" row, what <c>--loss</c> overrides and <c>export</c> ships).</summary>
    public abstract DistillationRecipe Default { get; }

    /// <summary>What <c>tune --recipe</c> can search; <see cref="Default"/> first, which is what <c>tune</c> searches unless told.</summary>
    public abstract IReadOnlyList<DistillationRecipe> Tunable { get; }

    /// <summary>Teacher parameters per student parameter, from the compile-time counts.</summary>
    public double CompressionRatio => (double)TeacherDescription.ParameterCount / StudentDescription.ParameterCount;

    /// <summary>"Teacher (CNN)".</summary>
    public string TeacherLabel => $"Teacher ({TeacherKind})";

    /// <summary>"Student alone (MLP)".</summary>
    public string StudentAloneLabel => $"Student alone ({StudentKind})";

    /// <summary>"Textbook KD (MLP)".</summary>
    public string TextbookLabel => $"Textbook KD ({StudentKind})";

    /// <summary>"Distilled student (MLP)".</summary>
    public string DistilledLabel => $"Distilled student ({StudentKind})";

    /// <summary>One line for --help: "mlp: CNN teacher (824,650 parameters) -> MLP student (101,770), 8.1x".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Key}: {TeacherKind} teacher {TeacherDescription.Name} ({TeacherDescription.ParameterCount:N0} parameters) -> {StudentKind} student {StudentDescription.Name} ({StudentDescription.ParameterCount:N0}), {CompressionRatio:F1}x");

    /// <summary>
    /// The folder this pair's models, cache, tuning and report go in under the job's <c>--output</c>: a sub-folder named
    /// by <see cref="Key"/>, so no two pairs ever read or overwrite each other's files; the first pair (mlp) uses the
    /// output folder itself, as the job did before there were pairs.
    /// </summary>
    public string OutputDirectory(string output) => Order == 0 ? output : Path.Combine(output, Key);

    /// <summary>The tunable recipe called <paramref name="name"/>, or the default when null.</summary>
    /// <exception cref="ArgumentException">This pair has no such recipe (the message lists those it has).</exception>
    public DistillationRecipe TunableRecipe(string? name) => name is null
        ? Default
        : Tunable.FirstOrDefault(r => r.Name == name)
          ?? throw new ArgumentException($"The {Key} pair has no recipe '{name}' to tune; choose {string.Join(" or ", Tunable.Select(r => r.Name))}.");

    private static readonly Lazy<IReadOnlyList<ExamplePair>> Pairs = new(() => typeof(ExamplePair).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(ExamplePair)) && !t.IsAbstract)
        .Select(t => (ExamplePair)Activator.CreateInstance(t)!)
        .OrderBy(p => p.Order)
        .ToList());

    /// <summary>Every pair of this program (each non-abstract subclass, found by reflection), the default first.</summary>
    public static IReadOnlyList<ExamplePair> All => Pairs.Value;

    /// <summary>The default pair (mlp).</summary>
    public static ExamplePair DefaultPair => All[0];

    /// <summary>The pair called <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">There is none (the message lists them).</exception>
    public static ExamplePair Find(string key) => All.FirstOrDefault(p => p.Key == key)
        ?? throw new ArgumentException($"There is no pair '{key}'; choose {string.Join(" or ", All.Select(p => p.Key))}.");
}

/// <summary>
/// The typed base of a pair: the models' types give the descriptions, and the recipes' constructors are wrapped once here
/// (<see cref="Supervised{TModel}"/>, <see cref="Distillation{TSettings}"/>) so the rest of the job works on any pair.
/// </summary>
/// <typeparam name="TTeacher">The generated teacher.</typeparam>
/// <typeparam name="TStudent">The generated student.</typeparam>
public abstract class ExamplePair<TTeacher, TStudent> : ExamplePair
    where TTeacher : nn.Module<Tensor, Tensor>, IGeneratedModel
    where TStudent : nn.Module<Tensor, Tensor>, IGeneratedModel
{
    /// <summary>A new teacher (its generated constructor with the seed).</summary>
    protected abstract TTeacher CreateTeacher(long seed);

    /// <summary>A new student (its generated constructor with the seed).</summary>
    protected abstract TStudent CreateStudent(long seed);

    /// <inheritdoc />
    public sealed override nn.Module<Tensor, Tensor> NewTeacher(long seed) => CreateTeacher(seed);

    /// <inheritdoc />
    public sealed override nn.Module<Tensor, Tensor> NewStudent(long seed) => CreateStudent(seed);

    /// <summary>A supervised recipe: its class name, its generated options and constructor, and its generated label smoothing (0 when not set).</summary>
    protected static SupervisedRecipe Supervised<TModel>(string name, TrainingOptions defaultOptions, Func<TModel, ITrainingTask> create, double labelSmoothing = 0)
        where TModel : nn.Module<Tensor, Tensor> =>
        new(name, defaultOptions, model => create((TModel)model), labelSmoothing);

    /// <summary>A distillation recipe: its class name, its generated options and loss settings, and its constructor.</summary>
    protected static DistillationRecipe Distillation<TSettings>(string name, TrainingOptions defaultOptions, TSettings defaultLoss,
        Func<TTeacher, TStudent, long, TSettings, ITrainingTask> create) where TSettings : ILossSettings =>
        new(name, defaultOptions, defaultLoss, (teacher, student, seed, loss) => create((TTeacher)teacher, (TStudent)student, seed, (TSettings)loss));
}

/// <summary>A recipe that trains one model on the labels (a generated <c>[Supervised&lt;T&gt;]</c> class).</summary>
/// <param name="Name">The recipe class's name: part of each saved model's identity, and what the report names.</param>
/// <param name="DefaultOptions">Its generated <c>DefaultOptions</c>.</param>
/// <param name="Create">Its constructor, on the model it trains in place.</param>
/// <param name="LabelSmoothing">Its generated <c>LabelSmoothing</c>.</param>
public sealed record SupervisedRecipe(string Name, TrainingOptions DefaultOptions, Func<nn.Module<Tensor, Tensor>, ITrainingTask> Create, double LabelSmoothing)
{
    /// <summary>What a supervised recipe minimises, as the tables say it.</summary>
    public const string CrossEntropy = "cross-entropy with the labels";

    /// <summary>Its loss, for tables: <see cref="CrossEntropy"/>, and the label smoothing when set.</summary>
    public string LossDescription => Describe(LabelSmoothing);

    /// <summary>A supervised loss with <paramref name="labelSmoothing"/>, as the tables say it.</summary>
    public static string Describe(double labelSmoothing) =>
        labelSmoothing == 0 ? CrossEntropy : $"{CrossEntropy}, label smoothing {LossSettingsSupport.Format(labelSmoothing)}";
}

/// <summary>A distillation recipe (a generated <c>[Distillation&lt;T, S&gt;]</c> class).</summary>
/// <param name="Name">The recipe class's name.</param>
/// <param name="DefaultOptions">Its generated <c>DefaultOptions</c>.</param>
/// <param name="DefaultLoss">Its generated <c>DefaultLoss</c>: the numbers of its term attributes.</param>
/// <param name="Create">Its constructor: teacher, student, the seed of its adapters, the loss settings.</param>
public sealed record DistillationRecipe(string Name, TrainingOptions DefaultOptions, ILossSettings DefaultLoss,
    Func<nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, long, ILossSettings, ITrainingTask> Create)
{
    /// <summary><see cref="DefaultLoss"/> with a <c>--loss</c> text applied ("SoftTargets.Temperature=2;HardLabels.Weight=0.5").</summary>
    /// <exception cref="ArgumentException">A name is not a setting of this recipe, or a value is out of range.</exception>
    /// <exception cref="FormatException">A part is not Name=number.</exception>
    public ILossSettings WithOverrides(string? text) => text is null ? DefaultLoss : LossSettingsSupport.Apply(DefaultLoss, text);
}

/// <summary>
/// How the data's images [N, 1, 28, 28] become the models' input, and the image augmentations with them:
/// <see cref="Images"/> leaves both as they are; <see cref="Rows"/> reads each image as 28 rows of 28 pixels [N, 28, 28]
/// (a sequence model's input), and runs the image augmentations (shifts, flips, erasing) on the image before it is
/// read as rows, so every command-line augmentation works for either form.
/// </summary>
/// <param name="Name">"images", "rows".</param>
/// <param name="ToModel">A batch of images [B, 1, 28, 28] as the model reads it.</param>
/// <param name="ToImages">A batch the model reads as images again (the inverse of <paramref name="ToModel"/>).</param>
public sealed record InputForm(string Name, Func<Tensor, Tensor> ToModel, Func<Tensor, Tensor> ToImages)
{
    /// <summary>The images as they are: [1, 28, 28] per sample.</summary>
    public static InputForm Images { get; } = new("images", x => x, x => x);

    /// <summary>Each image as a sequence of 28 rows of 28 pixels: [28, 28] per sample.</summary>
    public static InputForm Rows { get; } = new("rows", x => x.reshape(x.shape[0], 28, 28), x => x.reshape(x.shape[0], 1, 28, 28));

    /// <summary>Whether this form is the images as they are (nothing to convert).</summary>
    public bool IsIdentity => ReferenceEquals(this, Images);

    /// <summary><paramref name="data"/> (images) as the models read it.</summary>
    public LabeledDataset Convert(LabeledDataset data) => IsIdentity ? data : new LabeledDataset(ToModel(data.Inputs), data.Labels, data.Classes);

    /// <summary>An image augmentation working on this form's batches.</summary>
    public Func<Tensor, Tensor>? Wrap(Func<Tensor, Tensor>? augmentation) =>
        augmentation is null || IsIdentity ? augmentation : x => ToModel(augmentation(ToImages(x)));

    /// <summary>An image augmentation with enumerable variants working on this form's batches (variants and identity unchanged).</summary>
    public IEnumerableAugmentation? Wrap(IEnumerableAugmentation? augmentation) =>
        augmentation is null || IsIdentity ? augmentation : new Converted(augmentation, this);

    private sealed class Converted(IEnumerableAugmentation inner, InputForm form) : IEnumerableAugmentation
    {
        public int Variants => inner.Variants;
        public string Identity => inner.Identity;
        public Tensor Draw(long count) => inner.Draw(count);
        public Tensor Apply(Tensor inputs, Tensor variants) => form.ToModel(inner.Apply(form.ToImages(inputs), variants));
    }
}
