using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// PyTorch state_dicts in and out of DslKd models: <c>.safetensors</c> (read and written by <see cref="SafetensorsFile"/>)
/// and <c>.pt</c>/<c>.pth</c> files written by <c>torch.save(model.state_dict(), path)</c> (read and written through
/// TorchSharp.PyBridge's pickle support). Names go through the model's <see cref="PyTorchNameAttribute"/> rules
/// (<see cref="TensorNameMap.Of"/>) or a map you pass. Loading is all or nothing: every missing, unexpected or
/// mis-shaped tensor is named in one <see cref="InvalidDataException"/> (the file, each tensor under both names, both
/// shapes) and the model is left as it was; BatchNorm running statistics and <c>num_batches_tracked</c> load like any
/// other tensor.
/// </summary>
public static class PyTorchWeights
{
    /// <summary>The tensors of a weights file (PyTorch names, dtypes, shapes); a <c>.safetensors</c> header is read without the data.</summary>
    /// <exception cref="InvalidDataException">The file is damaged or not a state_dict.</exception>
    public static IReadOnlyList<TensorEntry> Read(string path, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsSafetensors(path)) return SafetensorsFile.ReadHeader(path).Tensors.Select(e => e.ToTensorEntry()).ToList();
        var tensors = ReadPickle(path, entry);
        try { return tensors.Select(t => Entry(t.Name, t.Tensor)).ToList(); }
        finally { foreach (var (_, t) in tensors) t.Dispose(); }
    }

    /// <summary>Every mismatch between <paramref name="path"/> and <paramref name="model"/>, without loading anything; empty when it would load.</summary>
    public static IReadOnlyList<WeightsProblem> Check(nn.Module model, string path, TensorNameMap? names = null, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WeightsComparison.Compare(ModelTensors(model), Read(path, entry), names ?? TensorNameMap.Of(model.GetType()));
    }

    /// <summary>
    /// Loads the PyTorch state_dict at <paramref name="path"/> into <paramref name="model"/>: every tensor of the model
    /// must be in the file under the name <paramref name="names"/> gives it (by default the model's
    /// <see cref="PyTorchNameAttribute"/> rules), with its shape, and the file must hold nothing else. Values are converted
    /// to the model's dtype and device, as PyTorch's <c>load_state_dict</c> does. A BatchNorm <c>num_batches_tracked</c> the
    /// file lacks (files from before PyTorch 0.4.1) is left as it is, as PyTorch does.
    /// </summary>
    /// <param name="model">The model to load into (a generated model, or any module with <paramref name="names"/>).</param>
    /// <param name="path">A <c>.safetensors</c> file, or a <c>.pt</c>/<c>.pth</c>/<c>.bin</c> file written by <c>torch.save</c>.</param>
    /// <param name="names">The name mapping; null: the model's <see cref="PyTorchNameAttribute"/> rules.</param>
    /// <param name="entry">For a <c>torch.save</c>d checkpoint dict (<c>{"model": state_dict, "epoch": ...}</c>), the key of the state_dict.</param>
    /// <exception cref="InvalidDataException">The file does not fit the model, is damaged or is not a state_dict; the message names the file and every problem. The model is unchanged.</exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    public static void Load(nn.Module model, string path, TensorNameMap? names = null, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no weights file '{path}'.", path);
        names ??= TensorNameMap.Of(model.GetType());
        var targets = model.state_dict();
        var modelEntries = targets.Select(p => Entry(p.Key, p.Value)).ToList();

        // Check before reading any data: a safetensors header is enough.
        var fileEntries = IsSafetensors(path) ? Read(path) : null;
        List<(string Name, Tensor Tensor)>? loaded = null;
        try
        {
            if (fileEntries is null)
            {
                loaded = ReadPickle(path, entry);
                fileEntries = loaded.Select(t => Entry(t.Name, t.Tensor)).ToList();
            }
            var problems = WeightsComparison.Compare(modelEntries, fileEntries, names);
            if (problems.Count > 0) throw Mismatch(path, model, names, problems);

            loaded ??= SafetensorsFile.Load(path);
            var byModelName = loaded.ToDictionary(t => names.ToDslKd(t.Name), t => t.Tensor, StringComparer.Ordinal);
            // Convert everything first (what can fail: memory, a device), then copy: no partial load.
            var converted = new List<(Tensor Target, Tensor Source)>();
            using (var scope = NewDisposeScope())
            {
                foreach (var (name, target) in targets)
                {
                    if (!byModelName.TryGetValue(name, out var source)) continue;   // only num_batches_tracked (checked above)
                    var ready = source.to(target.dtype, target.device).reshape(target.shape);
                    converted.Add((target, ready.MoveToOuterDisposeScope()));
                }
            }
            using (no_grad())
                foreach (var (target, source) in converted) target.copy_(source);
            foreach (var (_, source) in converted) source.Dispose();
        }
        finally
        {
            if (loaded is not null) foreach (var (_, t) in loaded) t.Dispose();
        }
    }

    /// <summary>
    /// Saves <paramref name="model"/>'s state_dict under PyTorch names (<paramref name="names"/> reversed) so that
    /// <c>model.load_state_dict(...)</c> in PyTorch takes it: <c>.safetensors</c>, or <c>.pt</c>/<c>.pth</c> in
    /// <c>torch.save</c>'s format (load with <c>torch.load</c>). Written atomically, in the state_dict's order.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is neither, or two tensors would get one PyTorch name.</exception>
    public static void Save(nn.Module model, string path, TensorNameMap? names = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        names ??= TensorNameMap.Of(model.GetType());
        var tensors = new List<(string Name, Tensor Tensor)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.state_dict())
        {
            var pyTorch = names.ToPyTorch(name);
            if (seen.TryGetValue(pyTorch, out var other))
                throw new ArgumentException($"'{other}' and '{name}' would both be saved as '{pyTorch}'; give each a [PyTorchName] rule of its own.", nameof(names));
            seen[pyTorch] = name;
            tensors.Add((pyTorch, tensor));
        }

        if (IsSafetensors(path))
        {
            SafetensorsFile.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            return;
        }
        if (!IsPickle(path))
            throw new ArgumentException($"'{path}': save to a .safetensors file, or a .pt or .pth file (torch.save's format).", nameof(path));
        var state = new OrderedDictionary(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in tensors) state[name] = tensor.detach().cpu().contiguous();
        AtomicFile.Write(path, writer => TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(writer.BaseStream, state, true));
    }

    /// <summary>The tensors of a module's state_dict as <see cref="TensorEntry"/>s (DslKd names).</summary>
    public static IReadOnlyList<TensorEntry> ModelTensors(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.state_dict().Select(p => Entry(p.Key, p.Value)).ToList();
    }

    internal static InvalidDataException Mismatch(string path, nn.Module model, TensorNameMap names, IReadOnlyList<WeightsProblem> problems)
    {
        var how = names.Rules.Count == 0 ? "no [PyTorchName] rules" : $"{names.Rules.Count} [PyTorchName] rules";
        var lines = string.Join(Environment.NewLine, problems.Select(p => "  - " + p.Text));
        return new InvalidDataException(
            $"'{path}' does not fit {model.GetType().Name} ({how}); nothing was loaded. {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:{Environment.NewLine}{lines}");
    }

    private static bool IsSafetensors(string path) => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    private static bool IsPickle(string path) =>
        path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase);

    private static TensorEntry Entry(string name, Tensor tensor) => new(name, SafetensorsFile.CodeOf(tensor.dtype), tensor.shape);

    /// <summary>A torch.save'd state_dict (or the one at <paramref name="entry"/> of a checkpoint dict), as a flat name-to-tensor list.</summary>
    private static List<(string Name, Tensor Tensor)> ReadPickle(string path, string? entry)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no weights file '{path}'.", path);
        Hashtable table;
        try
        {
            table = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a state_dict DslKd can read ({e.GetType().Name}: {e.Message}). Save the state_dict, not the model: " +
                "torch.save(model.state_dict(), path), or save it as .safetensors.", e);
        }

        object? root = table;
        if (entry is not null)
        {
            if (!table.ContainsKey(entry))
                throw new InvalidDataException($"'{path}' has no entry '{entry}'; its entries are: {string.Join(", ", table.Keys.Cast<object>().Select(k => $"'{k}'"))}.");
            root = table[entry];
        }
        if (root is not IDictionary dictionary)
            throw new InvalidDataException($"'{path}': entry '{entry}' is not a state_dict (a dict of tensors).");

        var result = new List<(string, Tensor)>();
        var others = new List<string>();
        foreach (DictionaryEntry item in dictionary)
        {
            if (item.Value is Tensor tensor) result.Add(((string)item.Key, tensor));
            else others.Add($"'{item.Key}' ({item.Value?.GetType().Name ?? "None"})");
        }
        if (others.Count > 0)
        {
            foreach (var (_, t) in result) t.Dispose();
            var dicts = dictionary.Cast<DictionaryEntry>().Where(d => d.Value is IDictionary).Select(d => $"entry: \"{d.Key}\"").ToList();
            var hint = dicts.Count > 0 ? $" It looks like a checkpoint: pass {string.Join(" or ", dicts)}." : "";
            throw new InvalidDataException($"'{path}' holds more than tensors ({string.Join(", ", others.Take(8))}), so it is not a state_dict.{hint}");
        }
        // A Hashtable has no order: sort by name for stable messages.
        result.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return result;
    }
}
