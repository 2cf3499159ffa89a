using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators.Tests.Infrastructure;

/// <summary>One mutated declaration: the family of mutation it belongs to, what was changed, and the resulting source.</summary>
internal sealed record Mutant(string Family, string Label, string Source)
{
    public override string ToString() => $"{Family}: {Label}";
}

/// <summary>
/// Single mutations of valid declarations, as a user makes them while typing or by misunderstanding the DSL: every
/// prefix, every token removed or doubled, numbers and attribute names swapped, declared names renamed to names the
/// generated code uses, modifiers and base types added, members added beside the blocks, attribute arguments rewritten.
/// Enumerated in a fixed order, so a sample (every n-th of each family) is the same on every run.
/// </summary>
internal static class Mutations
{
    /// <summary>Two models, a distillation recipe, a supervised recipe and a model with every layer kind, in one file.</summary>
    public static readonly string Declarations =
        "using DslKd;\n\nnamespace Demo;\n\n"
        + string.Join("\n", new[] { Sources.WideCnn, Sources.SmallMlp, Sources.CnnToMlp, Sources.TrainTeacher, Sources.EveryLayer }.Select(Body));

    /// <summary>Every loss term, a custom loss and two models with feature maps, in one file.</summary>
    public static readonly string Terms = Sources.EveryTerm;

    /// <summary>Sequence models (token ids and real-valued rows, every sequence layer) and a recipe with a hint between sequences.</summary>
    public static readonly string Sequences =
        "using DslKd;\n\nnamespace Text;\n\n"
        + string.Join("\n", new[] { Sources.TokenTransformer, Sources.GruStudent, Sources.SequenceRecipe, Sources.EverySequenceLayer }
            .Select(source => Regex.Replace(source, @"^(using DslKd;|namespace Text;)\r?\n", "", RegexOptions.Multiline).Trim() + "\n"));

    private static string Body(string source) =>
        Regex.Replace(source, @"^(using DslKd;|namespace Demo;)\r?\n", "", RegexOptions.Multiline).Trim() + "\n";

    /// <summary>Names the generated code declares, derives or refers to, and names of the namespaces it reaches into.</summary>
    public static readonly string[] GeneratedNames =
    [
        // generated members of models
        "ParameterCount", "Summary", "InputShape", "OutputShape", "Description", "Features", "ForwardFeatures", "Shapes", "forward",
        "RegisterComponents",
        // generated members of recipes
        "Teacher", "Student", "Model", "Loss", "DefaultLoss", "Losses", "LossSettings", "ComputeLoss", "DefaultOptions", "Train",
        "TeacherParameterCount", "StudentParameterCount", "AdapterParameterCount", "CompressionRatio", "AnchoredParameters",
        "LabelSmoothing", "Values", "With", "ToAttributes", "Format", "Total", "Settings", "Terms",
        // members of object, records and TorchSharp modules
        "ToString", "Equals", "GetHashCode", "GetType", "Dispose", "GetName", "Deconstruct", "EqualityContract", "PrintMembers",
        "call", "train", "eval", "to", "register_module", "parameters", "state_dict", "load", "save", "children", "training",
        // generated fields and locals
        "_teacher", "_student", "_model", "_stem", "_hidden", "input", "inputs", "total", "teacher", "student", "labels", "value",
        "name", "losses", "device", "dtype", "seed", "loss", "model", "terms", "hardLabels",
        // namespaces and types the generated code names
        "System", "TorchSharp", "DslKd", "Demo", "torch", "nn", "Block", "Shape", "Tensor", "Module", "Device", "ScalarType",
        "LossTerm", "StepLoss", "TrainingOptions", "Collections", "Generic", "global", "nameof", "var", "dynamic", "value",
        // keywords, spelled as identifiers
        "@class", "@this", "@base", "@default",
    ];

    public static readonly string[] Modifiers =
    [
        "file", "static", "abstract", "sealed", "virtual", "override", "new", "readonly", "required", "extern", "unsafe", "public",
        "internal", "private", "protected", "private protected", "protected internal", "async", "const", "volatile", "ref", "partial",
    ];

    /// <summary>What may follow a class name: base types, a primary constructor, type parameters.</summary>
    public static readonly string[] ClassSuffixes =
    [
        " : System.Exception", " : System.IDisposable", " : TorchSharp.torch.nn.Module",
        " : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>", " : Block", " : DslKd.IGeneratedModel",
        " : DslKd.ITrainingTask", "(int size)", "()", "<T>", "<T> where T : class",
    ];

    public static readonly string[] ClassKeywords = ["record", "record class", "struct", "record struct", "interface", "ref struct"];

    /// <summary>Members a user may add beside the blocks; {C} is the class's name, {B} its first block's, {b} that camel-cased.</summary>
    public static readonly string[] Members =
    [
        "public int ParameterCount => 0;", "public const string Summary = \"\";", "public static int InputShape;", "public int Description;",
        "public void Train() { }", "public int Train;", "public int Loss { get; }", "public static int DefaultOptions;", "public int DefaultLoss;",
        "public void ComputeLoss() { }", "public int LabelSmoothing;", "public int Teacher;", "public int Student;", "public int Model;",
        "public int CompressionRatio;", "public override string ToString() => \"\";", "public new void Dispose() { }",
        "protected override void Dispose(bool disposing) { }", "public void forward() { }", "public Block forward => null!;",
        "public TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;", "protected override void RegisterComponents() { }",
        "public partial Block {B} { get => null!; }", "public partial Block {B} => null!;", "public Block {B} => null!;",
        "public {C}() { }", "public {C}(int size) { }", "static {C}() { }", "~{C}() { }",
        "public {C}(TorchSharp.torch.Device? device = null, TorchSharp.torch.ScalarType? dtype = null, long? seed = null) : base(\"x\") { }",
        "public class Features { }", "public class Shapes { }", "public record Losses;", "public class LossSettings { }",
        "private int _{b};", "private int _teacher;", "private int _student;", "private int _model;",
        "public static void Main() { }", "public event System.Action? Summary;", "public Block Alias => {B};",
        "[Linear(2)] public partial Block Extra { get; }", "[Linear(2)] public static partial Block Extra { get; }",
        "[Linear(2)] public virtual partial Block Extra { get; }", "[Linear(2)] public abstract partial Block Extra { get; }",
        "public int this[int i] => i;", "public static implicit operator int({C} c) => 0;", "public int {C}Field;",
        "[CustomLoss] TorchSharp.torch.Tensor Extra(WideCnn.Features t, SmallMlp.Features s, TorchSharp.torch.Tensor l) => l;",
        "[CustomLoss] TorchSharp.torch.Tensor Extra(DeepCnn.Features t, ThinCnn.Features s, TorchSharp.torch.Tensor l) => l;",
    ];

    /// <summary>Argument lists an attribute may be given, complete or half typed.</summary>
    public static readonly string[] ArgumentLists =
        ["()", "(2)", "(null)", "(-1)", "(\"x\")", "(1, 2, 3)", "(Weight = 1)", "(Unknown = 1)", "(Weight = )", "(2, Kernel = 3, Padding = 1)", "(nameof(WideCnn.Hidden))"];

    public static readonly string[] Numbers = ["0", "-1", "2147483647", "1.5", "\"x\"", "null", "int.MaxValue"];

    public static readonly string[] AttributeNames = ["Linear", "Conv2d", "Teacher", "Flatten", "Kernel", "Obsolete", "Unknown", "Embedding", "LSTM", "PoolOverTime"];

    /// <summary>Every mutant of the three declarations, family by family.</summary>
    public static IEnumerable<Mutant> All() =>
        Prefixes(Sources.WideCnn, 1).Concat(Of(Declarations, "decl")).Concat(Of(Terms, "terms")).Concat(Of(Sequences, "seq"));

    /// <summary>
    /// A deterministic sample of about <paramref name="count"/> mutants: every family in proportion to its size, but at
    /// least a few of each.
    /// </summary>
    public static IReadOnlyList<Mutant> Sample(int count)
    {
        var all = All().ToList();
        if (count >= all.Count) return all;
        var sample = new List<Mutant>();
        foreach (var family in all.GroupBy(m => m.Family))
        {
            var members = family.ToList();
            var take = Math.Max(Math.Min(members.Count, 20), (int)((long)members.Count * count / all.Count));
            var step = (double)members.Count / take;
            for (var i = 0; i < take; i++) sample.Add(members[(int)(i * step)]);
        }
        return sample;
    }

    public static IEnumerable<Mutant> Prefixes(string text, int step)
    {
        for (var length = 0; length < text.Length; length += step) yield return new Mutant("prefix", length.ToString(), text.Substring(0, length));
    }

    public static IEnumerable<Mutant> Of(string text, string name)
    {
        var root = CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions).GetRoot();
        var tokens = root.DescendantTokens().Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();

        foreach (var token in tokens)
            yield return new Mutant(name + " remove token", $"'{token.Text}' at {token.SpanStart}", text.Remove(token.SpanStart, token.Span.Length));

        foreach (var token in tokens)
            yield return new Mutant(name + " double token", $"'{token.Text}' at {token.SpanStart}", text.Insert(token.Span.End, " " + token.Text));

        foreach (Match number in Regex.Matches(text, @"\b\d+(\.\d+)?(e-?\d+)?\b"))
        {
            foreach (var replacement in Numbers)
                yield return new Mutant(name + " number", $"{number.Value} at {number.Index} -> {replacement}", Replace(text, number.Index, number.Length, replacement));
        }

        foreach (Match attribute in Regex.Matches(text, @"(?<=[\[,] ?)[A-Z][A-Za-z0-9]*"))
        {
            foreach (var replacement in AttributeNames)
                yield return new Mutant(name + " attribute name", $"{attribute.Value} at {attribute.Index} -> {replacement}", Replace(text, attribute.Index, attribute.Length, replacement));
        }

        var types = root.DescendantNodes().OfType<TypeDeclarationSyntax>().ToList();
        var declared = types.Select(t => t.Identifier)
            .Concat(root.DescendantNodes().OfType<PropertyDeclarationSyntax>().Select(p => p.Identifier))
            .Concat(root.DescendantNodes().OfType<MethodDeclarationSyntax>().Select(m => m.Identifier))
            .ToList();
        foreach (var identifier in declared)
        {
            foreach (var replacement in GeneratedNames)
            {
                yield return new Mutant(name + " rename declaration", $"{identifier.Text} -> {replacement}", Replace(text, identifier.SpanStart, identifier.Span.Length, replacement));
                yield return new Mutant(name + " rename everywhere", $"{identifier.Text} -> {replacement}",
                    Regex.Replace(text, $@"(?<![\w@]){Regex.Escape(identifier.Text)}\b", replacement.Replace("$", "$$")));
            }
        }
        foreach (var ns in root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>())
        {
            foreach (var replacement in new[] { "System", "TorchSharp", "DslKd", "Demo.System", "Demo.TorchSharp", "Demo.DslKd", "Demo.Block", "Demo.global", "WideCnn", "Demo.Features" })
                yield return new Mutant(name + " namespace", $"{ns.Name} -> {replacement}", Replace(text, ns.Name.SpanStart, ns.Name.Span.Length, replacement));
        }

        var members = types.SelectMany(t => t.Members).OfType<BasePropertyDeclarationSyntax>().Cast<MemberDeclarationSyntax>()
            .Concat(types.SelectMany(t => t.Members).OfType<MethodDeclarationSyntax>());
        foreach (var declaration in types.Cast<MemberDeclarationSyntax>().Concat(members))
        {
            var at = declaration.Modifiers.Count > 0 ? declaration.Modifiers[0].SpanStart : FirstTokenAfterAttributes(declaration).SpanStart;
            foreach (var modifier in Modifiers)
                yield return new Mutant(name + " modifier", $"{modifier} on {Describe(declaration)}", text.Insert(at, modifier + " "));
            foreach (var modifier in declaration.Modifiers)
                yield return new Mutant(name + " remove modifier", $"{modifier.Text} of {Describe(declaration)}", text.Remove(modifier.SpanStart, modifier.Span.Length));
        }

        foreach (var type in types)
        {
            var end = type.TypeParameterList?.Span.End ?? type.Identifier.Span.End;
            foreach (var suffix in ClassSuffixes)
                yield return new Mutant(name + " class suffix", $"{type.Identifier.Text}{suffix}", text.Insert(end, suffix));
            foreach (var keyword in ClassKeywords)
                yield return new Mutant(name + " class keyword", $"{keyword} {type.Identifier.Text}", Replace(text, type.Keyword.SpanStart, type.Keyword.Span.Length, keyword));

            var block = type.Members.OfType<PropertyDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "Head";
            foreach (var member in Members)
            {
                var code = member.Replace("{C}", type.Identifier.Text).Replace("{B}", block).Replace("{b}", ModelCamel(block));
                var mutated = type.OpenBraceToken.IsKind(SyntaxKind.None) || type.OpenBraceToken.IsMissing
                    ? Replace(text, type.SemicolonToken.SpanStart, type.SemicolonToken.Span.Length, "\n{\n    " + code + "\n}")
                    : text.Insert(type.OpenBraceToken.Span.End, "\n    " + code);
                yield return new Mutant(name + " member", $"{code} in {type.Identifier.Text}", mutated);
            }
        }

        foreach (var attribute in root.DescendantNodes().OfType<AttributeSyntax>())
        {
            foreach (var arguments in ArgumentLists)
            {
                var mutated = attribute.ArgumentList is { } list
                    ? Replace(text, list.SpanStart, list.Span.Length, arguments)
                    : text.Insert(attribute.Span.End, arguments);
                yield return new Mutant(name + " arguments", $"{attribute.Name}{arguments}", mutated);
            }
            yield return new Mutant(name + " attribute twice", attribute.ToString(), text.Insert(attribute.Span.End, ", " + attribute));
        }
    }

    private static string Replace(string text, int start, int length, string replacement) => text.Remove(start, length).Insert(start, replacement);

    private static SyntaxToken FirstTokenAfterAttributes(MemberDeclarationSyntax declaration) =>
        declaration.AttributeLists.Count > 0 ? declaration.AttributeLists.Last().GetLastToken().GetNextToken() : declaration.GetFirstToken();

    private static string Describe(MemberDeclarationSyntax declaration) => declaration switch
    {
        TypeDeclarationSyntax t => "class " + t.Identifier.Text,
        PropertyDeclarationSyntax p => "property " + p.Identifier.Text,
        MethodDeclarationSyntax m => "method " + m.Identifier.Text,
        _ => declaration.Kind().ToString(),
    };

    private static string ModelCamel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);
}
