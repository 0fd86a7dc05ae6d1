using System.Buffers.Binary;
using System.IO.Compression;
using StbImageSharp;

namespace SharpConv.Imaging;

/// <summary>
/// Decodes JPEG, PNG, BMP and GIF (first frame) through StbImageSharp, after checking the signature, the header
/// and (per format) that the file is complete, so hostile input fails with <see cref="ImageFormatException"/>
/// before anything large is allocated.
/// </summary>
internal static class ImageDecoder
{
    internal enum Format { Jpeg, Png, Bmp, Gif }

    public static Image Decode(byte[] data, string name, ImageLimits limits)
    {
        try
        {
            return DecodeCore(data, name, limits);
        }
        catch (Exception e) when (e is not ImageFormatException)
        {
            // Belt and braces: whatever escapes the checks or the decoder is still a typed, named failure.
            throw new ImageFormatException(name, $"corrupt image data ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private static Image DecodeCore(byte[] data, string name, ImageLimits limits)
    {
        if (data.Length == 0) throw new ImageFormatException(name, "the file is empty.");
        if (data.Length > limits.MaxFileBytes)
            throw Limit(name, "image file", $"{data.Length:N0} bytes", limits.MaxFileBytes);

        Format format = Sniff(data)
            ?? throw new ImageFormatException(name, $"not a JPEG, PNG, BMP or GIF file (starts with {Hex(data, 8)}).");

        // Our own header read first: clear limit messages, and no decoder call at all for oversized images.
        int minHeader = format switch { Format.Png => 33, Format.Gif => 13, Format.Bmp => 26, _ => 4 };
        if (data.Length < minHeader)
            throw new ImageFormatException(name, $"file of {data.Length} bytes is too short for a {format} header (truncated file).");
        if (HeaderSize(data, format) is { } declared)
            CheckLimits(name, declared.Width, declared.Height, limits);

        ImageInfo? info;
        try
        {
            info = ImageInfo.FromStream(new ClampedStream(data));
        }
        catch (Exception e)
        {
            throw new ImageFormatException(name, $"unreadable {format} header ({e.Message}).", e);
        }
        if (info is not { } hdr)
            throw new ImageFormatException(name, $"unreadable or corrupt {format} header.");

        int w = hdr.Width, h = hdr.Height;
        CheckLimits(name, w, h, limits);

        string? incomplete = format switch
        {
            Format.Jpeg => CheckJpeg(data),
            Format.Png => CheckPng(data, w, h),
            Format.Bmp => CheckBmp(data),
            Format.Gif => CheckGif(data),
            _ => null,
        };
        if (incomplete is not null) throw new ImageFormatException(name, $"corrupt {format}: {incomplete}");

        bool gray = hdr.ColorComponents is ColorComponents.Grey or ColorComponents.GreyAlpha;
        int channels = gray ? 1 : 3;
        ImageResult result;
        try
        {
            result = ImageResult.FromStream(new ClampedStream(data), gray ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e)
        {
            throw new ImageFormatException(name, $"corrupt {format} data ({e.Message}).", e);
        }
        if (result is null || result.Data is null || result.Width != w || result.Height != h
            || result.Data.Length != (long)w * h * channels)
            throw new ImageFormatException(name, $"corrupt {format} data (decoder returned an image that does not match the header {w}×{h}).");
        return new Image(w, h, channels, result.Data);
    }

    internal static Format? Sniff(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 8 && d[..8].SequenceEqual(PngSignature)) return Format.Png;
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return Format.Jpeg;
        if (d.Length >= 6 && (d[..6].SequenceEqual("GIF87a"u8) || d[..6].SequenceEqual("GIF89a"u8))) return Format.Gif;
        if (d.Length >= 2 && d[0] == (byte)'B' && d[1] == (byte)'M') return Format.Bmp;
        return null;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static void CheckLimits(string name, long w, long h, ImageLimits limits)
    {
        if (w <= 0 || h <= 0)
            throw new ImageFormatException(name, $"the header declares an empty image ({w}×{h}).");
        if (w > limits.MaxDimension || h > limits.MaxDimension)
            throw Limit(name, "image dimension", $"{w}×{h} pixels", limits.MaxDimension);
        if (w * h > limits.MaxPixels)
            throw Limit(name, "image pixel count", $"{w}×{h} = {w * h:N0} pixels", limits.MaxPixels);
    }

    /// <summary>Width and height as the header declares them, or null when the header is too short to tell.</summary>
    private static (long Width, long Height)? HeaderSize(ReadOnlySpan<byte> d, Format format)
    {
        switch (format)
        {
            case Format.Png when d.Length >= 24:
                return (BinaryPrimitives.ReadUInt32BigEndian(d[16..]), BinaryPrimitives.ReadUInt32BigEndian(d[20..]));
            case Format.Gif when d.Length >= 10:
                return (BinaryPrimitives.ReadUInt16LittleEndian(d[6..]), BinaryPrimitives.ReadUInt16LittleEndian(d[8..]));
            case Format.Bmp when d.Length >= 26:
                if (BinaryPrimitives.ReadUInt32LittleEndian(d[14..]) == 12)
                    return (BinaryPrimitives.ReadUInt16LittleEndian(d[18..]), BinaryPrimitives.ReadUInt16LittleEndian(d[20..]));
                return (Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d[18..])), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d[22..])));
            case Format.Jpeg:
                // walk the marker segments to the first SOFn
                int pos = 2;
                while (pos + 9 < d.Length)
                {
                    if (d[pos] != 0xFF) return null;
                    byte m = d[pos + 1];
                    if (m == 0xFF) { pos++; continue; }
                    int len = BinaryPrimitives.ReadUInt16BigEndian(d[(pos + 2)..]);
                    bool sof = m is >= 0xC0 and <= 0xCF && m is not (0xC4 or 0xC8 or 0xCC);
                    if (sof) return (BinaryPrimitives.ReadUInt16BigEndian(d[(pos + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(d[(pos + 5)..]));
                    if (m == 0xDA || len < 2) return null;
                    pos += 2 + len;
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// A read-only stream over the file bytes whose Seek never goes past the end. StbImageSharp skips with
    /// <c>Seek(n, Current)</c> and tests end-of-file with <c>Position == Length</c>, so on a plain MemoryStream a
    /// segment length pointing past the end makes its marker loops spin forever.
    /// </summary>
    private sealed class ClampedStream(byte[] data) : Stream
    {
        private long _pos;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _pos; set => _pos = Math.Clamp(value, 0, data.Length); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, data.Length - _pos);
            if (n <= 0) return 0;
            data.AsSpan((int)_pos, n).CopyTo(buffer);
            _pos += n;
            return n;
        }
        public override int ReadByte() => _pos < data.Length ? data[_pos++] : -1;
        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _pos + offset,
            _ => data.Length + offset,
        };
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static ImageFormatException Limit(string name, string what, string found, long limit)
    {
        var inner = new LimitExceededException(what, found, limit);
        return new ImageFormatException(name, $"{what} {found} is over the limit of {limit:N0} (see SharpConv.Imaging.ImageLimits).", inner);
    }

    private static string Hex(ReadOnlySpan<byte> d, int n) =>
        Convert.ToHexString(d[..Math.Min(n, d.Length)]).ToLowerInvariant();

    /// <summary>A JPEG must end its last scan with an end-of-image marker (PIL, too, refuses truncated JPEGs).</summary>
    private static string? CheckJpeg(ReadOnlySpan<byte> d)
    {
        int sos = -1;
        for (int i = d.Length - 2; i >= 2; i--)
            if (d[i] == 0xFF && d[i + 1] == 0xDA) { sos = i; break; }
        if (sos < 0) return "no start-of-scan marker (truncated?).";
        for (int i = sos + 2; i < d.Length - 1; i++)
            if (d[i] == 0xFF && d[i + 1] == 0xD9) return null;
        return "no end-of-image marker after the last scan (truncated file).";
    }

    /// <summary>
    /// Walks the PNG chunks (lengths must fit the file, IEND must be present) and inflates the IDAT stream with a
    /// cap derived from the header, so a decompression bomb is refused before the decoder grows its buffers.
    /// </summary>
    private static string? CheckPng(byte[] d, int w, int h)
    {
        int pos = 8;
        bool sawEnd = false;
        int depth = 0, colorType = -1;
        using var idat = new MemoryStream();
        while (pos + 12 <= d.Length)
        {
            uint len = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(pos));
            if (len > int.MaxValue || pos + 12L + len > d.Length)
                return $"chunk at byte {pos} declares {len:N0} bytes but the file ends first (truncated file).";
            ReadOnlySpan<byte> type = d.AsSpan(pos + 4, 4);
            if (type.SequenceEqual("IHDR"u8) && len >= 13) { depth = d[pos + 16]; colorType = d[pos + 17]; }
            else if (type.SequenceEqual("IDAT"u8)) idat.Write(d, pos + 8, (int)len);
            else if (type.SequenceEqual("IEND"u8)) { sawEnd = true; break; }
            pos += 12 + (int)len;
        }
        if (!sawEnd) return "no IEND chunk (truncated file).";
        if (idat.Length < 2) return "no image data (IDAT).";
        int samples = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (samples == 0 || depth is not (1 or 2 or 4 or 8 or 16)) return $"unsupported colour type {colorType} / bit depth {depth}.";
        long rowBytes = ((long)w * depth * samples + 7) / 8;
        long cap = 2 * (h * (1 + rowBytes)) + 1024; // generous: covers Adam7 interlacing overhead
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            var buf = new byte[81920];
            long total = 0;
            int n;
            while ((n = z.Read(buf, 0, buf.Length)) > 0)
            {
                total += n;
                if (total > cap) return $"compressed image data inflates past the {cap:N0} bytes its {w}×{h} header allows (decompression bomb?).";
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException) { return $"image data does not inflate ({e.Message})."; }
        return null;
    }

    /// <summary>An uncompressed BMP must hold all the rows its header declares.</summary>
    private static string? CheckBmp(ReadOnlySpan<byte> d)
    {
        if (d.Length < 26) return "file shorter than a BMP header (truncated file).";
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
        uint dibSize = BinaryPrimitives.ReadUInt32LittleEndian(d[14..]);
        long width, height; int bpp; uint compression = 0;
        if (dibSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(d[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(d[20..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(d[24..]);
        }
        else
        {
            if (d.Length < 34) return "file shorter than a BMP header (truncated file).";
            width = BinaryPrimitives.ReadInt32LittleEndian(d[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d[22..]));
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(d[30..]);
        }
        if (compression is 1 or 2) return null; // RLE: length not known from the header; the decoder bounds-checks
        long stride = (width * bpp + 31) / 32 * 4;
        long need = offset + stride * height;
        return need > d.Length ? $"pixel data needs {need:N0} bytes but the file has {d.Length:N0} (truncated file)." : null;
    }

    /// <summary>Walks the GIF blocks up to the end of the first frame's image data.</summary>
    private static string? CheckGif(ReadOnlySpan<byte> d)
    {
        const string Truncated = "the first frame ends before its data does (truncated file).";
        if (d.Length < 13) return Truncated;
        int pos = 13;
        byte flags = d[10];
        if ((flags & 0x80) != 0) pos += 3 << ((flags & 7) + 1);
        while (true)
        {
            if (pos >= d.Length) return Truncated;
            byte block = d[pos++];
            if (block == 0x21)
            {
                pos++; // label
                if (!SkipSubBlocks(d, ref pos)) return Truncated;
            }
            else if (block == 0x2C)
            {
                if (pos + 9 > d.Length) return Truncated;
                byte f = d[pos + 8];
                pos += 9;
                if ((f & 0x80) != 0) pos += 3 << ((f & 7) + 1);
                pos++; // LZW minimum code size
                return SkipSubBlocks(d, ref pos) ? null : Truncated;
            }
            else if (block == 0x3B) return "no image in the file.";
            else return $"unknown block 0x{block:x2} at byte {pos - 1}.";
        }
    }

    private static bool SkipSubBlocks(ReadOnlySpan<byte> d, ref int pos)
    {
        while (pos < d.Length)
        {
            int n = d[pos++];
            if (n == 0) return true;
            pos += n;
        }
        return false;
    }
}
