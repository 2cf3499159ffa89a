using System.Text.Json;
using DslKd;
using TorchSharp;

namespace FashionMnistExample;

/// <summary>What a saved model was trained on and how, so a later run reuses it only when that still holds.</summary>
public sealed record TrainedModelInfo(string Data, int Epochs, long Seed, string Recipe, List<EpochResult> History);

/// <summary>Saves trained models with a JSON description beside them, and reuses them when the description matches.</summary>
public static class ModelStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string PathOf(string outputDirectory, string name) => Path.Combine(outputDirectory, name + ".dkd");

    public static void Save(torch.nn.Module model, string path, TrainedModelInfo info)
    {
        AtomicFile.Write(path, writer => model.save(writer));
        File.WriteAllText(path + ".json", JsonSerializer.Serialize(info, Json));
    }

    /// <summary>Loads the model at <paramref name="path"/> into <paramref name="model"/> if it was trained as <paramref name="expected"/> says.</summary>
    public static TrainedModelInfo? TryLoad(torch.nn.Module model, string path, TrainedModelInfo expected)
    {
        if (!File.Exists(path) || !File.Exists(path + ".json")) return null;
        var info = JsonSerializer.Deserialize<TrainedModelInfo>(File.ReadAllText(path + ".json"), Json);
        if (info is null || info.Data != expected.Data || info.Epochs != expected.Epochs || info.Seed != expected.Seed || info.Recipe != expected.Recipe)
            return null;
        model.load(path);
        return info;
    }
}
