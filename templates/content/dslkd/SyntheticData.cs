using DslKd;
using static TorchSharp.torch;

namespace DslKdApp;

/// <summary>A small synthetic image-classification problem, so the app runs without downloading anything.</summary>
public static class SyntheticData
{
    /// <summary>
    /// <paramref name="count"/> grey 8x8 images of Gaussian noise in 4 classes: an image of class c has its quadrant c
    /// brightened by 1. Replace this with your own data: any [N, 1, 8, 8] float tensor and [N] int64 labels.
    /// </summary>
    public static LabeledDataset Quadrants(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var labels = randint(0, 4, [count], generator: generator);
        var images = randn([count, 1, 8, 8], generator: generator);
        for (var c = 0; c < 4; c++)
        {
            var (row, column) = (c / 2 * 4, c % 2 * 4);
            var mask = zeros(1, 1, 8, 8);
            mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(row, row + 4), TensorIndex.Slice(column, column + 4)] = 1;
            images += (labels == c).to(ScalarType.Float32).reshape(count, 1, 1, 1) * mask;
        }
        return new LabeledDataset(images, labels, classes: 4);
    }
}
