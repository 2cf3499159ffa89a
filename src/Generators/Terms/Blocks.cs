using DslKd.Generators.Specs;

namespace DslKd.Generators.Terms;

/// <summary>Where the logit terms read from: each model's last block.</summary>
internal static class Blocks
{
    public static string Last(ResolvedModel model) => model.Blocks[model.Blocks.Count - 1].Name;
}
