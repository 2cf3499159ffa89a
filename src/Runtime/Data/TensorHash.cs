using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Hashes tensors by shape and bytes, for cache keys and run identities.</summary>
internal static class TensorHash
{
    public static void Append(IncrementalHash hash, Tensor tensor)
    {
        using var contiguous = tensor.cpu().contiguous();
        hash.AppendData(MemoryMarshal.AsBytes(contiguous.shape.AsSpan()));
        hash.AppendData(contiguous.bytes);
    }

    /// <summary>Every parameter and buffer of <paramref name="module"/>, by name in ordinal order.</summary>
    public static void AppendModule(IncrementalHash hash, nn.Module module)
    {
        foreach (var (name, tensor) in module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            Append(hash, tensor);
        }
    }
}
