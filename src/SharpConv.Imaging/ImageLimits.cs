namespace SharpConv.Imaging;

/// <summary>
/// Size limits checked while decoding, from the file length and the image header, <em>before</em> the pixel
/// buffer is allocated. A file over a limit fails with an <see cref="ImageFormatException"/> whose inner
/// exception is a <see cref="LimitExceededException"/>. Resizing and padding also refuse results over
/// <see cref="MaxPixels"/> or <see cref="MaxDimension"/>.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Largest width or height accepted (default 32,768).</summary>
    public int MaxDimension { get; init; } = 32_768;

    /// <summary>Largest width × height accepted (default 2^27 ≈ 134 megapixels, about 400 MB as RGB).</summary>
    public long MaxPixels { get; init; } = 1L << 27;

    /// <summary>Largest file accepted, in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>The limits used when a caller passes none. Settable process-wide.</summary>
    public static ImageLimits Default { get; set; } = new();
}
