namespace SharpConv.Imaging;

/// <summary>Resampling filter for <see cref="Image.Resize(int, int, Interpolation)"/>.</summary>
public enum Interpolation
{
    /// <summary>Nearest neighbour, as PIL's <c>Image.NEAREST</c>.</summary>
    Nearest,
    /// <summary>Bilinear with antialiasing when shrinking, as PIL's <c>Image.BILINEAR</c> (torchvision's default).</summary>
    Bilinear,
}

/// <summary>
/// An 8-bit image with 1 (grayscale) or 3 (RGB) interleaved channels, rows top to bottom:
/// the byte of channel <c>c</c> at column <c>x</c>, row <c>y</c> is <c>Pixels[(y * Width + x) * Channels + c]</c>.
/// Operations return new images; none modifies its input.
/// </summary>
public sealed class Image
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as an image.</summary>
    /// <exception cref="ArgumentException">Sizes not positive, channels not 1 or 3, or the pixel count does not match.</exception>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}×{height}.");
        if (channels is not (1 or 3)) throw new ArgumentException($"channels must be 1 or 3, got {channels}.", nameof(channels));
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"{width}×{height}×{channels} needs {(long)width * height * channels} bytes, got {pixels.LongLength}.", nameof(pixels));
        Width = width; Height = height; Channels = channels; Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 for grayscale, 3 for RGB.</summary>
    public int Channels { get; }

    /// <summary>The interleaved pixel bytes (HWC order), <c>Width × Height × Channels</c> of them.</summary>
    public byte[] Pixels { get; }

    /// <summary>
    /// Reads and decodes a JPEG, PNG, BMP or GIF (first frame) file. Grayscale sources (with or without alpha)
    /// give a 1-channel image, everything else 3-channel RGB; alpha is dropped (as PIL's <c>convert("RGB")</c>).
    /// The file length and the header's dimensions are checked against <paramref name="limits"/> before the pixels are decoded.
    /// EXIF orientation is not applied (neither PIL nor torchvision apply it).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="limits">Size limits; <see cref="ImageLimits.Default"/> when null.</param>
    /// <exception cref="ImageFormatException">Empty, truncated, corrupt or unsupported file, or over a limit.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Image Load(string path, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (fs.Length > limits.MaxFileBytes)
            throw new ImageFormatException(path, $"file of {fs.Length:N0} bytes is over the limit of {limits.MaxFileBytes:N0} (see SharpConv.Imaging.ImageLimits).",
                new LimitExceededException("image file", $"{fs.Length:N0} bytes", limits.MaxFileBytes));
        var data = new byte[fs.Length];
        fs.ReadExactly(data);
        return ImageDecoder.Decode(data, path, limits);
    }

    /// <summary>Decodes an encoded JPEG, PNG, BMP or GIF held in memory; see <see cref="Load"/>.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="name">A name for error messages.</param>
    /// <param name="limits">Size limits; <see cref="ImageLimits.Default"/> when null.</param>
    /// <exception cref="ImageFormatException">Empty, truncated, corrupt or unsupported data, or over a limit.</exception>
    public static Image Decode(byte[] data, string name = "image", ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ImageDecoder.Decode(data, name, limits ?? ImageLimits.Default);
    }

    /// <summary>A deep copy.</summary>
    public Image Clone() => new(Width, Height, Channels, (byte[])Pixels.Clone());

    /// <summary>This image as RGB: a grayscale image has its value copied to all three channels (as PIL's <c>convert("RGB")</c>).</summary>
    public Image ToRgb()
    {
        if (Channels == 3) return Clone();
        var dst = new byte[Pixels.LongLength * 3];
        for (long i = 0; i < Pixels.LongLength; i++) dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = Pixels[i];
        return new Image(Width, Height, 3, dst);
    }

    /// <summary>
    /// This image as 1-channel grayscale by ITU-R 601-2 luma, L = R·299/1000 + G·587/1000 + B·114/1000, computed with
    /// PIL's fixed-point rounding (<c>convert("L")</c>) so results are bit-exact.
    /// </summary>
    public Image ToGrayscale()
    {
        if (Channels == 1) return Clone();
        var dst = new byte[(long)Width * Height];
        for (long i = 0; i < dst.LongLength; i++)
            dst[i] = (byte)((Pixels[3 * i] * 19595 + Pixels[3 * i + 1] * 38470 + Pixels[3 * i + 2] * 7471 + 0x8000) >> 16);
        return new Image(Width, Height, 1, dst);
    }

    /// <summary>
    /// Resizes to exactly <paramref name="width"/>×<paramref name="height"/>, bit-exact with PIL's <c>Image.resize</c>
    /// (bilinear antialiases when shrinking).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="LimitExceededException">The result would exceed <see cref="ImageLimits.Default"/>.</exception>
    public Image Resize(int width, int height, Interpolation interpolation = Interpolation.Bilinear)
    {
        CheckSize(width, height, nameof(Resize));
        return Resampler.Resize(this, width, height, interpolation);
    }

    /// <summary>
    /// Resizes so the shorter side becomes <paramref name="size"/>, keeping the aspect ratio as torchvision's
    /// <c>Resize(size)</c> does: the longer side becomes <c>int(size · long / short)</c> (truncated).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="LimitExceededException">The result would exceed <see cref="ImageLimits.Default"/>.</exception>
    public Image ResizeShorterSide(int size, Interpolation interpolation = Interpolation.Bilinear)
    {
        var (w, h) = ShorterSideSize(Width, Height, size);
        return Resize(w, h, interpolation);
    }

    internal static (int Width, int Height) ShorterSideSize(int width, int height, int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be positive.");
        bool wide = width > height;
        long shortSide = wide ? height : width, longSide = wide ? width : height;
        double newLong = (double)(size * longSide) / shortSide;
        int nl = newLong >= int.MaxValue ? int.MaxValue : (int)newLong;
        return wide ? (nl, size) : (size, nl);
    }

    /// <summary>
    /// Crops the central <paramref name="width"/>×<paramref name="height"/> region with torchvision's <c>CenterCrop</c>
    /// semantics: offsets are <c>round((size − crop) / 2)</c> with round-half-to-even, and an image smaller than the crop
    /// is first zero-padded (the extra column/row going right/bottom).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Image CenterCrop(int width, int height)
    {
        CheckSize(width, height, nameof(CenterCrop));
        Image img = this;
        if (width > Width || height > Height)
        {
            int dw = Math.Max(0, width - Width), dh = Math.Max(0, height - Height);
            img = Pad(dw / 2, dh / 2, (dw + 1) / 2, (dh + 1) / 2);
            if (img.Width == width && img.Height == height) return img;
        }
        int top = (int)Math.Round((img.Height - height) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((img.Width - width) / 2.0, MidpointRounding.ToEven);
        return img.Crop(left, top, width, height);
    }

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> region whose top-left corner is (<paramref name="left"/>, <paramref name="top"/>); it must lie inside the image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The region is empty or not inside the image.</exception>
    public Image Crop(int left, int top, int width, int height)
    {
        if (width <= 0 || height <= 0 || left < 0 || top < 0 || (long)left + width > Width || (long)top + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"crop {width}×{height} at ({left},{top}) is not inside the {Width}×{Height} image.");
        var dst = new byte[(long)width * height * Channels];
        int rowBytes = width * Channels;
        for (int y = 0; y < height; y++)
            Array.Copy(Pixels, ((long)(top + y) * Width + left) * Channels, dst, (long)y * rowBytes, rowBytes);
        return new Image(width, height, Channels, dst);
    }

    /// <summary>Adds a border of <paramref name="fill"/>-valued pixels (as torchvision's <c>Pad</c> with constant fill).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    /// <exception cref="LimitExceededException">The result would exceed <see cref="ImageLimits.Default"/>.</exception>
    public Image Pad(int left, int top, int right, int bottom, byte fill = 0)
    {
        if (left < 0 || top < 0 || right < 0 || bottom < 0)
            throw new ArgumentOutOfRangeException(nameof(left), "padding must not be negative.");
        long w = (long)Width + left + right, h = (long)Height + top + bottom;
        CheckSize(w, h, nameof(Pad));
        var dst = new byte[w * h * Channels];
        if (fill != 0) Array.Fill(dst, fill);
        int rowBytes = Width * Channels;
        for (int y = 0; y < Height; y++)
            Array.Copy(Pixels, (long)y * rowBytes, dst, ((y + top) * w + left) * Channels, rowBytes);
        return new Image((int)w, (int)h, Channels, dst);
    }

    /// <summary>Each byte v becomes 255 − v (e.g. to turn dark-on-light digits into MNIST's light-on-dark).</summary>
    public Image Invert()
    {
        var dst = new byte[Pixels.LongLength];
        for (long i = 0; i < dst.LongLength; i++) dst[i] = (byte)(255 - Pixels[i]);
        return new Image(Width, Height, Channels, dst);
    }

    /// <summary>A [1, C, H, W] tensor of the pixels divided by 255 (torchvision's <c>ToTensor</c>).</summary>
    public Tensor ToTensor()
    {
        var t = new Tensor(new Shape(1, Channels, Height, Width));
        WriteChw(t.Span, null, null);
        return t;
    }

    /// <summary>Writes C·H·W floats (x/255, then (x − mean[c]) / std[c] when given) in float32 arithmetic like torch.</summary>
    internal void WriteChw(Span<float> dst, float[]? mean, float[]? std)
    {
        int plane = Width * Height;
        for (int c = 0; c < Channels; c++)
        {
            Span<float> p = dst.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++) p[i] = Pixels[i * Channels + c] / 255f;
            if (mean is not null && std is not null)
            {
                float m = mean[mean.Length == 1 ? 0 : c], s = std[std.Length == 1 ? 0 : c];
                for (int i = 0; i < plane; i++) p[i] = (p[i] - m) / s;
            }
        }
    }

    private static void CheckSize(long width, long height, string op)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"{op}: size must be positive, got {width}×{height}.");
        var limits = ImageLimits.Default;
        if (width > limits.MaxDimension || height > limits.MaxDimension)
            throw new LimitExceededException($"{op} result", $"{width}×{height} pixels", limits.MaxDimension);
        if (width * height > limits.MaxPixels)
            throw new LimitExceededException($"{op} result", $"{width}×{height} = {width * height:N0} pixels", limits.MaxPixels);
    }

    /// <summary>Describes the image, e.g. <c>Image 640×480×3</c>.</summary>
    public override string ToString() => $"Image {Width}×{Height}×{Channels}";
}
