using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
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
}
