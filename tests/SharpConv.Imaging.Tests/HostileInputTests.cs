using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Xunit.Abstractions;

namespace SharpConv.Imaging.Tests;

/// <summary>Corrupt, truncated, unknown and oversized inputs must fail with <see cref="ImageFormatException"/>, quickly.</summary>
public class HostileInputTests(ITestOutputHelper output)
{
    private static readonly string[] Fixtures =
        ["photo.jpg", "small.jpg", "gray.jpg", "rgb.png", "gray.png", "rgba.png", "palette.png", "digit.png", "rgb.bmp", "anim.gif"];

    private static byte[] Fixture(string f) => File.ReadAllBytes(Reference.ImagePath(f));

    private static ImageFormatException Fails(byte[] data, string name = "test-input", ImageLimits? limits = null)
    {
        var e = Assert.Throws<ImageFormatException>(() => Image.Decode(data, name, limits));
        Assert.Equal(name, e.File);
        Assert.StartsWith(name + ": ", e.Message);
        return e;
    }

    [Fact]
    public void EmptyAndUnknownFormatsAreRejected()
    {
        Assert.Contains("empty", Fails([]).Problem);
        Assert.Contains("not a JPEG, PNG, BMP or GIF", Fails("hello, world\n"u8.ToArray()).Problem);
        Assert.Contains("not a JPEG, PNG, BMP or GIF", Fails(new byte[1000]).Problem); // would parse as TGA in stb
        var rng = new Random(7);
        var junk = new byte[4096];
        rng.NextBytes(junk);
        junk[0] = 0x12;
        Fails(junk);
        Fails([(byte)'B', (byte)'M']);
        Fails([0xFF, 0xD8, 0xFF]);
        Fails("GIF89a"u8.ToArray());
        Fails([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
    }

    [Fact]
    public void MissingFileIsAnIOException() =>
        Assert.ThrowsAny<IOException>(() => Image.Load(Path.Combine(Reference.Images, "no-such-file.png")));

    [Fact]
    public void LoadNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sharpconv-trunc-{Guid.NewGuid():N}.png");
        var d = Fixture("rgb.png");
        File.WriteAllBytes(path, d[..(d.Length / 2)]);
        try
        {
            var e = Assert.Throws<ImageFormatException>(() => Image.Load(path));
            Assert.Equal(path, e.File);
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("photo.jpg"), InlineData("small.jpg"), InlineData("gray.jpg"), InlineData("rgb.png"), InlineData("gray.png")]
    [InlineData("rgba.png"), InlineData("palette.png"), InlineData("digit.png"), InlineData("rgb.bmp"), InlineData("anim.gif")]
    public void TruncatedFilesAreRejected(string file)
    {
        var d = Fixture(file);
        // anim.gif: only the first frame is decoded, so a cut inside the second frame still gives a valid image.
        int end = file == "anim.gif" ? FirstGifFrameEnd(d) : d.Length;
        var cuts = new SortedSet<int> { 1, 2, 3, 7, 10, 16, 30, end / 4, end / 2, end * 3 / 4, end - 2, end - 1 };
        foreach (int cut in cuts.Where(c => c > 0 && c < end))
        {
            var e = Assert.Throws<ImageFormatException>(() => Image.Decode(d[..cut], $"{file}[..{cut}]"));
            Assert.Contains(file, e.Message);
        }
    }

    private static int FirstGifFrameEnd(byte[] d)
    {
        // the first 0x2C image descriptor's data ends at the first zero-length sub-block after it
        int pos = 13 + ((d[10] & 0x80) != 0 ? 3 << ((d[10] & 7) + 1) : 0);
        while (d[pos] == 0x21) { pos += 2; while (d[pos] != 0) pos += d[pos] + 1; pos++; }
        Assert.Equal(0x2C, d[pos]);
        byte f = d[pos + 9];
        pos += 10 + ((f & 0x80) != 0 ? 3 << ((f & 7) + 1) : 0) + 1;
        while (d[pos] != 0) pos += d[pos] + 1;
        return pos + 1;
    }

    [Fact]
    public void HugePngHeaderIsRejectedBeforeDecoding()
    {
        var png = Png(100_000, 100_000, 2, new byte[10]);
        var e = Fails(png);
        Assert.IsType<LimitExceededException>(e.InnerException);
        Assert.Contains("100000×100000", e.Message);
    }

    [Fact]
    public void HugeJpegGifBmpHeadersAreRejected()
    {
        var jpg = Fixture("small.jpg");
        int sof = FindSof(jpg);
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 5), 60000); // height
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 7), 60000); // width
        Assert.IsType<LimitExceededException>(Fails(jpg).InnerException);

        var gif = Fixture("anim.gif");
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), 65535);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), 65535);
        Fails(gif);

        var bmp = Fixture("rgb.bmp");
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 50000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 50000);
        Fails(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 3000); // within the default limits, but the file is short
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 3000);
        Assert.Contains("truncated", Fails(bmp).Problem);
    }

    private static int FindSof(byte[] d)
    {
        for (int i = 2; i < d.Length - 1; i++)
            if (d[i] == 0xFF && d[i + 1] is 0xC0 or 0xC1 or 0xC2) return i;
        throw new InvalidOperationException("no SOF");
    }

    [Fact]
    public void ConfigurableLimitsApply()
    {
        var d = Fixture("gray.png"); // 40×30
        Assert.Equal(40, Image.Decode(d, limits: new ImageLimits { MaxPixels = 1200 }).Width);
        var e = Fails(d, limits: new ImageLimits { MaxPixels = 1199 });
        Assert.Equal(1199, Assert.IsType<LimitExceededException>(e.InnerException).Limit);
        Assert.IsType<LimitExceededException>(Fails(d, limits: new ImageLimits { MaxDimension = 39 }).InnerException);
        Assert.IsType<LimitExceededException>(Fails(d, limits: new ImageLimits { MaxFileBytes = 100 }).InnerException);
    }

    [Fact]
    public void PngDecompressionBombIsRejected()
    {
        // 16×16 RGB declares 16·(1+48) = 784 bytes of filtered data; this IDAT inflates to 64 MiB of zeros.
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.Write(zeros);
        }
        var e = Fails(Png(16, 16, 2, ms.ToArray()));
        Assert.Contains("bomb", e.Problem);
    }

    [Fact]
    public void ValidHandMadePngDecodes()
    {
        // sanity check of the Png() helper used above
        var raw = new byte[2 * (1 + 2 * 3)];
        raw[1] = 255; raw[7 + 6] = 7;
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        var img = Image.Decode(Png(2, 2, 2, ms.ToArray()));
        Assert.Equal([255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], img.Pixels);
    }

    [Fact]
    public void RandomlyCorruptedFilesNeverCrashOrHang()
    {
        var rng = new Random(12345);
        var sw = Stopwatch.StartNew();
        int ok = 0, rejected = 0;
        foreach (var file in Fixtures.Where(f => f != "photo.jpg")) // small.jpg covers JPEG at a fraction of the time
        {
            var orig = Fixture(file);
            for (int iter = 0; iter < 150; iter++)
            {
                var d = (byte[])orig.Clone();
                int flips = 1 + rng.Next(8);
                for (int k = 0; k < flips; k++)
                {
                    // bias towards headers, where the interesting parsing happens
                    int pos = rng.Next(2) == 0 ? rng.Next(Math.Min(d.Length, 64)) : rng.Next(d.Length);
                    d[pos] = rng.Next(3) switch { 0 => (byte)rng.Next(256), 1 => 0xFF, _ => (byte)(d[pos] ^ (1 << rng.Next(8))) };
                }
                if (rng.Next(4) == 0) d = d[..rng.Next(1, d.Length)];
                try
                {
                    var img = Image.Decode(d, file);
                    Assert.Equal((long)img.Width * img.Height * img.Channels, img.Pixels.LongLength);
                    ok++;
                }
                catch (ImageFormatException) { rejected++; }
            }
        }
        output.WriteLine($"{ok} decoded, {rejected} rejected in {sw.ElapsedMilliseconds} ms");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60));
    }

    /// <summary>A PNG with the given IHDR (8-bit, colour type <paramref name="colorType"/>) and one IDAT chunk.</summary>
    internal static byte[] Png(int width, int height, byte colorType, byte[] idat)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = colorType;
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", idat);
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(u32, data.Length);
        s.Write(u32);
        var td = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++) td[i] = (byte)type[i];
        data.CopyTo(td, 4);
        s.Write(td);
        BinaryPrimitives.WriteUInt32BigEndian(u32, Crc32(td));
        s.Write(u32);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
