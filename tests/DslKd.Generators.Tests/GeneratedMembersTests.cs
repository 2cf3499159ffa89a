using DslKd.Generators.Emit;
using DslKd.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace DslKd.Generators.Tests;

/// <summary>
/// The parsers keep the user's names away from the generated ones by checking them against <see cref="GeneratedMembers"/>;
/// these tests keep that list complete: every member the emitted code declares in a user's class is in it, with the
/// parameter types a clashing overload would have.
/// </summary>
public class GeneratedMembersTests
{
    public static TheoryData<string> Scenarios => new()
    {
        nameof(Sources.WideCnn), nameof(Sources.SmallMlp), nameof(Sources.EveryLayer), nameof(Sources.SignalCnn),
        nameof(Sources.CnnToMlp), nameof(Sources.EveryTerm), nameof(Sources.TrainTeacher),
        nameof(Sources.TokenTransformer), nameof(Sources.EverySequenceLayer), nameof(Sources.SequenceRecipe),
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_member_the_generated_code_declares_is_listed(string scenario)
    {
        var source = (string)typeof(Sources).GetField(scenario)!.GetValue(null)!;
        var sources = scenario switch
        {
            nameof(Sources.CnnToMlp) or nameof(Sources.TrainTeacher) => new[] { Sources.WideCnn, Sources.SmallMlp, source },
            nameof(Sources.SequenceRecipe) => [Sources.TokenTransformer, Sources.GruStudent, source],
            _ => [source],
        };
        var outcome = GeneratorHarness.Run(sources);
        Assert.Empty(outcome.CompilationProblems);

        foreach (var tree in outcome.Result.GeneratedTrees)
        {
            var model = outcome.Output.GetSemanticModel(tree);
            var declaration = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().First();
            var type = (INamedTypeSymbol)model.GetDeclaredSymbol(declaration)!;
            var listed = type.Interfaces.Any(i => i.Name == "IGeneratedModel") ? GeneratedMembers.Model
                : type.Interfaces.Any(i => i.Name == "ICachedTeacherTask") ? GeneratedMembers.Distillation
                : GeneratedMembers.Supervised;
            var blocks = type.GetMembers().OfType<IPropertySymbol>().Where(p => p.Type.Name == "Block").Select(p => p.Name).ToHashSet();

            foreach (var member in declaration.Members)
            {
                var symbol = member is FieldDeclarationSyntax field
                    ? model.GetDeclaredSymbol(field.Declaration.Variables[0])!
                    : model.GetDeclaredSymbol(member)!;
                if (symbol is IMethodSymbol { ExplicitInterfaceImplementations.Length: > 0 } or IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 })
                    continue;
                if (blocks.Contains(symbol.Name) || blocks.Any(b => GeneratedMembers.BlockField(b) == symbol.Name)) continue; // the blocks and their fields
                if (symbol is IFieldSymbol && symbol.Name.StartsWith('_') && symbol.Name.EndsWith("Adapter", StringComparison.Ordinal)) continue; // a term's adapter

                var name = symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } ? GeneratedMembers.Constructor : symbol.Name;
                var candidates = listed.Where(m => m.Name == name && m.Declared).ToList();
                Assert.True(candidates.Count > 0, $"{tree.FilePath}: '{name}' is not in GeneratedMembers");
                if (symbol is IMethodSymbol method)
                {
                    var parameters = method.Parameters.Select(p => GeneratedMembers.ParameterKey(p.Type)).ToList();
                    Assert.Contains(candidates, m => m.Parameters is { } listedParameters && listedParameters.Length == parameters.Count
                        && listedParameters.Zip(parameters).All(pair => pair.First == "*" || pair.First == pair.Second));
                }
            }
        }
    }

    [Fact]
    public void Every_listed_name_a_block_could_take_is_reserved()
    {
        foreach (var member in GeneratedMembers.Model.Where(m => !m.IsConstructor))
            Assert.Contains(member.Name, GeneratedMembers.ReservedBlockNames);
    }
}
