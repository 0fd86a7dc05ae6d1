namespace SharpConv.Imaging.Tests;

public class PreprocessTests
{
    private static Image Fixture(string f) => Image.Load(Reference.ImagePath(f));

    [Fact]
    public void DecodesEachFormatWithTheRightChannels()
    {
        Assert.Equal((480, 360, 3), Shape(Fixture("photo.jpg")));
        Assert.Equal((48, 32, 3), Shape(Fixture("rgb.png")));
        Assert.Equal((40, 30, 1), Shape(Fixture("gray.png")));
        Assert.Equal((32, 32, 1), Shape(Fixture("gray.jpg")));
        Assert.Equal((24, 16, 3), Shape(Fixture("rgba.png")));     // alpha dropped
        Assert.Equal((20, 14, 3), Shape(Fixture("palette.png")));  // palette expanded
        Assert.Equal((21, 13, 3), Shape(Fixture("rgb.bmp")));
        Assert.Equal((20, 12, 3), Shape(Fixture("anim.gif")));     // first frame
        static (int, int, int) Shape(Image i) => (i.Width, i.Height, i.Channels);
    }

    [Fact]
    public void GifGivesTheFirstFrame()
    {
        // frame 2 is solid red; frame 1 is the pattern
        var img = Fixture("anim.gif");
        Assert.Contains(img.Pixels.Chunk(3), p => !(p[0] == 255 && p[1] == 0 && p[2] == 0));
    }

    [Fact]
    public void ImageNetPresetGivesNormalizedNchw()
    {
        var pre = Preprocess.ImageNet(224);
        Assert.Equal("Rgb → Resize(256, Bilinear) → CenterCrop(224×224) → ToTensor → Normalize(mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225])", pre.ToString());
        var t = pre.Apply(Reference.ImagePath("photo.jpg"));
        Assert.Equal(new Shape(1, 3, 224, 224), t.Shape);
        Assert.All(t.ToArray(), v => Assert.InRange(v, -0.485f / 0.229f - 1e-4f, (1 - 0.406f) / 0.225f + 1e-4f));
        // a grayscale input is replicated to RGB
        Assert.Equal(new Shape(1, 3, 224, 224), pre.Apply(Fixture("gray.png")).Shape);
    }

    [Fact]
    public void FashionMnistPutsA28x28ImageInTheMiddleOf32x32()
    {
        var img = Fixture("digit.png");
        var t = Preprocess.FashionMnist().Apply(img);
        Assert.Equal(new Shape(1, 1, 32, 32), t.Shape);
        float zero = (0f - 0.2860f) / 0.3530f;
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                bool border = x < 2 || y < 2 || x >= 30 || y >= 30;
                float expected = border ? zero : (img.Pixels[(y - 2) * 28 + (x - 2)] / 255f - 0.2860f) / 0.3530f;
                Assert.Equal(expected, t[0, 0, y, x]);
            }
    }

    [Fact]
    public void BuildersAreImmutableAndComposable()
    {
        var a = new Preprocess().Grayscale();
        var b = a.Resize(8, 6).Invert();
        Assert.Equal("Grayscale → ToTensor", a.ToString());
        Assert.Equal("Grayscale → Resize(8×6, Bilinear) → Invert → ToTensor", b.ToString());
        var img = new Image(2, 1, 3, [10, 20, 30, 255, 255, 255]);
        var t = a.Apply(img);
        Assert.Equal(new Shape(1, 1, 1, 2), t.Shape);
        Assert.Equal(255f / 255f, t[1]);
        var inv = new Preprocess().Invert().Apply(new Image(1, 1, 1, [200]));
        Assert.Equal(55f / 255f, inv[0]);
    }

    [Fact]
    public void GrayscaleUsesPilLuma()
    {
        // L = R*299/1000 + G*587/1000 + B*114/1000 (PIL rounds in 16-bit fixed point)
        var img = new Image(4, 1, 3, [255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 150, 200]);
        Assert.Equal([76, 150, 29, 141], img.ToGrayscale().Pixels);
        Assert.Equal([7, 7, 7], new Image(1, 1, 1, [7]).ToRgb().Pixels);
    }

    [Fact]
    public void ShorterSideResizeKeepsAspectLikeTorchvision()
    {
        var img = Reference.Pattern(640, 480, 3);
        var r = img.ResizeShorterSide(256);
        Assert.Equal((341, 256), (r.Width, r.Height)); // int(256 * 640 / 480) = 341
        var p = Reference.Pattern(480, 640, 3).ResizeShorterSide(256);
        Assert.Equal((256, 341), (p.Width, p.Height));
        Assert.Same(img.Pixels, img.Pixels);
        Assert.NotSame(img.Pixels, img.Resize(640, 480).Pixels); // same size: a copy
    }

    [Fact]
    public void NormalizeValidatesItsArguments()
    {
        Assert.Throws<ArgumentException>(() => new Preprocess().Normalize([0.5f], [0.5f, 0.5f]));
        Assert.Throws<ArgumentException>(() => new Preprocess().Normalize([0.5f], [0f]));
        Assert.Throws<ArgumentException>(() => new Preprocess().Normalize([], []));
        // three per-channel values on a grayscale image
        Assert.Throws<ShapeMismatchException>(() => Preprocess.ImageNet().Grayscale().Apply(Fixture("rgb.png")));
    }

    [Fact]
    public void ToBatchStacksInOrder()
    {
        var pre = Preprocess.ImageNet(32, 40);
        var imgs = new[] { Fixture("rgb.png"), Fixture("photo.jpg"), Fixture("gray.png") };
        var batch = pre.ToBatch(imgs);
        Assert.Equal(new Shape(3, 3, 32, 32), batch.Shape);
        for (int i = 0; i < imgs.Length; i++)
            Assert.Equal(pre.Apply(imgs[i]).ToArray(), batch.Span.Slice(i * 3 * 32 * 32, 3 * 32 * 32).ToArray());
        Assert.Throws<ArgumentException>(() => pre.ToBatch([]));
        // without a crop the sizes differ
        Assert.Throws<ShapeMismatchException>(() => new Preprocess().ToBatch(imgs));
    }

    [Fact]
    public void LoadFolderSortsAndSkipsNonImagesWithAReason()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sharpconv-folder-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.Copy(Reference.ImagePath("photo.jpg"), Path.Combine(dir, "b.jpg"));
            File.Copy(Reference.ImagePath("rgb.png"), Path.Combine(dir, "a.png"));
            File.Copy(Reference.ImagePath("anim.gif"), Path.Combine(dir, "c.gif"));
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
            var jpg = File.ReadAllBytes(Reference.ImagePath("small.jpg"));
            File.WriteAllBytes(Path.Combine(dir, "d-truncated.jpg"), jpg[..(jpg.Length / 2)]);
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            File.Copy(Reference.ImagePath("rgb.bmp"), Path.Combine(dir, "sub", "e.bmp"));

            var result = Preprocess.ImageNet(64, 72).LoadFolder(dir);
            Assert.Equal(["a.png", "b.jpg", "c.gif"], result.Files.Select(Path.GetFileName));
            Assert.Equal(new Shape(3, 3, 64, 64), result.Batch.Shape);
            Assert.Equal(["d-truncated.jpg", "notes.txt"], result.Skipped.Select(s => Path.GetFileName(s.Path)));
            Assert.Contains("truncated", result.Skipped[0].Reason);
            Assert.Contains("not a JPEG, PNG, BMP or GIF", result.Skipped[1].Reason);
            var b = Preprocess.ImageNet(64, 72).Apply(Path.Combine(dir, "b.jpg"));
            Assert.Equal(b.ToArray(), result.Batch.Span.Slice(3 * 64 * 64, 3 * 64 * 64).ToArray());

            var empty = Directory.CreateDirectory(Path.Combine(dir, "sub", "empty")).FullName;
            Assert.Throws<ImageFormatException>(() => Preprocess.ImageNet().LoadFolder(empty));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void CropPadAndResizeCheckTheirArguments()
    {
        var img = Reference.Pattern(10, 8, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Crop(5, 0, 6, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Resize(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Pad(-1, 0, 0, 0));
        Assert.Throws<LimitExceededException>(() => img.Resize(100_000, 100_000));
        Assert.Throws<ArgumentException>(() => new Image(2, 2, 3, new byte[11]));
        Assert.Throws<ArgumentException>(() => new Image(2, 2, 4, new byte[16]));
        var padded = img.Pad(1, 2, 3, 4, fill: 9);
        Assert.Equal((14, 14), (padded.Width, padded.Height));
        Assert.Equal(9, padded.Pixels[0]);
        Assert.Equal(img.Pixels[..3], padded.Pixels.AsSpan(((2 * 14) + 1) * 3, 3).ToArray());
    }
}
