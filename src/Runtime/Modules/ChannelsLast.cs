using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// The channels-last (NHWC) memory format for 4-D tensors and for the convolution weights of a module: PyTorch's
/// <c>x.to(memory_format=torch.channels_last)</c> and <c>model.to(memory_format=torch.channels_last)</c>, which
/// TorchSharp 0.107 does not wrap (its <c>contiguous()</c> takes no memory format). Values and shapes stay as they are;
/// only the order of the values in memory changes, to channel fastest. libtorch's CPU convolutions (oneDNN), BatchNorm,
/// pooling and element-wise operators keep a channels-last input channels-last, so converting the model and its input
/// once makes the whole convolutional part of a step run on NHWC kernels; a flatten before a linear layer reads the
/// values back in NCHW order, so linear layers and their weights are unaffected. <see cref="TrainingOptions.ChannelsLast"/>
/// does both for a training run.
/// </summary>
/// <remarks>
/// <para>
/// The conversion calls libtorch's exported dispatcher entry <c>at::_ops::contiguous::call(const Tensor&amp;,
/// MemoryFormat)</c>, the function <c>Tensor::contiguous(memory_format)</c> runs: it goes through the dispatcher, so
/// autograd records it (a clone whose gradient passes straight through) and the result is differentiable.
/// </para>
/// <para>
/// Mechanics (x86-64 System V, Itanium C++ ABI): <c>at::Tensor</c> is one pointer with a non-trivial destructor, so it
/// is returned through a hidden pointer passed as the first argument; the <c>const Tensor&amp;</c> is a pointer, and
/// <c>c10::MemoryFormat</c> is an <c>int8_t</c> enumeration (ChannelsLast = 2). A TorchSharp tensor handle is an
/// <c>at::Tensor*</c> made with C++ <c>new</c> and released with <c>delete</c> by <c>THSTensor_dispose</c>, so the result
/// is constructed in 8 bytes from the C++ <c>operator new</c> that TorchSharp's <c>delete</c> pairs with and handed to
/// <see cref="Tensor.UnsafeCreateTensor"/>. Other platforms (arm64 passes that hidden pointer in another register,
/// Windows mangles names differently) and libtorch builds without the entry point get <see cref="IsAvailable"/> false,
/// and the conversions then change nothing.
/// </para>
/// <para>
/// libtorch's <c>contiguous</c> returns the tensor as it is when its strides already read as channels-last ignoring
/// dimensions of size 1: a 1-channel image batch in the default format, or a <c>[out, 1, k, k]</c> weight. libtorch's
/// operators then still see the default format, and the first convolution of an MNIST-like network would run NCHW.
/// Such a tensor is given the exact channels-last strides by a view over the same memory (the same values at the same
/// addresses, as <c>as_strided</c>), as PyTorch's <c>to(memory_format=...)</c> does with a copy.
/// </para>
/// </remarks>
public static class ChannelsLast
{
    private const string LibTorch = "libtorch_cpu";
    private const sbyte ChannelsLastFormat = 2; // c10::MemoryFormat: Contiguous 0, Preserve 1, ChannelsLast 2, ChannelsLast3d 3

    private static readonly Lazy<AllocateFunction?> OperatorNew = new(FindOperatorNew);
    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>
    /// Whether this process can convert (Linux x86-64, a libtorch exporting the entry point); when false,
    /// <see cref="ToChannelsLast(Tensor)"/> hands back an alias of its input and <see cref="ToChannelsLast(nn.Module)"/> does nothing.
    /// </summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>
    /// Whether <paramref name="tensor"/> is a 4-D tensor laid out channels-last: its strides are exactly those of an NHWC
    /// tensor of its shape (<c>[H*W*C, 1, W*C, C]</c>), what <see cref="ToChannelsLast(Tensor)"/> returns and what
    /// libtorch's operators produce from channels-last inputs. A default (NCHW) tensor is never channels-last by this
    /// test, even with 1 channel.
    /// </summary>
    public static bool IsChannelsLast(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4 || tensor.is_sparse) return false;
        var expected = ChannelsLastStrides(tensor.shape);
        var strides = tensor.stride();
        for (var i = 0; i < 4; i++)
            if (strides[i] != expected[i]) return false;
        return true;
    }

    /// <summary>
    /// A new tensor with the values of the 4-D <paramref name="tensor"/>, laid out channels-last (NHWC strides); recorded
    /// by autograd like any operator. It shares memory with the input when the input already is channels-last or has a
    /// single channel (or a 1x1 image); otherwise it is a copy. Dispose it independently of the input. When
    /// <see cref="IsAvailable"/> is false it is an alias of the input, in the input's format.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not a dense 4-D tensor (libtorch would abort the process on it).</exception>
    public static Tensor ToChannelsLast(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        // A C++ exception thrown inside libtorch cannot cross into .NET: what libtorch would reject is rejected here.
        if (tensor.dim() != 4) throw new ArgumentException($"Channels-last needs a 4-D (NCHW) tensor; this one has {tensor.dim()} dimensions.", nameof(tensor));
        if (tensor.is_sparse) throw new ArgumentException("Channels-last needs a dense tensor; this one is sparse.", nameof(tensor));
        if (!IsAvailable) return tensor.alias();

        var converted = Contiguous(tensor);
        if (converted.IsChannelsLast()) return converted;
        // libtorch found it contiguous as channels-last already (size-1 dimensions) and handed it back: the same memory
        // addressed by the exact channels-last strides, so that libtorch's operators pick their NHWC kernels for it.
        using (converted)
            return converted.as_strided(converted.shape, ChannelsLastStrides(converted.shape), converted.storage_offset());
    }

    /// <summary>
    /// <paramref name="inputs"/> channels-last when it is a batch of images (a dense 4-D floating-point tensor) and the
    /// conversion is available; anything else (token ids, sequences, flat vectors) is returned as it is, the same object.
    /// For <see cref="TrainingOptions.ChannelsLast"/>: the result is a new tensor of the current dispose scope.
    /// </summary>
    internal static Tensor ImagesToChannelsLast(Tensor inputs) =>
        IsAvailable && inputs.dim() == 4 && inputs.is_floating_point() && !inputs.is_sparse ? inputs.ToChannelsLast() : inputs;

    /// <summary>
    /// Converts every 4-D parameter and buffer of <paramref name="module"/> (the convolution weights) to channels-last in
    /// place, like PyTorch's <c>model.to(memory_format=torch.channels_last)</c>; returns how many it converted. The
    /// parameter objects stay the same (their native tensor is re-pointed at the converted values with <c>set_</c>), so
    /// optimizers and other references to them keep working; their gradients, when they have some, are converted too.
    /// Does nothing when <see cref="IsAvailable"/> is false.
    /// </summary>
    public static int ToChannelsLast(this nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!IsAvailable) return 0;
        var count = 0;
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
        {
            if (Convert(parameter)) count++;
            using var grad = parameter.grad;
            if (grad is not null) Convert(grad);
        }
        foreach (var buffer in module.buffers())
            if (Convert(buffer)) count++;
        return count;
    }

    /// <summary>
    /// Converts every channels-last parameter and buffer of <paramref name="module"/> back to the default (NCHW) format in
    /// place, the inverse of <see cref="ToChannelsLast(nn.Module)"/>; returns how many it converted. The parameter objects
    /// stay the same. Needed only before handing the module to code that reads or writes a tensor's memory directly:
    /// TorchSharp's own <c>Module.save</c> and <c>Module.load</c> refuse channels-last tensors (they are not contiguous),
    /// while <see cref="ModelFile"/>, <see cref="PyTorchWeights"/>, <see cref="Checkpoint"/> and the ONNX export take
    /// either format and write the same bytes.
    /// </summary>
    public static int ToDefaultFormat(this nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var count = 0;
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
        {
            if (ToDefault(parameter)) count++;
            using var grad = parameter.grad;
            if (grad is not null) ToDefault(grad);
        }
        foreach (var buffer in module.buffers())
            if (ToDefault(buffer)) count++;
        return count;
    }

    /// <summary>
    /// Puts the channels-last tensors among <paramref name="tensors"/> in the default format, in place, until the returned
    /// scope is disposed, which lays them out channels-last again (the same values, the same tensor objects). For
    /// TorchSharp's serializers, which read and write a tensor's memory as it lies and refuse a tensor that is not
    /// contiguous: inside the scope they write and read the values in the default order, whatever the layout was; and
    /// operators run on them as on default-format tensors.
    /// </summary>
    internal static DefaultFormatScope InDefaultFormat(IEnumerable<Tensor> tensors)
    {
        var converted = new List<Tensor>();
        using var noGrad = no_grad();
        foreach (var tensor in tensors)
            if (tensor is not null && ToDefault(tensor)) converted.Add(tensor);
        return new DefaultFormatScope(converted);
    }

    /// <summary>
    /// Every tensor an optimizer keeps per parameter (Adam's and AdamW's moments, SGD's momentum buffer, ...): the public
    /// tensor fields of its state objects, which TorchSharp's <c>save_state_dict</c> and <c>load_state_dict</c> read and
    /// write as they lie in memory. Adam creates its moments with <c>zeros_like</c> of the parameters, so the moments of
    /// channels-last weights are channels-last too.
    /// </summary>
    internal static IEnumerable<Tensor> StateTensors(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var state in optimizer.state_dict().State)
        {
            if (state is null) continue;
            foreach (var field in state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
                if (field.FieldType == typeof(Tensor) && field.GetValue(state) is Tensor tensor && !tensor.IsInvalid)
                    yield return tensor;
        }
    }

    /// <summary>Lays out channels-last again, on disposal, the tensors <see cref="InDefaultFormat"/> put in the default format.</summary>
    internal readonly struct DefaultFormatScope(List<Tensor> converted) : IDisposable
    {
        public void Dispose()
        {
            if (converted is null) return;
            using var noGrad = no_grad();
            foreach (var tensor in converted)
                if (!tensor.IsInvalid) RestoreChannelsLast(tensor);
        }
    }

    /// <summary>
    /// Re-points a channels-last tensor at its values in the default format, keeping the tensor object the same: a copy,
    /// or, when its memory is in the default order already (one channel, or a 1x1 image), a view over the same memory
    /// with the default strides (libtorch's operators would otherwise still pick their channels-last kernels for it).
    /// </summary>
    private static bool ToDefault(Tensor tensor)
    {
        if (tensor.dim() != 4 || tensor.is_sparse || !tensor.IsChannelsLast()) return false;
        var shape = tensor.shape;
        using var converted = tensor.is_contiguous()
            ? tensor.as_strided(shape, [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1], tensor.storage_offset())
            : tensor.contiguous();
        tensor.set_(converted);
        return true;
    }

    /// <summary>
    /// The inverse of <see cref="ToDefault"/>: the exact NHWC strides over the values in channel-fastest order (an
    /// NHWC-contiguous copy indexed as NCHW). Needs no native entry point: the tensor was channels-last before, so it can
    /// be again on any platform.
    /// </summary>
    private static void RestoreChannelsLast(Tensor tensor)
    {
        using var nhwc = tensor.permute(0, 2, 3, 1).contiguous();
        using var nchw = nhwc.permute(0, 3, 1, 2);
        if (nchw.IsChannelsLast())
        {
            tensor.set_(nchw);
            return;
        }
        // contiguous() kept the memory (size-1 dimensions make it NHWC-contiguous already); the strides are then not the exact ones.
        using var exact = nchw.as_strided(nchw.shape, ChannelsLastStrides(nchw.shape), nchw.storage_offset());
        tensor.set_(exact);
    }

    /// <summary>Re-points a 4-D tensor at its channels-last values, keeping the tensor object (and its TensorImpl) the same.</summary>
    private static bool Convert(Tensor tensor)
    {
        if (tensor.dim() != 4 || tensor.is_sparse || tensor.IsChannelsLast()) return false;
        using var converted = tensor.ToChannelsLast();
        tensor.set_(converted);
        return true;
    }

    /// <summary>The strides of a contiguous NHWC tensor of shape <c>[N, C, H, W]</c> (libtorch's get_channels_last_strides_2d).</summary>
    private static long[] ChannelsLastStrides(long[] shape)
    {
        var (c, h, w) = (shape[1], shape[2], shape[3]);
        return [h * w * c, 1, w * c, c];
    }

    private static Tensor Contiguous(Tensor tensor)
    {
        var result = OperatorNew.Value!(8); // sizeof(at::Tensor): one intrusive_ptr<TensorImpl>
        ContiguousCall(result, tensor.Handle, ChannelsLastFormat);
        GC.KeepAlive(tensor); // its finalizer must not release the native tensor while libtorch reads it
        return Tensor.UnsafeCreateTensor(result);
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return false;
        if (OperatorNew.Value is null) return false;
        try
        {
            using var probe = zeros(1, 2, 1, 1);
            using var converted = Contiguous(probe);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// The <c>operator new(size_t)</c> that TorchSharp's <c>delete</c> (in libLibTorchSharp) pairs with: looked up in
    /// the process's global scope first, where the dynamic linker binds it (libstdc++, or an allocator preloaded in its
    /// place), then in libtorch's own dependencies.
    /// </summary>
    private static AllocateFunction? FindOperatorNew()
    {
        const string name = "_Znwm"; // operator new(unsigned long)
        if (!NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out var address)
            && !(NativeLibrary.TryLoad(LibTorch, typeof(ChannelsLast).Assembly, null, out var libTorch)
                 && NativeLibrary.TryGetExport(libTorch, name, out address)))
            return null;
        return Marshal.GetDelegateForFunctionPointer<AllocateFunction>(address);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr AllocateFunction(nuint size);

    // Itanium C++ ABI name of at::_ops::contiguous::call(const at::Tensor&, c10::MemoryFormat); the returned at::Tensor
    // is written to the hidden first argument.
    [DllImport(LibTorch, EntryPoint = "_ZN2at4_ops10contiguous4callERKNS_6TensorEN3c1012MemoryFormatE")]
    private static extern IntPtr ContiguousCall(IntPtr result, IntPtr self, sbyte memoryFormat);
}
