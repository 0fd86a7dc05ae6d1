using Xunit.Abstractions;

namespace SharpConv.Imaging.Tests;

/// <summary>Bit-exactness against PIL 9.4 / torchvision 0.14 outputs produced by tools/make_imaging_reference.py.</summary>
public class ReferenceTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Lossless => Reference.Cases
        .Where(c => c.Op == "decode" && !c.Str("file")!.EndsWith(".jpg")).Select(c => new object[] { c.Name });
    public static IEnumerable<object[]> Jpegs => Reference.Cases
        .Where(c => c.Op == "decode" && c.Str("file")!.EndsWith(".jpg")).Select(c => new object[] { c.Name });
    public static IEnumerable<object[]> Resizes => Reference.Names("resize", "resize_short");
    public static IEnumerable<object[]> Crops => Reference.Names("center_crop");
    public static IEnumerable<object[]> Grays => Reference.Names("grayscale");
    public static IEnumerable<object[]> Pipelines => Reference.Names("imagenet", "fashion");

    [Theory, MemberData(nameof(Lossless))]
    public void LosslessDecodeMatchesPilExactly(string name)
    {
        var c = Reference.Get(name);
        var img = c.Source();
        Assert.Equal(c.Shape, new[] { img.Height, img.Width, img.Channels });
        Assert.Equal(c.Bytes, img.Pixels);
    }

    [Theory, MemberData(nameof(Jpegs))]
    public void JpegDecodeIsCloseToLibjpeg(string name)
    {
        // stb_image and libjpeg use different IDCT / chroma upsampling / YCbCr rounding: not bit-exact, but close.
        var c = Reference.Get(name);
        var img = c.Source();
        Assert.Equal(c.Shape, new[] { img.Height, img.Width, img.Channels });
        var (max, mean, differing) = Reference.Compare(c.Bytes, img.Pixels);
        output.WriteLine($"{name}: max |Δ| {max}/255, mean {mean:F3}/255, {100.0 * differing / img.Pixels.Length:F1}% of values differ");
        Assert.True(max <= 3 && mean <= 0.25, $"max {max}, mean {mean}");
    }

    [Theory, MemberData(nameof(Resizes))]
    public void ResizeMatchesPilExactly(string name)
    {
        var c = Reference.Get(name);
        var src = c.Source();
        Image got = c.Op == "resize_short"
            ? src.ResizeShorterSide(c.Int("size"))
            : src.Resize(c.Ints("size")[0], c.Ints("size")[1], c.Str("interp") == "nearest" ? Interpolation.Nearest : Interpolation.Bilinear);
        Assert.Equal(c.Shape, new[] { got.Height, got.Width, got.Channels });
        var (max, _, differing) = Reference.Compare(c.Bytes, got.Pixels);
        output.WriteLine($"{name}: max |Δ| {max}/255, {differing} of {got.Pixels.Length} values differ");
        Assert.Equal(0, max);
    }

    [Theory, MemberData(nameof(Crops))]
    public void CenterCropMatchesTorchvision(string name)
    {
        var c = Reference.Get(name);
        var got = c.Source().CenterCrop(c.Ints("size")[0], c.Ints("size")[1]);
        Assert.Equal(c.Shape, new[] { got.Height, got.Width, got.Channels });
        Assert.Equal(c.Bytes, got.Pixels);
    }

    [Theory, MemberData(nameof(Grays))]
    public void GrayscaleMatchesPilExactly(string name)
    {
        var c = Reference.Get(name);
        var got = c.Source().ToRgb().ToGrayscale();
        Assert.Equal(1, got.Channels);
        Assert.Equal(c.Bytes, got.Pixels);
    }

    [Fact]
    public void ToTensorAndNormalizeMatchTorch()
    {
        var src = Reference.Pattern(33, 21, 3);
        var t = src.ToTensor();
        Assert.Equal(new Shape(1, 3, 21, 33), t.Shape);
        double e1 = Reference.MaxAbs(Reference.Get("totensor_33x21").Floats, t.Span);
        double e2 = Reference.MaxAbs(Reference.Get("normalize_33x21").Floats, new Preprocess().Normalize([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]).Apply(src).Span);
        output.WriteLine($"ToTensor max |Δ| {e1:E2}, Normalize max |Δ| {e2:E2}");
        Assert.True(e1 <= 1e-5 && e2 <= 1e-5, $"{e1} {e2}");
    }

    [Theory, MemberData(nameof(Pipelines))]
    public void PipelinesMatchTorchvision(string name)
    {
        var c = Reference.Get(name);
        var pre = c.Op == "fashion" ? Preprocess.FashionMnist() : Preprocess.ImageNet(c.Int("crop"), c.Int("resize"));
        var t = pre.Apply(c.Source());
        Assert.Equal(new Shape(c.Shape), t.Shape);
        double e = Reference.MaxAbs(c.Floats, t.Span);
        output.WriteLine($"{name} ({pre}): max |Δ| {e:E2}");
        Assert.True(e <= 1e-5, $"max abs error {e}");
    }

    [Fact]
    public void ImageNet224OnPatternMatchesTorchvisionExactly()
    {
        var c = Reference.Get("imagenet_crop_pattern_517x389");
        var pre = Preprocess.ImageNet(224);
        var crop = pre.Transform(c.Source());
        Assert.Equal(c.Bytes, crop.Pixels);
        Assert.Equal(new Shape(1, 3, 224, 224), pre.Apply(c.Source()).Shape);
    }

    [Fact]
    public void ImageNet224OnJpegPhotoIsCloseToTorchvision()
    {
        // End to end from the JPEG file: PIL decodes with libjpeg, SharpConv with StbImageSharp.
        var c = Reference.Get("imagenet_crop_photo_jpg");
        var crop = Preprocess.ImageNet(224).Transform(Image.Load(Reference.ImagePath("photo.jpg")));
        var (max, mean, differing) = Reference.Compare(c.Bytes, crop.Pixels);
        output.WriteLine($"photo.jpg → ImageNet(224) crop: max |Δ| {max}/255 = {max / 255.0:F4}, mean {mean / 255.0:F5}, {100.0 * differing / crop.Pixels.Length:F1}% differ"
            + $" (after Normalize: max {max / 255.0 / 0.224:F4})");
        Assert.True(max <= 3 && mean <= 0.2, $"max {max}, mean {mean}");
    }
}
