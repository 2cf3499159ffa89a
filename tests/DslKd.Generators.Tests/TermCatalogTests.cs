using System.Reflection;
using DslKd.Generators.Terms;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// The loss-term catalogue against the runtime's public DSL: every term attribute has exactly one catalogue entry, and
/// every setting the catalogue knows is a property of that attribute with the default the attribute itself declares.
/// </summary>
public class TermCatalogTests
{
    private static readonly Assembly Runtime = typeof(DslKd.Block).Assembly;

    // By name: the generator compiles the same attribute sources, so the type name alone would be ambiguous here.
    private static List<string> TermAttributeNames() =>
        Runtime.GetExportedTypes()
            .Where(t => !t.IsAbstract && Runtime.GetType("DslKd.LossTermAttribute")!.IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToList();

    public static TheoryData<string> TermAttributes() => new(TermAttributeNames());

    [Fact]
    public void The_runtime_declares_the_new_terms_too() =>
        Assert.Superset(new HashSet<string> { "RelationalKDAttribute", "ProbabilisticTransferAttribute", "SoftTargetsAttribute" },
            TermAttributeNames().ToHashSet());

    [Theory]
    [MemberData(nameof(TermAttributes))]
    public void Every_term_attribute_has_a_catalogue_entry_whose_settings_are_its_properties_with_its_defaults(string attributeName)
    {
        var kind = TermCatalog.Find(attributeName[..^"Attribute".Length]);
        Assert.NotNull(kind);

        var type = Runtime.GetType("DslKd." + attributeName)!;
        var instance = Instantiate(type);
        foreach (var rule in kind!.Settings.Append(TermKind.Weight))
        {
            var property = type.GetProperty(rule.Argument);
            Assert.True(property is { CanWrite: true, PropertyType.Name: "Double" }, $"{attributeName} has no settable double {rule.Argument}");
            Assert.Equal((double)property!.GetValue(instance)!, rule.Default);
        }
    }

    [Fact]
    public void Every_catalogue_entry_but_custom_losses_is_an_attribute_of_the_runtime()
    {
        var attributes = TermAttributeNames().Select(name => name[..^"Attribute".Length]).ToHashSet();
        foreach (var name in attributes) Assert.NotNull(TermCatalog.Find(name));
        Assert.Null(TermCatalog.Find("Attention")); // no fallback kind: an unknown name is unknown
    }

    private static object Instantiate(Type type)
    {
        var constructor = type.GetConstructors().Single();
        return constructor.Invoke(constructor.GetParameters().Select(p => p.ParameterType == typeof(string) ? (object)"" : null).ToArray());
    }
}
