using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>
/// Random erasing (Zhong et al. 2020): the same rectangles for the same seed, each a whole rectangle inside the size and
/// shape ranges, erased as often as asked, and labels still paired with their (erased) images in training.
/// </summary>
public sealed class RandomErasingTests
{
    /// <summary>For each image of a batch of ones erased with zeros: whether it was erased, and the erased rectangle's height and width.</summary>
    private static (bool Erased, long Height, long Width, long Pixels)[] Rectangles(Tensor erased)
    {
        var zeros = erased[.., 0].eq(0);                            // [B, H, W]: the erased pixels of channel 0
        var rows = zeros.any(2).sum(1).data<long>().ToArray();      // rows holding an erased pixel
        var columns = zeros.any(1).sum(1).data<long>().ToArray();
        var pixels = zeros.sum([1, 2]).data<long>().ToArray();
        return rows.Select((r, i) => (pixels[i] > 0, r, columns[i], pixels[i])).ToArray();
    }

    [Fact]
    public void The_same_seed_erases_the_same_rectangles_and_another_seed_others()
    {
        var images = rand(64, 3, 28, 28, generator: new Generator(1));
        var erasing = new RandomErasing(probability: 0.5);

        manual_seed(7);
        var first = erasing.Augment(images);
        manual_seed(7);
        var again = erasing.Augment(images);
        manual_seed(8);
        var other = erasing.Augment(images);

        Assert.True(first.eq(again).all().item<bool>());
        Assert.False(first.eq(other).all().item<bool>());
        // Only the erased images changed, and the input was left as it was.
        Assert.True(first.ne(images).any().item<bool>());
        Assert.Equal(images.shape, first.shape);
    }

    [Fact]
    public void Each_erased_region_is_one_rectangle_within_the_area_and_aspect_bounds()
    {
        const int batch = 2000;
        manual_seed(3);
        var erased = RandomErasing.Create(probability: 1, fill: ErasingFill.Zero)(ones(batch, 2, 28, 28));

        var rectangles = Rectangles(erased);
        Assert.All(rectangles, r =>
        {
            Assert.True(r.Erased);
            Assert.Equal(r.Height * r.Width, r.Pixels); // a whole rectangle, not scattered pixels
            Assert.InRange(r.Pixels / (28.0 * 28.0), 0.02, 0.33);
            Assert.InRange((double)r.Height / r.Width, 0.3, 3.3);
        });
        // Every channel of an image is erased in the same place.
        Assert.True(erased[.., 0].eq(erased[.., 1]).all().item<bool>());
        // The sizes and shapes spread over the ranges: small and large, tall and wide.
        Assert.InRange(rectangles.Min(r => r.Pixels / 784.0), 0.02, 0.04);
        Assert.InRange(rectangles.Max(r => r.Pixels / 784.0), 0.30, 0.33);
        Assert.Contains(rectangles, r => r.Height > 2 * r.Width);
        Assert.Contains(rectangles, r => r.Width > 2 * r.Height);
        // And over the image: rectangles touch every border.
        var any = erased[.., 0].eq(0).any(0);
        Assert.True(any[0].any().item<bool>() && any[27].any().item<bool>() && any[.., 0].any().item<bool>() && any[.., 27].any().item<bool>());
    }

    [Fact]
    public void Tighter_bounds_are_respected_too()
    {
        manual_seed(4);
        var erased = RandomErasing.Create(probability: 1, minArea: 0.1, maxArea: 0.2, minAspect: 1, maxAspect: 2, fill: ErasingFill.Zero)(ones(500, 1, 20, 30));

        Assert.All(Rectangles(erased), r =>
        {
            Assert.Equal(r.Height * r.Width, r.Pixels);
            Assert.InRange(r.Pixels / 600.0, 0.1, 0.2);
            Assert.InRange((double)r.Height / r.Width, 1, 2);
        });
    }

    [Theory]
    [InlineData(0.5, 0.46, 0.54)]
    [InlineData(0.1, 0.08, 0.12)]
    [InlineData(1.0, 1.0, 1.0)]
    public void Images_are_erased_with_the_given_probability(double probability, double low, double high)
    {
        const int batch = 4000;
        manual_seed(5);
        var erased = RandomErasing.Create(probability, fill: ErasingFill.Zero)(ones(batch, 1, 28, 28));

        var share = Rectangles(erased).Count(r => r.Erased) / (double)batch;
        Assert.InRange(share, low, high);
    }

    [Fact]
    public void Probability_zero_is_the_identity_and_random_fill_writes_noise()
    {
        var images = ones(8, 1, 28, 28);
        Assert.Same(images, RandomErasing.Create(0)(images));

        manual_seed(6);
        var noisy = RandomErasing.Create(1, fill: ErasingFill.Random)(images);
        var changed = noisy.ne(1);
        var values = noisy.masked_select(changed);
        Assert.True(changed.flatten(1).any(1).all().item<bool>());            // every image got its rectangle
        Assert.InRange(values.mean().item<float>(), -0.3f, 0.3f);             // standard-normal noise
        Assert.InRange(values.std().item<float>(), 0.8f, 1.2f);
    }

    [Fact]
    public void Bad_settings_and_shapes_are_refused_by_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(probability: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(probability: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(minArea: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(minArea: 0.3, maxArea: 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(minAspect: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomErasing(minAspect: 2, maxAspect: 1));
        Assert.Contains("[B, C, H, W]", Assert.Throws<ArgumentException>(() => RandomErasing.Create()(rand(4, 28, 28))).Message);
        Assert.Equal("RandomErasing(p=0.5, area=0.02-0.33, aspect=0.3-3.3, fill=random)", new RandomErasing().Identity);
    }

    [Fact]
    public void In_training_the_labels_stay_with_their_erased_images()
    {
        // Image i is the constant label_i (1 to 9), so whatever is erased (to 0, at most a third), the image's largest
        // value still says which label it must arrive with.
        const int count = 300;
        var labels = arange(count, dtype: ScalarType.Int64).remainder(9).add(1);
        var images = labels.to(ScalarType.Float32).view(count, 1, 1, 1).expand(count, 1, 12, 12).contiguous();
        using var data = new LabeledDataset(images, labels, classes: 10);
        var task = new RecordingTask();

        TrainingLoop.Run(task, data, null, new TrainingOptions
        {
            Epochs = 2, BatchSize = 32, Seed = 9, Augmentation = RandomErasing.Create(probability: 0.5, fill: ErasingFill.Zero),
        });

        Assert.Equal(2 * count, task.Seen);
        Assert.Equal(0, task.Mismatched);
        Assert.InRange(task.Erased, 0.4 * 2 * count, 0.6 * 2 * count);
    }

    /// <summary>A linear classifier that checks every batch it is given: each image's largest value is its label.</summary>
    private sealed class RecordingTask : ITrainingTask
    {
        private readonly nn.Module<Tensor, Tensor> _model = nn.Sequential(nn.Flatten(), nn.Linear(144, 10));

        public int Seen { get; private set; }
        public int Mismatched { get; private set; }
        public int Erased { get; private set; }

        public string Name => "Recording";
        public nn.Module Trainable => _model;
        public void MoveTo(Device device) => TorchSharp.ModuleExtensionMethods.to(_model, device);
        public Tensor Predict(Tensor inputs) => _model.call(inputs);

        public StepLoss ComputeTrainingLoss(Tensor inputs, Tensor labels)
        {
            var largest = inputs.flatten(1).max(1).values.to(ScalarType.Int64);
            Seen += (int)labels.shape[0];
            Mismatched += (int)largest.ne(labels).sum().item<long>();
            Erased += (int)inputs.flatten(1).eq(0).any(1).sum().item<long>();
            var loss = nn.functional.cross_entropy(_model.call(inputs), labels);
            return new StepLoss(loss, [new LossTerm("HardLabels", 1, loss)]);
        }
    }
}
