using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// A module's architecture as text: everything that decides its outputs except the values of its weights. Two modules
/// with the same text and the same state_dict compute the same function. Teacher caches, checkpoints and model files are
/// keyed on it, so changing a parameter-free layer (ReLU to GELU, MaxPool to AvgPool, a dropout probability, a stride, a
/// BatchNorm eps), which leaves the state_dict's names and shapes as they were, is never mistaken for the same model.
/// </summary>
/// <remarks>
/// The text has three parts: the generator's layer-by-layer summary of every generated model in the module
/// (<see cref="IGeneratedModel"/>); every submodule by name with its type and, for TorchSharp's layers, their settings
/// (stride, padding, eps, momentum, p, negative slope, ...), read from the modules themselves, and for DslKd's sequence
/// layers theirs (<see cref="ILayerSettings"/>: cell, output, bidirectional, dropout, padding index, pooling); and every tensor of the
/// state_dict by name with its element type and shape. The summary alone is not enough: it does not show a BatchNorm's
/// or LayerNorm's eps or a BatchNorm's momentum. A user module's own fields are not visible: its type name stands for them.
/// </remarks>
public static class ModelArchitecture
{
    private static readonly Assembly TorchSharpAssembly = typeof(nn.Module).Assembly;

    /// <summary>The architecture text of <paramref name="module"/>.</summary>
    public static string Describe(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var text = new StringBuilder();
        var modules = module.named_modules().ToList();
        foreach (var (name, sub) in new[] { ("", module) }.Concat(modules))
        {
            if (sub is IGeneratedModel generated)
                text.Append("summary ").Append(name.Length == 0 ? "(root)" : name).Append('\n').Append(generated.Description.Summary.TrimEnd('\n')).Append('\n');
        }
        text.Append("modules\n");
        text.Append("(root): ").Append(TypeName(module)).Append(Settings(module)).Append('\n');
        foreach (var (name, sub) in modules)
            text.Append(name).Append(": ").Append(TypeName(sub)).Append(Settings(sub)).Append('\n');
        text.Append("tensors\n");
        foreach (var (name, tensor) in module.state_dict())
            text.Append(name).Append(": ").Append(tensor.dtype).Append(" [").Append(string.Join(", ", tensor.shape)).Append("]\n");
        return text.ToString();
    }

    /// <summary>A SHA-256 of <see cref="Describe"/> (64 hex digits), for keys.</summary>
    public static string Hash(nn.Module module) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Describe(module))));

    /// <summary>The first line where two architecture texts differ, for messages: "line 12: 'a' here, 'b' there".</summary>
    public static string FirstDifference(string saved, string current)
    {
        var a = saved.Split('\n');
        var b = current.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "(nothing)";
            var y = i < b.Length ? b[i] : "(nothing)";
            if (x != y) return $"line {i + 1}: saved '{x.Trim()}', this model '{y.Trim()}'";
        }
        return "none";
    }

    private static string TypeName(nn.Module module) => module.GetType().FullName ?? module.GetType().Name;

    /// <summary>A TorchSharp layer's settings, from its public properties of simple types; a DslKd sequence layer's own (<see cref="ILayerSettings"/>); nothing for other modules.</summary>
    private static string Settings(nn.Module module)
    {
        if (module is ILayerSettings layer) return "(" + layer.Settings + ")";
        var type = module.GetType();
        if (type.Assembly != TorchSharpAssembly) return "";
        var settings = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead && p.Name != nameof(nn.Module.training) && IsSimple(p.PropertyType))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={Format(Read(p, module))}")
            .ToList();
        return settings.Count == 0 ? "" : "(" + string.Join(", ", settings) + ")";
    }

    private static object? Read(PropertyInfo property, object target)
    {
        try
        {
            return property.GetValue(target);
        }
        catch (TargetInvocationException)
        {
            return "?";
        }
    }

    private static bool IsSimple(Type type)
    {
        var element = type.IsArray ? type.GetElementType()! : Nullable.GetUnderlyingType(type) ?? type;
        return element.IsPrimitive || element.IsEnum || element == typeof(string) || element == typeof(decimal)
               || (element.IsGenericType && element.FullName!.StartsWith("System.ValueTuple", StringComparison.Ordinal));
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        ITuple tuple => "(" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Format(tuple[i]))) + ")",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? "",
    };
}
