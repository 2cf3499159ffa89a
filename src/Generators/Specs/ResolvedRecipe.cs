namespace DslKd.Generators.Specs;

/// <summary>A recipe whose every term was checked and sized; what the emitter writes.</summary>
internal sealed record ResolvedRecipe(
    RecipeSpec Spec,
    EquatableArray<ResolvedTerm> Terms,
    EquatableArray<AdapterSpec> Adapters,
    EquatableArray<ParameterPair> AnchoredParameters,
    EquatableArray<string> TrainingInitializers,
    long AdapterParameterCount)
{
    /// <summary>
    /// The accessibility of generated members whose signatures mention the models: public only when both models are,
    /// so an internal model never leaks through a public recipe (CS0051).
    /// </summary>
    public string ModelMemberAccess => Spec.Teacher.Spec.IsPublic && Spec.Student.Spec.IsPublic ? "public" : "internal";
}

/// <summary>
/// A term ready to emit. <see cref="Name"/> is its property in the generated Losses record; <see cref="Settings"/> are its
/// tunable numbers (weight last), which become LossSettings properties; <see cref="ExtraArguments"/> are fixed arguments
/// of its runtime call (<c>labelSmoothing: 0.1</c>). Feature terms name their adapter (if the shapes differ) and the sizes
/// to pool either side to (if the maps differ and pooling was asked for).
/// </summary>
internal sealed record ResolvedTerm(
    string Kind,
    string Name,
    string SourceText,
    EquatableArray<TermSetting> Settings,
    EquatableArray<string> ExtraArguments,
    string? TeacherFeature = null,
    string? StudentFeature = null,
    string? Adapter = null,
    string? PoolSize = null,
    bool PoolTeacher = false,
    bool PoolStudent = false,
    string? MethodName = null,
    string? MethodOwner = null,
    string? TeacherMember = null,
    string? StudentMember = null,
    int WarmupEpochs = 0)
{
    /// <summary>The teacher's Features member the term reads: the block's output, or its pre-activation output.</summary>
    public string? TeacherRead => TeacherMember ?? TeacherFeature;

    /// <summary>The student's Features member the term reads.</summary>
    public string? StudentRead => StudentMember ?? StudentFeature;

    /// <summary>The weight as declared (the last setting).</summary>
    public double Weight => Settings[Settings.Count - 1].Value;

    /// <summary>The attribute as the user wrote it, for comments and documentation.</summary>
    public string Origin => Kind == Terms.CustomLossTerm.KindName ? $"[CustomLoss] {MethodName}" : $"[{SourceText}]";
}

/// <summary>One tunable number of a term as declared: its argument, kind, value and what it means (for documentation).</summary>
internal sealed record TermSetting(string Argument, LossSettingKind Kind, double Value, string Meaning);

/// <summary>A trainable module mapping a student feature to the teacher feature's size: Linear, or a 1x1 convolution.</summary>
internal sealed record AdapterSpec(
    string Name,
    string Layer,
    long InFeatures,
    long OutFeatures,
    long ParameterCount,
    string StudentShape,
    string TeacherShape,
    string SourceText);

/// <summary>A parameter with the same state_dict name and shape in student and teacher.</summary>
internal sealed record ParameterPair(string Name, string Shape);
