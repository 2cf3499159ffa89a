using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SkiaSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Decodes image files with SkiaSharp into one [N, C, H, W] float32 tensor, in parallel, for <see cref="LabeledDataset.FromImageFolder"/>.</summary>
internal static class ImageDecoding
{
    public static LabeledDataset Load(List<(string Path, long Label)> files, int classes, ImageFolderOptions options)
    {
        if (options.Width < 0 || options.Height < 0 || (options.Width == 0) != (options.Height == 0))
            throw new ArgumentException($"Give both Width and Height (positive) to resize, or neither; not {options.Width} x {options.Height}.", nameof(options));
        var channels = options.Grayscale ? 1 : 3;
        var mean = PerChannel(options.Mean, channels, 0f, nameof(options.Mean));
        var std = PerChannel(options.Std, channels, 1f, nameof(options.Std));
        if (std.Any(s => !(s > 0))) throw new ArgumentException("Every Std must be positive.", nameof(options));

        var (width, height) = (options.Width, options.Height);
        if (width == 0)
        {
            using var first = Decode(files[0].Path);
            (width, height) = (first.Width, first.Height);
        }
        var perImage = checked(channels * width * height);
        var pixels = new float[checked((long)files.Count * perImage)];
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None);
        var resize = options.Width > 0;

        // Every failure is kept; the first file's (in folder order) is thrown, the same on every run.
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<int, Exception>();
        Parallel.For(0, files.Count, i =>
        {
            try { DecodeInto(i); }
            catch (Exception e) { failures[i] = e; }
        });
        if (!failures.IsEmpty) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[failures.Keys.Min()]);

        var inputs = tensor(pixels, [files.Count, channels, height, width]);
        var labels = tensor(files.Select(f => f.Label).ToArray(), [files.Count]);
        return new LabeledDataset(inputs, labels, classes);

        void DecodeInto(int i)
        {
            using var image = Decode(files[i].Path);
            if (!resize && (image.Width != width || image.Height != height))
                throw new InvalidDataException(
                    $"'{files[i].Path}' is {image.Width}x{image.Height} but '{files[0].Path}' is {width}x{height}; give ImageFolderOptions.Width and Height to resize them all.");
            using var rgba = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            if (!image.ScalePixels(rgba, sampling)) throw new InvalidDataException($"'{files[i].Path}' could not be converted to {width}x{height} RGBA.");
            var source = rgba.GetPixelSpan();
            var target = pixels.AsSpan().Slice(i * perImage, perImage);
            var plane = width * height;
            for (var p = 0; p < plane; p++)
            {
                float r = source[4 * p], g = source[4 * p + 1], b = source[4 * p + 2];
                if (channels == 1)
                    target[p] = ((0.299f * r + 0.587f * g + 0.114f * b) / 255f - mean[0]) / std[0];
                else
                {
                    target[p] = (r / 255f - mean[0]) / std[0];
                    target[plane + p] = (g / 255f - mean[1]) / std[1];
                    target[2 * plane + p] = (b / 255f - mean[2]) / std[2];
                }
            }
        }
    }

    private static SKBitmap Decode(string path)
    {
        SKBitmap? bitmap;
        try { bitmap = SKBitmap.Decode(path); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new InvalidDataException($"'{path}' cannot be read as an image: {e.Message}", e); }
        return bitmap ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode (PNG, JPEG, BMP, GIF, WebP), or it is damaged.");
    }

    private static float[] PerChannel(float[]? values, int channels, float fallback, string name)
    {
        if (values is null) return Enumerable.Repeat(fallback, channels).ToArray();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        if (values.Length != channels) throw new ArgumentException($"{name} has {values.Length} values; give 1 or {channels} (one per channel).", name);
        return values;
    }
}
