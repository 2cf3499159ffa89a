using static TorchSharp.torch;

namespace DslKd;

/// <summary>
/// An augmentation with a finite set of variants (for example the 25 shifts of <see cref="RandomShift"/>), each sample
/// getting one. Because the variants can be enumerated, the offline teacher cache can store the teacher's outputs for
/// every variant of every sample, so distillation keeps augmentation (teacher and student on the same augmented input)
/// without running the teacher at each step. Set it as <see cref="TrainingOptions.EnumerableAugmentation"/>.
/// </summary>
public interface IEnumerableAugmentation
{
    /// <summary>How many variants there are; variant indices are 0 to Variants - 1.</summary>
    int Variants { get; }

    /// <summary>What identifies this augmentation and its settings, part of the teacher cache's key.</summary>
    string Identity { get; }

    /// <summary>A random variant for each of <paramref name="count"/> samples: int64 [count] on the CPU, from TorchSharp's global generator.</summary>
    Tensor Draw(long count);

    /// <summary>The batch <paramref name="inputs"/> [B, ...] with sample i turned into its variant <paramref name="variants"/>[i].</summary>
    Tensor Apply(Tensor inputs, Tensor variants);
}
