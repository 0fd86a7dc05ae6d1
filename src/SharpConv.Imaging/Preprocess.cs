using System.Globalization;

namespace SharpConv.Imaging;

/// <summary>
/// An immutable preprocessing pipeline: image steps (colour conversion, resize, crop, pad…) applied in order,
/// then ToTensor (÷255) and an optional per-channel Normalize, giving a float32 NCHW <see cref="Tensor"/>.
/// Each builder method returns a new pipeline with one more step, so presets can be extended safely:
/// <code>
/// var pre = Preprocess.ImageNet(224);                 // Rgb → Resize(256) → CenterCrop(224) → ToTensor → Normalize
/// Tensor x = pre.Apply(Image.Load("cat.jpg"));        // [1, 3, 224, 224]
/// Tensor batch = pre.ToBatch(images);                 // [N, 3, 224, 224]
/// </code>
/// Results match torchvision's transforms on PIL images (see the steps' docs for the exact semantics).
/// </summary>
public sealed class Preprocess
{
    private readonly (string Name, Func<Image, Image> Step)[] _steps;
    private readonly float[]? _mean, _std;

    /// <summary>An empty pipeline: <see cref="Apply(Image)"/> only converts to a tensor (÷255).</summary>
    public Preprocess() : this([], null, null) { }

    private Preprocess((string, Func<Image, Image>)[] steps, float[]? mean, float[]? std)
    {
        _steps = steps; _mean = mean; _std = std;
    }

    /// <summary>
    /// torchvision's ImageNet evaluation transform: RGB → Resize(<paramref name="resizeSize"/>, bilinear) →
    /// CenterCrop(<paramref name="cropSize"/>) → ToTensor → Normalize(mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)).
    /// </summary>
    public static Preprocess ImageNet(int cropSize = 224, int resizeSize = 256) =>
        new Preprocess().Rgb().Resize(resizeSize).CenterCrop(cropSize)
            .Normalize([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// Fashion-MNIST input for a 32×32 LeNet: grayscale → resize to 28×28 (bilinear; no-op for 28×28 input) →
    /// zero-pad 2 on each side to 32×32 → ToTensor → Normalize(0.2860, 0.3530).
    /// Fashion-MNIST items are light on a dark background; add <see cref="Invert"/> first for dark-on-light photos.
    /// </summary>
    public static Preprocess FashionMnist() => Digits(0.2860f, 0.3530f);

    /// <summary>MNIST input for a 32×32 LeNet: as <see cref="FashionMnist"/> but Normalize(0.1307, 0.3081).</summary>
    public static Preprocess Mnist() => Digits(0.1307f, 0.3081f);

    private static Preprocess Digits(float mean, float std) =>
        new Preprocess().Grayscale().Resize(28, 28).Pad(2).Normalize([mean], [std]);

    /// <summary>Adds a conversion to 3-channel RGB (grayscale replicated), as PIL's <c>convert("RGB")</c>.</summary>
    public Preprocess Rgb() => With("Rgb", static i => i.Channels == 3 ? i : i.ToRgb());

    /// <summary>Adds a conversion to 1-channel grayscale (ITU-R 601-2 luma, bit-exact with PIL's <c>convert("L")</c>).</summary>
    public Preprocess Grayscale() => With("Grayscale", static i => i.Channels == 1 ? i : i.ToGrayscale());

    /// <summary>Adds torchvision's <c>Resize(size)</c>: the shorter side becomes <paramref name="size"/>, aspect ratio kept.</summary>
    public Preprocess Resize(int size, Interpolation interpolation = Interpolation.Bilinear)
    {
        Positive(size, nameof(size));
        return With($"Resize({size}, {interpolation})", i => i.ResizeShorterSide(size, interpolation));
    }

    /// <summary>Adds a resize to exactly <paramref name="width"/>×<paramref name="height"/> (torchvision's <c>Resize((h, w))</c>).</summary>
    public Preprocess Resize(int width, int height, Interpolation interpolation = Interpolation.Bilinear)
    {
        Positive(width, nameof(width)); Positive(height, nameof(height));
        return With($"Resize({width}×{height}, {interpolation})", i => i.Resize(width, height, interpolation));
    }

    /// <summary>Adds torchvision's <c>CenterCrop(size)</c> to a square.</summary>
    public Preprocess CenterCrop(int size) => CenterCrop(size, size);

    /// <summary>Adds torchvision's <c>CenterCrop((height, width))</c>; see <see cref="Image.CenterCrop"/>.</summary>
    public Preprocess CenterCrop(int width, int height)
    {
        Positive(width, nameof(width)); Positive(height, nameof(height));
        return With($"CenterCrop({width}×{height})", i => i.CenterCrop(width, height));
    }

    /// <summary>Adds a zero border of <paramref name="padding"/> pixels on every side (torchvision's <c>Pad(padding)</c>).</summary>
    public Preprocess Pad(int padding)
    {
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must not be negative.");
        return With($"Pad({padding})", i => i.Pad(padding, padding, padding, padding));
    }

    /// <summary>Adds an inversion (v → 255 − v).</summary>
    public Preprocess Invert() => With("Invert", static i => i.Invert());

    /// <summary>
    /// Sets the normalisation applied after ToTensor: <c>(x − mean[c]) / std[c]</c> in float32, as torchvision's
    /// <c>Normalize</c>. Give one value per channel, or one value for all channels. Replaces any earlier Normalize.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or are 0, or a std is 0 or not finite.</exception>
    public Preprocess Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean); ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"mean and std must have the same, non-zero length (got {mean.Length} and {std.Length}).");
        foreach (float s in std)
            if (s == 0f || !float.IsFinite(s)) throw new ArgumentException($"std values must be finite and non-zero (got {s}).", nameof(std));
        return new Preprocess(_steps, (float[])mean.Clone(), (float[])std.Clone());
    }

    /// <summary>Runs the image steps only, returning the 8-bit image that would be converted to a tensor.</summary>
    public Image Transform(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (var (_, step) in _steps) image = step(image);
        return image;
    }

    /// <summary>Runs the pipeline on one image, giving a [1, C, H, W] tensor.</summary>
    /// <exception cref="ShapeMismatchException">Normalize has per-channel values for another channel count.</exception>
    public Tensor Apply(Image image)
    {
        Image img = Transform(image);
        CheckChannels(img, "image");
        var t = new Tensor(new Shape(1, img.Channels, img.Height, img.Width));
        img.WriteChw(t.Span, _mean, _std);
        return t;
    }

    /// <summary>Loads an image file (<see cref="Image.Load"/>) and runs the pipeline on it, giving [1, C, H, W].</summary>
    /// <exception cref="ImageFormatException">The file cannot be decoded.</exception>
    public Tensor Apply(string path) => Apply(Image.Load(path));

    /// <summary>Runs the pipeline on each image and stacks the results into one [N, C, H, W] tensor.</summary>
    /// <exception cref="ArgumentException">No images.</exception>
    /// <exception cref="ShapeMismatchException">The pipeline gives images of different sizes (add a crop or a fixed-size resize).</exception>
    /// <exception cref="LimitExceededException">The batch would exceed <see cref="Limits.MaxTensorElements"/>.</exception>
    public Tensor ToBatch(IEnumerable<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var stacker = new Stacker(this);
        int i = 0;
        foreach (var image in images) { stacker.Add(Transform(image), $"image {i}"); i++; }
        if (i == 0) throw new ArgumentException("no images to batch.", nameof(images));
        return stacker.ToTensor();
    }

    /// <summary>
    /// Loads every image file directly inside <paramref name="folder"/> (not subfolders), in ordinal order of file
    /// name, and runs the pipeline on each into one [N, C, H, W] batch. Files that are not JPEG/PNG/BMP/GIF, or that
    /// fail to decode, are skipped and listed with the reason.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="ImageFormatException">The folder holds no decodable image.</exception>
    /// <exception cref="ShapeMismatchException">The pipeline gives images of different sizes.</exception>
    /// <exception cref="LimitExceededException">The batch would exceed <see cref="Limits.MaxTensorElements"/>.</exception>
    public FolderBatch LoadFolder(string folder, ImageLimits? limits = null)
    {
        var files = Directory.GetFiles(folder);
        Array.Sort(files, StringComparer.Ordinal);
        var stacker = new Stacker(this);
        var loaded = new List<string>();
        var skipped = new List<SkippedFile>();
        foreach (var file in files)
        {
            Image image;
            try { image = Image.Load(file, limits); }
            catch (ImageFormatException e) { skipped.Add(new SkippedFile(file, e.Problem)); continue; }
            catch (IOException e) { skipped.Add(new SkippedFile(file, e.Message)); continue; }
            catch (UnauthorizedAccessException e) { skipped.Add(new SkippedFile(file, e.Message)); continue; }
            stacker.Add(Transform(image), file);
            loaded.Add(file);
        }
        if (loaded.Count == 0)
            throw new ImageFormatException(folder, $"no decodable JPEG, PNG, BMP or GIF file in the folder ({skipped.Count} skipped).");
        return new FolderBatch(stacker.ToTensor(), loaded, skipped);
    }

    private void CheckChannels(Image img, string what)
    {
        if (_mean is { Length: > 1 } && _mean.Length != img.Channels)
            throw new ShapeMismatchException("Preprocess.Normalize", $"{_mean.Length} channels", $"{img.Channels} channels in {what}");
    }

    /// <summary>Collects per-image CHW planes of one shape, checking the running size against the tensor limit.</summary>
    private sealed class Stacker(Preprocess owner)
    {
        private readonly List<float[]> _items = [];
        private int _c, _h, _w;

        public void Add(Image img, string what)
        {
            owner.CheckChannels(img, what);
            if (_items.Count == 0) { _c = img.Channels; _h = img.Height; _w = img.Width; }
            else if (img.Channels != _c || img.Height != _h || img.Width != _w)
                throw new ShapeMismatchException("Preprocess batch", $"[{_c}, {_h}, {_w}] like the first image", $"[{img.Channels}, {img.Height}, {img.Width}] for {what}");
            Limits.CheckTensorElements(new Shape(_items.Count + 1, _c, _h, _w), "image batch");
            var chw = new float[img.Channels * img.Height * img.Width];
            img.WriteChw(chw, owner._mean, owner._std);
            _items.Add(chw);
        }

        public Tensor ToTensor()
        {
            var t = new Tensor(new Shape(_items.Count, _c, _h, _w));
            int n = _c * _h * _w;
            for (int i = 0; i < _items.Count; i++) _items[i].CopyTo(t.Span.Slice(i * n, n));
            return t;
        }
    }

    private Preprocess With(string name, Func<Image, Image> step) => new([.. _steps, (name, step)], _mean, _std);

    private static void Positive(int v, string name)
    {
        if (v <= 0) throw new ArgumentOutOfRangeException(name, v, "must be positive.");
    }

    /// <summary>Describes the pipeline, e.g. <c>Rgb → Resize(256, Bilinear) → CenterCrop(224×224) → ToTensor → Normalize(…)</c>.</summary>
    public override string ToString()
    {
        var parts = _steps.Select(s => s.Name).Append("ToTensor").ToList();
        if (_mean is not null && _std is not null)
            parts.Add($"Normalize(mean [{Join(_mean)}], std [{Join(_std)}])");
        return string.Join(" → ", parts);
        static string Join(float[] v) => string.Join(", ", v.Select(x => x.ToString(CultureInfo.InvariantCulture)));
    }
}

/// <summary>The result of <see cref="Preprocess.LoadFolder"/>.</summary>
/// <param name="Batch">The [N, C, H, W] tensor, one item per loaded file in <paramref name="Files"/> order.</param>
/// <param name="Files">The files loaded, in batch order (ordinal order of name).</param>
/// <param name="Skipped">The files skipped, with the reason.</param>
public sealed record FolderBatch(Tensor Batch, IReadOnlyList<string> Files, IReadOnlyList<SkippedFile> Skipped);

/// <summary>A file <see cref="Preprocess.LoadFolder"/> did not load.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">Why it was skipped.</param>
public readonly record struct SkippedFile(string Path, string Reason);
