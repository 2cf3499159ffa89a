using System.Composition;
using System.Reflection;
using DslKd.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace DslKd.CodeFixes.Tests;

public class ProviderConventionsTests
{
    private static readonly Type[] Providers = typeof(MakePartialCodeFixProvider).Assembly.GetTypes()
        .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract)
        .ToArray();

    /// <summary>The generator's descriptors, read by reflection: they are internal to the generator assembly.</summary>
    private static readonly Dictionary<string, DiagnosticDescriptor> Descriptors = typeof(ModelGenerator).Assembly
        .GetType("DslKd.Generators.Diagnostics.Descriptors", throwOnError: true)!
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    [Fact]
    public void Every_provider_is_exported_for_CSharp_shared_and_supports_fix_all()
    {
        Assert.Equal(7, Providers.Length);
        foreach (var type in Providers)
        {
            Assert.True(type.IsPublic && type.IsSealed, type.Name);
            var export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
            Assert.NotNull(export);
            Assert.Equal([LanguageNames.CSharp], export.Languages);
            Assert.Equal(type.Name, export.Name);
            Assert.NotNull(type.GetCustomAttribute<SharedAttribute>());
            var provider = (CodeFixProvider)Activator.CreateInstance(type)!;
            Assert.Same(WellKnownFixAllProviders.BatchFixer, provider.GetFixAllProvider());
        }
    }

    [Theory]
    [InlineData(nameof(MakePartialCodeFixProvider), "DKD0001", "Model class must be partial")]
    [InlineData(nameof(MakePartialCodeFixProvider), "DKD0027", "Unsupported recipe declaration")]
    [InlineData(nameof(BlockPropertyCodeFixProvider), "DKD0002", "Block must be a partial get-only Block property")]
    [InlineData(nameof(DropoutProbabilityCodeFixProvider), "DKD0006", "Invalid layer argument")]
    [InlineData(nameof(TemperatureCodeFixProvider), "DKD0018", "Temperature must be positive")]
    [InlineData(nameof(NegativeWeightCodeFixProvider), "DKD0019", "Loss weight must not be negative")]
    [InlineData(nameof(TermArgumentCodeFixProvider), "DKD0028", "Invalid loss term argument")]
    [InlineData(nameof(TrainingOptionCodeFixProvider), "DKD0029", "Invalid training option")]
    public void Fixable_ids_are_the_generators_diagnostics(string providerName, string id, string title)
    {
        var provider = (CodeFixProvider)Activator.CreateInstance(Providers.Single(t => t.Name == providerName))!;

        Assert.Contains(id, provider.FixableDiagnosticIds);
        Assert.Equal(title, Descriptors[id].Title.ToString());
    }

    [Fact]
    public void Every_fixable_id_is_a_generator_descriptor()
    {
        var ids = Providers.SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds).ToList();

        Assert.All(ids, id => Assert.True(Descriptors.ContainsKey(id), id));
        Assert.Equal(ids.Distinct().Count(), ids.Count); // one provider per diagnostic, so the IDE shows one fix
    }
}
