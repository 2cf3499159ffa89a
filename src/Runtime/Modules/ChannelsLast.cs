using System;
using System.Collections.Generic;
using System.Reflection;
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
/// A tensor is laid out channels-last by permuting it to NHWC, making that contiguous and permuting the view back
/// (<c>x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)</c>): the values and shape of the input with the exact
/// NHWC strides, one copy, differentiable, with ordinary TorchSharp operators, so it works wherever TorchSharp does and
/// fails with a .NET exception like any operator.
/// </para>
/// <para>
/// With one channel (or a 1x1 image) NCHW and NHWC hold the values in the same order, and a contiguous tensor already
/// "is" channels-last to libtorch, which ignores the strides of size-1 dimensions; its operators then still pick their
/// NCHW kernels, and the first convolution of an MNIST-like network would run NCHW. Such a tensor is given the exact
/// channels-last strides by a view over the same memory (<c>as_strided</c>), as PyTorch's <c>to(memory_format=...)</c>
/// does with a copy.
/// </para>
/// </remarks>
public static class ChannelsLast
{
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
    /// single channel (or a 1x1 image); otherwise it is a copy. Dispose it independently of the input.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not a dense 4-D tensor.</exception>
    public static Tensor ToChannelsLast(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4) throw new ArgumentException($"Channels-last needs a 4-D (NCHW) tensor; this one has {tensor.dim()} dimensions.", nameof(tensor));
        if (tensor.is_sparse) throw new ArgumentException("Channels-last needs a dense tensor; this one is sparse.", nameof(tensor));
        using var permuted = tensor.permute(0, 2, 3, 1);
        using var nhwc = permuted.contiguous();
        var nchw = nhwc.permute(0, 3, 1, 2);
        if (nchw.IsChannelsLast()) return nchw;
        // contiguous() kept the memory (size-1 dimensions make it NHWC-contiguous already): the exact strides over it.
        using (nchw)
            return nchw.as_strided(nchw.shape, ChannelsLastStrides(nchw.shape), nchw.storage_offset());
    }

    /// <summary>
    /// <paramref name="inputs"/> channels-last when it is a batch of images (a dense 4-D floating-point tensor); anything else (token ids, sequences, flat vectors) is returned as it is, the same object.
    /// For <see cref="TrainingOptions.ChannelsLast"/>: the result is a new tensor of the current dispose scope.
    /// </summary>
    internal static Tensor ImagesToChannelsLast(Tensor inputs) =>
        inputs.dim() == 4 && inputs.is_floating_point() && !inputs.is_sparse ? inputs.ToChannelsLast() : inputs;

    /// <summary>
    /// Converts every 4-D parameter and buffer of <paramref name="module"/> (the convolution weights) to channels-last in
    /// place, like PyTorch's <c>model.to(memory_format=torch.channels_last)</c>; returns how many it converted. The
    /// parameter objects stay the same (their native tensor is re-pointed at the converted values with <c>set_</c>), so
    /// optimizers and other references to them keep working; their gradients, when they have some, are converted too.
    /// </summary>
    public static int ToChannelsLast(this nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
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

    /// <summary>The inverse of <see cref="ToDefault"/>: the tensor re-pointed at its values with the exact NHWC strides.</summary>
    private static void RestoreChannelsLast(Tensor tensor)
    {
        using var converted = tensor.ToChannelsLast();
        tensor.set_(converted);
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
}
