namespace DslKd.Generators.Specs;

/// <summary>A recipe declaration as read from the source, with both models already resolved.</summary>
internal sealed record RecipeSpec(
    string Namespace,
    string ClassName,
    ResolvedModel Teacher,
    ResolvedModel Student,
    EquatableArray<TermSpec> Terms,
    EquatableArray<CustomLossSpec> CustomLosses,
    EquatableArray<TermSpec> TrainingOptions,
    LocationInfo? Location,
    LocationInfo? AttributeLocation)
{
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
}

/// <summary>One loss-term attribute: its kind ("SoftTargets", "FeatureHint", ...), arguments and source text.</summary>
internal sealed record TermSpec(string Kind, EquatableArray<AttributeArgument> Arguments, string SourceText, LocationInfo? Location);

/// <summary>A [CustomLoss] method; <see cref="SignatureProblem"/> says what is wrong with its signature, if anything.</summary>
internal sealed record CustomLossSpec(
    string MethodName,
    bool IsStatic,
    EquatableArray<AttributeArgument> Arguments,
    string? SignatureProblem,
    LocationInfo? Location);

/// <summary>A [Supervised&lt;TModel&gt;] declaration: the model, its label smoothing and its training options.</summary>
internal sealed record SupervisedSpec(
    string Namespace,
    string ClassName,
    ResolvedModel Model,
    EquatableArray<AttributeArgument> Arguments,
    EquatableArray<TermSpec> TrainingOptions,
    LocationInfo? Location,
    LocationInfo? AttributeLocation)
{
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
}

/// <summary>A supervised recipe ready to emit.</summary>
internal sealed record ResolvedSupervised(SupervisedSpec Spec, double LabelSmoothing, EquatableArray<string> TrainingInitializers)
{
    /// <summary>Public only when the model is, so an internal model never leaks through a public recipe.</summary>
    public string ModelMemberAccess => Spec.Model.Spec.IsPublic ? "public" : "internal";
}
