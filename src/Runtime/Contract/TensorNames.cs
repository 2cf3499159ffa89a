using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace DslKd;

/// <summary>
/// One <see cref="PyTorchNameAttribute"/> rule: a PyTorch module path and the DslKd path it is, each a pattern of
/// dot-separated segments in which <c>{name}</c> stands for an index. Compiled into the generator (which checks the
/// rules at compile time) and the runtime (which maps names when loading and saving), so both read them alike.
/// </summary>
public sealed class TensorNameRule
{
    private readonly Pattern _pyTorch;
    private readonly Pattern _dslKd;

    /// <summary>A rule; throws <see cref="ArgumentException"/> with <see cref="Problem"/>'s text when it is malformed.</summary>
    public TensorNameRule(string pyTorch, string dslKd)
    {
        if (Problem(pyTorch, dslKd) is { } problem) throw new ArgumentException(problem);
        PyTorch = pyTorch;
        DslKd = dslKd;
        _pyTorch = Pattern.Parse(pyTorch, out _)!;
        _dslKd = Pattern.Parse(dslKd, out _)!;
    }

    /// <summary>The PyTorch side, e.g. <c>layer{n}.{unit}.conv1</c>.</summary>
    public string PyTorch { get; }

    /// <summary>The DslKd side, e.g. <c>Layer{n}.{unit}.0</c>.</summary>
    public string DslKd { get; }

    /// <summary>What is wrong with a rule (empty sides, a stray brace, placeholders that differ), or null.</summary>
    public static string? Problem(string? pyTorch, string? dslKd)
    {
        if (pyTorch is null || dslKd is null) return "both the PyTorch path and the DslKd path are required";
        var left = Pattern.Parse(pyTorch, out var leftProblem);
        if (left is null) return $"the PyTorch path '{pyTorch}' {leftProblem}";
        var right = Pattern.Parse(dslKd, out var rightProblem);
        if (right is null) return $"the DslKd path '{dslKd}' {rightProblem}";
        var a = new SortedSet<string>(left.Placeholders, StringComparer.Ordinal);
        var b = new SortedSet<string>(right.Placeholders, StringComparer.Ordinal);
        if (!a.SetEquals(b))
            return $"both sides must use the same placeholders, but '{pyTorch}' has {Names(a)} and '{dslKd}' has {Names(b)}";
        return null;
    }

    /// <summary>Maps <paramref name="name"/> through this rule in one direction, or returns false when it does not match.</summary>
    internal bool TryMap(string name, bool fromPyTorch, out string mapped, out (int Segments, int Literal) specificity)
    {
        var (from, to) = fromPyTorch ? (_pyTorch, _dslKd) : (_dslKd, _pyTorch);
        mapped = "";
        specificity = (from.Segments, from.LiteralLength);
        var match = from.Regex.Match(name);
        if (!match.Success) return false;
        mapped = to.Substitute(match) + name.Substring(match.Length);
        return true;
    }

    /// <summary>Whether the DslKd side matches a prefix of <paramref name="dslKdPath"/> (or the path is a prefix of a match).</summary>
    internal bool DslKdMatches(string dslKdPath) => _dslKd.Regex.IsMatch(dslKdPath);

    /// <inheritdoc />
    public override string ToString() => $"[PyTorchName(\"{PyTorch}\", \"{DslKd}\")]";

    private static string Names(IEnumerable<string> names) =>
        names.Any() ? string.Join(", ", names.Select(n => "{" + n + "}")) : "none";

    private sealed class Pattern
    {
        private Pattern(Regex regex, List<(string? Literal, string? Placeholder)> tokens, int segments, int literalLength)
        {
            Regex = regex;
            Tokens = tokens;
            Segments = segments;
            LiteralLength = literalLength;
        }

        public Regex Regex { get; }
        public List<(string? Literal, string? Placeholder)> Tokens { get; }
        public int Segments { get; }
        public int LiteralLength { get; }
        public IEnumerable<string> Placeholders => Tokens.Where(t => t.Placeholder is not null).Select(t => t.Placeholder!);

        public static Pattern? Parse(string text, out string problem)
        {
            problem = "";
            if (text.Trim().Length == 0) { problem = "is empty"; return null; }
            if (text.Trim() != text) { problem = "has leading or trailing spaces"; return null; }
            var segments = text.Split('.');
            if (segments.Any(s => s.Length == 0)) { problem = "has an empty segment (two dots, or a dot at an end)"; return null; }
            var tokens = new List<(string? Literal, string? Placeholder)>();
            var regex = new StringBuilder("^");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var literal = 0;
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '}') { problem = "has a '}' without its '{'"; return null; }
                if (c == '{')
                {
                    var close = text.IndexOf('}', i + 1);
                    if (close < 0) { problem = "has a '{' without its '}'"; return null; }
                    var name = text.Substring(i + 1, close - i - 1);
                    if (name.Length == 0 || !name.All(ch => char.IsLetterOrDigit(ch) || ch == '_') || char.IsDigit(name[0]))
                    {
                        problem = $"has the placeholder '{{{name}}}'; a placeholder is a name, like {{unit}}";
                        return null;
                    }
                    if (i > 0 && text[i - 1] == '}')
                    {
                        problem = "has two placeholders side by side; separate them, e.g. {a}.{b}";
                        return null;
                    }
                    regex.Append(seen.Add(name) ? $"(?<{name}>[0-9]+)" : $"\\k<{name}>");
                    tokens.Add((null, name));
                    i = close + 1;
                    continue;
                }
                var next = text.IndexOfAny(['{', '}'], i);
                var end = next < 0 ? text.Length : next;
                var part = text.Substring(i, end - i);
                if (part.Any(char.IsWhiteSpace)) { problem = "contains a space"; return null; }
                regex.Append(Regex.Escape(part));
                tokens.Add((part, null));
                literal += part.Length;
                i = end;
            }
            regex.Append(@"(?=\.|$)");
            return new Pattern(new Regex(regex.ToString(), RegexOptions.CultureInvariant), tokens, segments.Length, literal);
        }

        public string Substitute(Match match)
        {
            var text = new StringBuilder();
            foreach (var (lit, placeholder) in Tokens) text.Append(lit ?? match.Groups[placeholder!].Value);
            return text.ToString();
        }
    }
}

/// <summary>
/// The name mapping between a PyTorch state_dict and a DslKd model: its <see cref="PyTorchNameAttribute"/> rules. The
/// most specific matching rule maps a name (more segments, then more literal characters); a name no rule matches is
/// kept, so a file saved under DslKd's own names loads too.
/// </summary>
public sealed class TensorNameMap
{
    /// <summary>A map of <paramref name="rules"/>.</summary>
    public TensorNameMap(IEnumerable<TensorNameRule> rules)
    {
        if (rules is null) throw new ArgumentNullException(nameof(rules));
        Rules = rules.ToList();
    }

    /// <summary>No rules: every name is kept.</summary>
    public static TensorNameMap Identity { get; } = new(Array.Empty<TensorNameRule>());

    /// <summary>The rules, in declaration order.</summary>
    public IReadOnlyList<TensorNameRule> Rules { get; }

    /// <summary>The rules declared on <paramref name="modelType"/> with <see cref="PyTorchNameAttribute"/>.</summary>
    public static TensorNameMap Of(Type modelType)
    {
        if (modelType is null) throw new ArgumentNullException(nameof(modelType));
        var attributes = modelType.GetCustomAttributes(typeof(PyTorchNameAttribute), inherit: false).Cast<PyTorchNameAttribute>();
        return new TensorNameMap(attributes.Select(a =>
        {
            if (TensorNameRule.Problem(a.PyTorch, a.DslKd) is { } problem)
                throw new ArgumentException($"{modelType.Name}: [PyTorchName(\"{a.PyTorch}\", \"{a.DslKd}\")]: {problem}.");
            return new TensorNameRule(a.PyTorch, a.DslKd);
        }));
    }

    /// <summary>The DslKd name of the PyTorch tensor <paramref name="pyTorchName"/>.</summary>
    /// <exception cref="ArgumentException">Two rules match equally well and disagree.</exception>
    public string ToDslKd(string pyTorchName) => Map(pyTorchName, fromPyTorch: true);

    /// <summary>The PyTorch name of the DslKd tensor <paramref name="dslKdName"/>.</summary>
    /// <exception cref="ArgumentException">Two rules match equally well and disagree.</exception>
    public string ToPyTorch(string dslKdName) => Map(dslKdName, fromPyTorch: false);

    private string Map(string name, bool fromPyTorch)
    {
        if (name is null) throw new ArgumentNullException(nameof(name));
        string? best = null;
        TensorNameRule? bestRule = null;
        var bestSpecificity = (-1, -1);
        foreach (var rule in Rules)
        {
            if (!rule.TryMap(name, fromPyTorch, out var mapped, out var specificity)) continue;
            var order = specificity.CompareTo(bestSpecificity);
            if (order > 0) (best, bestRule, bestSpecificity) = (mapped, rule, specificity);
            else if (order == 0 && mapped != best)
                throw new ArgumentException($"'{name}' matches {bestRule} and {rule} equally well and they disagree ('{best}' or '{mapped}'); make one more specific.");
        }
        return best ?? name;
    }
}

/// <summary>A tensor's name, safetensors dtype code (<c>F32</c>, <c>I64</c>, ...) and shape.</summary>
public sealed class TensorEntry
{
    /// <summary>A tensor entry.</summary>
    public TensorEntry(string name, string dtype, IReadOnlyList<long> shape)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        DType = dtype ?? throw new ArgumentNullException(nameof(dtype));
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>The safetensors dtype code: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL.</summary>
    public string DType { get; }

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The shape as PyTorch prints sizes, e.g. <c>[64, 3, 3, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>"float", "int" or "bool": tensors of one kind load into each other (converted, as PyTorch's copy_ does).</summary>
    public string Kind => DType switch
    {
        "F64" or "F32" or "F16" or "BF16" => "float",
        "BOOL" => "bool",
        _ => "int",
    };
}

/// <summary>What kind of mismatch a <see cref="WeightsProblem"/> is.</summary>
public enum WeightsProblemKind
{
    /// <summary>The model has a tensor the file lacks.</summary>
    Missing,
    /// <summary>The file has a tensor the model lacks.</summary>
    Unexpected,
    /// <summary>Both have it, with different shapes (or a float against an integer tensor).</summary>
    ShapeDiffers,
    /// <summary>Two file tensors map to one model name.</summary>
    Duplicate,
}

/// <summary>One mismatch between a weights file and a model; <see cref="Text"/> is the line both the generator's diagnostic and the run-time error show.</summary>
public sealed class WeightsProblem
{
    internal WeightsProblem(WeightsProblemKind kind, string tensor, string text)
    {
        Kind = kind;
        Tensor = tensor;
        Text = text;
    }

    /// <summary>What kind of mismatch.</summary>
    public WeightsProblemKind Kind { get; }

    /// <summary>The tensor as the file names it (for a missing tensor: the PyTorch name it would have).</summary>
    public string Tensor { get; }

    /// <summary>The mismatch in words, naming the tensor under both names and both shapes.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>
/// Compares the tensors of a weights file (PyTorch names) with a model's (DslKd names) through a
/// <see cref="TensorNameMap"/>: every missing, unexpected and mis-shaped tensor. A file without a BatchNorm's
/// <c>num_batches_tracked</c> is accepted, as PyTorch's BatchNorm accepts files written before PyTorch 0.4.1.
/// </summary>
public static class WeightsComparison
{
    /// <summary>Every mismatch, in the model's tensor order and then the file's.</summary>
    /// <param name="model">The model's tensors, DslKd names.</param>
    /// <param name="file">The file's tensors, PyTorch names.</param>
    /// <param name="names">The mapping.</param>
    /// <param name="unknown">DslKd names whose layer the caller cannot list (skipped on both sides); null: none.</param>
    public static IReadOnlyList<WeightsProblem> Compare(IEnumerable<TensorEntry> model, IEnumerable<TensorEntry> file, TensorNameMap names,
        Func<string, bool>? unknown = null)
    {
        var problems = new List<WeightsProblem>();
        var fileByModelName = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        foreach (var entry in file)
        {
            string mapped;
            try { mapped = names.ToDslKd(entry.Name); }
            catch (ArgumentException e)
            {
                problems.Add(new WeightsProblem(WeightsProblemKind.Duplicate, entry.Name, e.Message));
                continue;
            }
            if (fileByModelName.TryGetValue(mapped, out var other))
            {
                problems.Add(new WeightsProblem(WeightsProblemKind.Duplicate, entry.Name,
                    $"'{other.Name}' and '{entry.Name}' in the file both map to '{mapped}'; give each a rule of its own"));
                continue;
            }
            fileByModelName[mapped] = entry;
        }

        var modelNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in model)
        {
            modelNames.Add(tensor.Name);
            if (unknown?.Invoke(tensor.Name) == true) continue;
            var pyTorch = SafeToPyTorch(names, tensor.Name);
            if (!fileByModelName.TryGetValue(tensor.Name, out var stored))
            {
                if (IsBatchCounter(tensor.Name)) continue;
                problems.Add(new WeightsProblem(WeightsProblemKind.Missing, pyTorch,
                    $"missing: '{pyTorch}' {tensor.ShapeText} is not in the file (the model's '{tensor.Name}')"));
                continue;
            }
            if (!stored.Shape.SequenceEqual(tensor.Shape) || stored.Kind != tensor.Kind)
            {
                var what = stored.Kind != tensor.Kind ? $"{stored.DType} {stored.ShapeText}" : stored.ShapeText;
                var mine = stored.Kind != tensor.Kind ? $"{tensor.DType} {tensor.ShapeText}" : tensor.ShapeText;
                problems.Add(new WeightsProblem(WeightsProblemKind.ShapeDiffers, stored.Name,
                    $"shape differs: '{stored.Name}' is {what} in the file but the model's '{tensor.Name}' is {mine}"));
            }
        }

        foreach (var pair in fileByModelName)
        {
            if (modelNames.Contains(pair.Key) || unknown?.Invoke(pair.Key) == true) continue;
            var entry = pair.Value;
            var mappedText = pair.Key == entry.Name ? "no [PyTorchName] rule maps it" : $"it maps to '{pair.Key}'";
            problems.Add(new WeightsProblem(WeightsProblemKind.Unexpected, entry.Name,
                $"unexpected: '{entry.Name}' {entry.ShapeText} in the file is not in the model ({mappedText}, which the model does not have)"));
        }
        return problems;
    }

    private static bool IsBatchCounter(string name) => name == "num_batches_tracked" || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static string SafeToPyTorch(TensorNameMap names, string name)
    {
        try { return names.ToPyTorch(name); }
        catch (ArgumentException) { return name; }
    }
}
