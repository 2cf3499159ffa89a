using DslKd;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DslKd.TrainingProcess;

/// <summary>
/// Optimizer steps while other threads collect garbage and run finalizers without pause, counting the steps that fail.
/// Started with DOTNET_TieredCompilation=0, so TorchSharp's code is optimized from the first call and a temporary
/// scalar is dead as soon as its handle has been read (as it is in a long run, once the methods are tiered up).
/// </summary>
public static class OptimizerUnderCollections
{
    /// <summary>Runs <paramref name="steps"/> steps of DslKd's optimizer (or TorchSharp's own with <paramref name="torchSharps"/>) and prints "failures N".</summary>
    public static int Run(OptimizerKind kind, bool torchSharps, int steps)
    {
        var parameters = Enumerable.Range(0, 20).Select(i => new Parameter(randn([8, 8], generator: new TorchSharp.torch.Generator((ulong)i)))).ToList();
        var settings = new OptimizerSettings(kind, 1e-3) { WeightDecay = 1e-4, Momentum = kind == OptimizerKind.Sgd ? 0.9 : 0, Nesterov = kind == OptimizerKind.Sgd };
        using var optimizer = torchSharps ? TorchSharps(settings, parameters) : OptimizerFactory.Create(settings, parameters);
        foreach (var parameter in parameters) parameter.grad = ones_like(parameter);

        var collectors = new CollectingThreads();
        var failures = 0;
        string? first = null;
        for (var step = 0; step < steps; step++)
        {
            try
            {
                optimizer.step();
            }
            catch (Exception e)
            {
                failures++;
                first ??= e.Message.Split('\n')[0];
            }
        }
        collectors.Dispose();
        Console.WriteLine($"failures {failures}{(first is null ? "" : $" (first: {first})")}");
        return 0;
    }

    private static OptimizerHelper TorchSharps(OptimizerSettings settings, IEnumerable<Parameter> parameters) => settings.Kind switch
    {
        OptimizerKind.Sgd => optim.SGD(parameters, settings.LearningRate, momentum: settings.Momentum, weight_decay: settings.EffectiveWeightDecay, nesterov: settings.Nesterov),
        OptimizerKind.AdamW => optim.AdamW(parameters, settings.LearningRate, weight_decay: settings.EffectiveWeightDecay),
        _ => optim.Adam(parameters, settings.LearningRate, weight_decay: settings.EffectiveWeightDecay),
    };
}
