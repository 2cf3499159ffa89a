using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslKd.Runtime.Tests;

/// <summary>Your own data: arrays, CSV files, image folders, and the check of data against the model before training.</summary>
public class DataSourceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dslkd-data-" + Guid.NewGuid().ToString("N"));

    public DataSourceTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Arrays_become_one_tensor_per_side_in_the_shape_asked_for()
    {
        using var jagged = LabeledDataset.FromArrays([[1f, 2, 3, 4], [5f, 6, 7, 8]], [0L, 1], sampleShape: [1, 2, 2], classes: 2);
        Assert.Equal([2L, 1, 2, 2], jagged.Inputs.shape);
        Assert.Equal(7f, jagged.Inputs[1, 0, 1, 0].item<float>());
        Assert.Equal(ScalarType.Float32, jagged.Inputs.dtype);

        using var flat = LabeledDataset.FromArrays([1f, 2, 3, 4, 5, 6], [2L, 0, 1], [2]);
        Assert.Equal([3L, 2], flat.Inputs.shape);
        using var grid = LabeledDataset.FromArrays(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }, [1L, 0]);
        Assert.Equal(6f, grid.Inputs[1, 2].item<float>());

        var ragged = Assert.Throws<ArgumentException>(() => LabeledDataset.FromArrays([[1f, 2], [3f]], [0L, 1]));
        Assert.Contains("Sample 1 has 1 values but sample 0 has 2", ragged.Message);
        var outOfRange = Assert.Throws<ArgumentException>(() => LabeledDataset.FromArrays([[1f], [2f]], [0L, 3], classes: 2));
        Assert.Contains("Labels must be in [0, 2)", outOfRange.Message);
    }

    private string Csv(string text)
    {
        var path = Path.Combine(_directory, "data.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_csv_file_reads_its_label_column_by_name_and_its_features_in_order()
    {
        var path = Csv("""
            sepal_length,species,"sepal, width"
            5.1,setosa,3.5

            7.0,versicolor,3.2
            6.3,virginica,-3.3e-1
            """);
        using var data = LabeledDataset.FromCsv(path, "species", new CsvOptions { ClassNames = ["setosa", "versicolor", "virginica"] });

        Assert.Equal([3L, 2], data.Inputs.shape);
        Assert.Equal([0L, 1, 2], data.Labels.data<long>().ToArray());
        Assert.Equal(-0.33f, data.Inputs[2, 1].item<float>(), 6);
        Assert.Equal(3, data.Classes);

        using var indices = LabeledDataset.FromCsv(Csv("a,b,label\n1,2,1\n3,4,0\n"), "label", new CsvOptions { Features = ["b", "a"] });
        Assert.Equal(4f, indices.Inputs[1, 0].item<float>());
    }

    [Theory]
    [InlineData("x,y,label\n1,2,0\n3,oops,1\n", "line 3 (row 2), column 'y' (column 2): 'oops' is not a number")]
    [InlineData("x,y,label\n1,2,0\n3,,1\n", "line 3 (row 2), column 'y' (column 2): '' is not a number")]
    [InlineData("x,y,label\n1,2,0\n3,4\n", "line 3 (row 2): 2 cells, but the header has 3 columns")]
    [InlineData("x,y,class\n1,2,0\n", "has no column 'label' for the labels; its columns are 'x', 'y', 'class'")]
    [InlineData("x,y,label\n1,2,cat\n", "line 2 (row 1), column 'label': 'cat' is not a class index")]
    public void A_bad_csv_cell_is_an_error_naming_the_file_row_and_column(string text, string expected)
    {
        var path = Csv(text);
        var error = Assert.Throws<InvalidDataException>(() => LabeledDataset.FromCsv(path, "label"));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    private void Image(string relative, SKColor color, int width = 4, int height = 4, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var path = Path.Combine(_directory, "images", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void An_image_folder_tree_is_one_class_per_folder_decoded_resized_and_normalised()
    {
        Image("cat/a.png", new SKColor(255, 0, 0));
        Image("cat/b.png", new SKColor(0, 0, 255), width: 8, height: 6);
        Image("dog/c.jpg", new SKColor(128, 128, 128), format: SKEncodedImageFormat.Jpeg);
        File.WriteAllText(Path.Combine(_directory, "images", "dog", "notes.txt"), "not an image: skipped");
        var root = Path.Combine(_directory, "images");

        using var rgb = LabeledDataset.FromImageFolder(root, new ImageFolderOptions { Width = 2, Height = 2, Mean = [0.5f], Std = [0.5f] });
        Assert.Equal(["cat", "dog"], LabeledDataset.ImageFolderClasses(root));
        Assert.Equal([3L, 3, 2, 2], rgb.Inputs.shape);
        Assert.Equal([0L, 0, 1], rgb.Labels.data<long>().ToArray());
        Assert.Equal(1f, rgb.Inputs[0, 0, 1, 1].item<float>(), 4);     // red: (1 - 0.5) / 0.5
        Assert.Equal(-1f, rgb.Inputs[0, 2, 0, 0].item<float>(), 4);
        Assert.Equal(1f, rgb.Inputs[1, 2, 0, 1].item<float>(), 4);     // blue, resized from 8x6
        Assert.Equal(0.004f, rgb.Inputs[2, 1, 0, 0].item<float>(), 1);  // grey, JPEG

        using var grey = LabeledDataset.FromImageFolder(root, new ImageFolderOptions { Width = 2, Height = 2, Grayscale = true });
        Assert.Equal([3L, 1, 2, 2], grey.Inputs.shape);
        Assert.Equal(0.299f, grey.Inputs[0, 0, 0, 0].item<float>(), 3);
    }

    [Fact]
    public void Images_of_another_size_without_a_resize_or_a_damaged_image_are_named()
    {
        Image("a/1.png", SKColors.White);
        Image("a/2.png", SKColors.White, width: 5);
        var root = Path.Combine(_directory, "images");
        var size = Assert.Throws<InvalidDataException>(() => LabeledDataset.FromImageFolder(root));
        Assert.Contains("2.png' is 5x4 but", size.Message);

        File.WriteAllText(Path.Combine(root, "a", "2.png"), "not a png");
        var damaged = Assert.Throws<InvalidDataException>(() => LabeledDataset.FromImageFolder(root));
        Assert.Contains("2.png' is not an image SkiaSharp can decode", damaged.Message);
    }

    [Fact]
    public void Nineteen_features_into_a_model_of_twenty_fail_before_the_first_step_naming_both_shapes()
    {
        using var nineteen = LabeledDataset.FromArrays(Enumerable.Range(0, 16).Select(i => new float[19]).ToArray(), Enumerable.Range(0, 16).Select(i => (long)(i % 2)).ToArray());
        var error = Assert.Throws<ArgumentException>(() => new TrainTwentyFeatures(new TwentyFeatures()).Train(nineteen));
        Assert.Contains("The samples of the training set have shape [19], but TwentyFeatures declares InputShape = [20]", error.Message);

        using var doubles = new LabeledDataset(zeros(16, 20, dtype: ScalarType.Float64), zeros(16, dtype: ScalarType.Int64));
        var type = Assert.Throws<ArgumentException>(() => new TrainTwentyFeatures(new TwentyFeatures()).Train(doubles));
        Assert.Contains("are Float64, but TwentyFeatures's parameters are Float32", type.Message);

        using var fine = new LabeledDataset(zeros(16, 20), zeros(16, dtype: ScalarType.Int64));
        new TrainTwentyFeatures(new TwentyFeatures()).Train(fine);
    }
}
