using System;
using static TorchSharp.torch;

namespace DslKd.Optimizers;

/// <summary>The moment and parameter updates Adam and AdamW share, as TorchSharp writes them, with kept scalars.</summary>
internal static class AdamUpdate
{
    /// <summary>
    /// Advances the moments <paramref name="averages"/> and <paramref name="squares"/> by <paramref name="grad"/> at step
    /// <paramref name="step"/> (counted from 1) and moves <paramref name="parameter"/> by the bias-corrected ratio.
    /// </summary>
    public static void Apply(Tensor parameter, Tensor grad, Tensor averages, Tensor squares, long step, double beta1, double beta2, double eps,
        double learningRate, KeptScalars scalars)
    {
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        averages.mul_(scalars.Of(beta1)).add_(grad, alpha: scalars.Of(1 - beta1));
        squares.mul_(scalars.Of(beta2)).addcmul_(grad, grad, value: scalars.Of(1 - beta2));
        // add_(Scalar) would make its alpha of 1 a temporary scalar itself: both are given.
        var denominator = squares.sqrt().div_(scalars.Of(Math.Sqrt(biasCorrection2))).add_(scalars.Of(eps), scalars.Of(1));
        parameter.addcdiv_(averages, denominator, value: scalars.Of(-(learningRate / biasCorrection1)));
    }

    /// <summary>Refuses the variants TorchSharp's Adam and AdamW offer that DslKd's settings never ask for.</summary>
    public static void CheckVariant(bool? amsgrad, bool? maximize)
    {
        if (amsgrad == true || maximize == true)
            throw new NotSupportedException("DslKd's Adam and AdamW steps do not implement AMSGrad or maximize.");
    }
}
