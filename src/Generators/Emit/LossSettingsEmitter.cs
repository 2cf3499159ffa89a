using System.Collections.Generic;
using System.Linq;
using System.Text;
using DslKd.Generators.Specs;
using DslKd.Generators.Terms;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslKd.Generators.Emit;

/// <summary>
/// Writes a recipe's LossSettings record: the numbers of its term attributes (weights, temperatures, DKD's alpha and
/// beta) as properties the loss reads at run time, so a tuner can vary them without recompiling and print the winner
/// back as attribute lines.
/// </summary>
internal static class LossSettingsEmitter
{
    /// <summary>One tunable number: its property, its tuning name and the term setting it comes from.</summary>
    internal sealed record Setting(ResolvedTerm Term, TermSetting Declared)
    {
        public string Argument => Declared.Argument;
        public string Property => Identifiers.Id(Term.Name + Argument);
        public string Key => Term.Name + "." + Argument;
    }

    /// <summary>The settings of one term, in the order they are written in its attribute, the weight last.</summary>
    public static IEnumerable<Setting> For(ResolvedTerm term) => term.Settings.Select(s => new Setting(term, s));

    public static void Emit(CodeWriter writer, ResolvedRecipe recipe)
    {
        var settings = recipe.Terms.SelectMany(For).ToList();
        writer.Line("/// <summary>");
        writer.Line("/// The numbers of this recipe's term attributes, which the loss reads at run time. <see cref=\"DefaultLoss\"/> holds the");
        writer.Line("/// attributes' values; pass <c>DefaultLoss with { ... }</c> to the constructor to try others without recompiling (a tuner");
        writer.Line("/// does, through the names of <see cref=\"Values\"/>), and paste <see cref=\"ToAttributes\"/> into the recipe to make them the default.");
        writer.Line("/// </summary>");
        using (writer.Block("public sealed record LossSettings : global::DslKd.ILossSettings"))
        {
            foreach (var setting in settings)
            {
                writer.Line($"/// <summary>{ModelEmitter.XmlText(Description(setting))}</summary>");
                writer.Line($"public double {setting.Property} {{ get; init; }} = {Literal.Of(setting.Declared.Value)};");
                writer.Line();
            }

            writer.Line("/// <summary>Every setting by its tuning name (<c>Term.Argument</c>), in declaration order.</summary>");
            writer.Line("public global::System.Collections.Generic.IReadOnlyList<global::DslKd.LossSetting> Values => new global::DslKd.LossSetting[]");
            writer.Line("{");
            using (writer.Indent())
            {
                foreach (var setting in settings)
                    writer.Line($"new global::DslKd.LossSetting({Literal.CSharpString(setting.Key)}, {setting.Property}, global::DslKd.LossSettingKind.{setting.Declared.Kind}),");
            }
            writer.Line("};");
            writer.Line();

            writer.Line("/// <summary>A copy with the setting named <paramref name=\"name\"/> (as in <see cref=\"Values\"/>) set to <paramref name=\"value\"/>.</summary>");
            writer.Line("public LossSettings With(string name, double value) => name switch");
            writer.Line("{");
            using (writer.Indent())
            {
                foreach (var setting in settings)
                    writer.Line($"{Literal.CSharpString(setting.Key)} => this with {{ {setting.Property} = value }},");
                writer.Line("_ => throw global::DslKd.LossSettingsSupport.UnknownSetting(name, Values),");
            }
            writer.Line("};");
            writer.Line();
            writer.Line("global::DslKd.ILossSettings global::DslKd.ILossSettings.With(string name, double value) => With(name, value);");
            writer.Line();

            writer.Line("/// <summary>The recipe's term attributes with these values, one per line, to paste into the recipe class.</summary>");
            writer.Line("public string ToAttributes() => string.Join(global::System.Environment.NewLine, new string[]");
            writer.Line("{");
            using (writer.Indent())
            {
                foreach (var term in recipe.Terms)
                    writer.Line(AttributeLine(term) + ",");
            }
            writer.Line("});");
            writer.Line();
            writer.Line("private static string Format(double value) => global::DslKd.LossSettingsSupport.Format(value);");
        }
    }

    private static string Description(Setting setting) => $"{setting.Declared.Meaning} {setting.Term.Origin}.";

    /// <summary>
    /// An interpolated string that rewrites the term's attribute as written, with its tunable arguments replaced by the
    /// settings' values (and added if they were left at their defaults); everything else is kept verbatim.
    /// </summary>
    private static string AttributeLine(ResolvedTerm term)
    {
        var settings = For(term).ToList();
        if (term.Kind == CustomLossTerm.KindName)
            return Interpolated([Fixed("[CustomLoss("), .. Named(settings), Fixed($")] // on {term.MethodName}")]);

        var attribute = ParseAttribute(term.SourceText);
        if (attribute is null || settings.Count == 0)
            return Literal.CSharpString("[" + ModelEmitter.OneLine(term.SourceText) + "]");

        var parts = new List<string> { Fixed("[" + attribute.Name + "(") };
        var written = new HashSet<string>();
        var first = true;
        foreach (var argument in attribute.ArgumentList?.Arguments ?? default)
        {
            if (!first) parts.Add(Fixed(", "));
            first = false;
            var name = argument.NameEquals?.Name.Identifier.ValueText;
            if (name is not null && settings.FirstOrDefault(s => s.Argument == name) is { } setting)
            {
                written.Add(name);
                parts.Add(Fixed(name + " = "));
                parts.Add(Value(setting));
            }
            else
            {
                parts.Add(Fixed(ModelEmitter.OneLine(argument.ToString())));
            }
        }
        var missing = settings.Where(s => !written.Contains(s.Argument)).ToList();
        if (missing.Count > 0)
        {
            if (!first) parts.Add(Fixed(", "));
            parts.AddRange(Named(missing));
        }
        parts.Add(Fixed(")]"));
        return Interpolated(parts);
    }

    private static IEnumerable<string> Named(IReadOnlyList<Setting> settings)
    {
        for (var i = 0; i < settings.Count; i++)
        {
            if (i > 0) yield return Fixed(", ");
            yield return Fixed(settings[i].Argument + " = ");
            yield return Value(settings[i]);
        }
    }

    private static AttributeSyntax? ParseAttribute(string sourceText) =>
        SyntaxFactory.ParseCompilationUnit("[" + sourceText + "] class C { }").DescendantNodes().OfType<AttributeSyntax>().FirstOrDefault();

    /// <summary>Verbatim text inside an interpolated string: quotes and backslashes escaped, braces doubled.</summary>
    private static string Fixed(string text)
    {
        var quoted = Literal.CSharpString(text);
        return quoted.Substring(1, quoted.Length - 2).Replace("{", "{{").Replace("}", "}}");
    }

    // Through the record's own Format: in an interpolation hole, the colon of global:: would start a format string.
    private static string Value(Setting setting) => $"{{Format({setting.Property})}}";

    private static string Interpolated(IEnumerable<string> parts)
    {
        var builder = new StringBuilder("$\"");
        foreach (var part in parts) builder.Append(part);
        return builder.Append('"').ToString();
    }
}
