using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The module a <see cref="TorchScriptAttribute"/> layer becomes: empty until <see cref="Load(nn.Module, string)"/> puts a
/// TorchScript module (traced or scripted in PyTorch) into it, after checking that it takes the layer's input shape and
/// returns its declared outputs (and, when declared, has its parameter count). The loaded module is registered as
/// <c>script</c> (so it moves with the model, and its tensors are in the model's state_dict), runs in evaluation mode and
/// is frozen. TorchScript files written by PyTorch 1.13 load in TorchSharp 0.107's libtorch 2.10.
/// </summary>
public sealed class TorchScriptLayer : nn.Module<Tensor, Tensor>
{
    private jit.ScriptModule<Tensor, Tensor>? _script;

    /// <summary>An empty layer for inputs of <paramref name="inputShape"/> (per sample) returning <paramref name="outputs"/> values.</summary>
    public TorchScriptLayer(long[] inputShape, long outputs, long parameters = 0) : base(nameof(TorchScriptLayer))
    {
        InputShape = inputShape ?? throw new ArgumentNullException(nameof(inputShape));
        Outputs = outputs;
        DeclaredParameters = parameters;
    }

    /// <summary>Nothing to register until a module is loaded.</summary>
    protected override void RegisterComponents() { }

    /// <summary>The per-sample input shape the layer was declared for.</summary>
    public IReadOnlyList<long> InputShape { get; }

    /// <summary>Values per sample it returns.</summary>
    public long Outputs { get; }

    /// <summary>The declared parameter count, 0 when not declared.</summary>
    public long DeclaredParameters { get; }

    /// <summary>The file the module was loaded from, or null before <see cref="Load(nn.Module, string)"/>.</summary>
    public string? Source { get; private set; }

    /// <summary>Switches the model around it; the TorchScript module stays in evaluation mode (it is never trained).</summary>
    public override void train(bool on = true)
    {
        base.train(on);
        _script?.eval();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (_script is null)
            throw new InvalidOperationException($"This TorchScript layer is empty: load the module first with TorchScriptLayer.Load(model, path).");
        CheckInput(input, Source!);
        return _script.call(input);
    }

    /// <summary>
    /// Loads the TorchScript module at <paramref name="path"/> into the TorchScript layer of <paramref name="model"/> (a
    /// model declared with one <see cref="TorchScriptAttribute"/> layer), on the device of the model's other tensors or
    /// the CPU, after running it once on zeros of the declared input shape: it must return [batch, outputs].
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a TorchScript module, fails on the declared input, returns another shape, or has another parameter count; the message names the file. The model is unchanged.</exception>
    /// <exception cref="ArgumentException">The model has no TorchScript layer, or more than one.</exception>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        var layers = model.modules().OfType<TorchScriptLayer>().ToList();
        if (layers.Count != 1)
            throw new ArgumentException($"{model.GetType().Name} has {layers.Count} TorchScript layers; Load fills a model with exactly one ([TorchScript(outputs)]).", nameof(model));
        var device = model.parameters().Concat(model.buffers()).Select(t => t.device).FirstOrDefault() ?? CPU;
        layers[0].Attach(LoadChecked(path, layers[0].InputShape.ToArray(), layers[0].Outputs, layers[0].DeclaredParameters, device), path);
    }

    /// <summary>
    /// Loads a TorchScript module and checks it as <see cref="Load(nn.Module, string)"/> does: evaluation mode, frozen,
    /// returning [batch, <paramref name="outputs"/>] for inputs [batch, <paramref name="inputShape"/>].
    /// </summary>
    public static jit.ScriptModule<Tensor, Tensor> LoadChecked(string path, long[] inputShape, long outputs, long parameters = 0, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no TorchScript file '{path}'.", path);
        jit.ScriptModule<Tensor, Tensor> script;
        try
        {
            script = jit.load<Tensor, Tensor>(path, device ?? CPU);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a TorchScript module libtorch can load ({e.Message.Split('\n')[0]}). Save one in PyTorch with " +
                "torch.jit.trace(model.eval(), example_input).save(path) or torch.jit.script(model).save(path); a torch.save'd state_dict is loaded with PyTorchWeights.Load instead.", e);
        }
        try
        {
            script.eval();
            foreach (var p in script.parameters()) p.requires_grad = false;
            var count = script.parameters().Sum(p => p.numel());
            if (parameters > 0 && count != parameters)
                throw new InvalidDataException($"'{path}' has {count:N0} parameters but the layer declares Parameters = {parameters:N0}.");
            var probeShape = new long[] { 2 }.Concat(inputShape).ToArray();
            long[] shape;
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                Tensor output;
                try { output = script.call(zeros(probeShape, device: device ?? CPU)); }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new InvalidDataException(
                        $"'{path}' fails on the declared input shape [{string.Join(", ", inputShape)}] (a batch of 2 zeros): {FirstLines(e.Message)}", e);
                }
                shape = output.shape;
            }
            if (!shape.SequenceEqual([2, outputs]))
                throw new InvalidDataException(
                    $"'{path}' returns [{string.Join(", ", shape)}] for a batch of 2 inputs [{string.Join(", ", inputShape)}], but the layer declares {outputs} outputs: [2, {outputs}].");
            return script;
        }
        catch
        {
            script.Dispose();
            throw;
        }
    }

    private void Attach(jit.ScriptModule<Tensor, Tensor> script, string path)
    {
        if (_script is not null) throw new InvalidOperationException($"This TorchScript layer already holds '{Source}'; create a new model to load another.");
        _script = script;
        Source = path;
        register_module("script", script);
    }

    private void CheckInput(Tensor input, string source)
    {
        if (input.dim() != InputShape.Count + 1 || !input.shape.Skip(1).SequenceEqual(InputShape))
            throw new ArgumentException(
                $"The TorchScript module '{source}' takes inputs [batch, {string.Join(", ", InputShape)}] but got [{string.Join(", ", input.shape)}].", nameof(input));
    }

    private static string FirstLines(string message) => string.Join(" ", message.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(3));
}
