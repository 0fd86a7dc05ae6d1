using System.Text.Json;

namespace SharpConv.Imaging.Tests;

/// <summary>Access to data/images and the PIL/torchvision references in data/imaging-reference (see tools/make_imaging_reference.py).</summary>
internal static class Reference
{
    public static readonly string Root = FindRoot();
    public static string Images => Path.Combine(Root, "data", "images");
    public static string RefDir => Path.Combine(Root, "data", "imaging-reference");
    public static string ImagePath(string file) => Path.Combine(Images, file);

    private static readonly Lazy<List<Case>> _cases = new(LoadCases);
    public static IReadOnlyList<Case> Cases => _cases.Value;

    public static Case Get(string name) => Cases.Single(c => c.Name == name);

    public static IEnumerable<object[]> Names(params string[] ops) =>
        Cases.Where(c => ops.Contains(c.Op)).Select(c => new object[] { c.Name });

    public sealed record Case(string Name, string Op, string DType, int[] Shape, JsonElement Json)
    {
        public byte[] Bytes => File.ReadAllBytes(Path.Combine(RefDir, Name + ".bin"));
        public float[] Floats
        {
            get
            {
                var b = Bytes;
                var f = new float[b.Length / 4];
                Buffer.BlockCopy(b, 0, f, 0, b.Length);
                return f;
            }
        }
        public int[] Ints(string key) => Json.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        public int Int(string key) => Json.GetProperty(key).GetInt32();
        public string? Str(string key) => Json.TryGetProperty(key, out var v) ? v.GetString() : null;

        /// <summary>The input image: a fixture file or the synthetic pattern.</summary>
        public Image Source()
        {
            if (Str("file") is { } f) return Image.Load(ImagePath(f));
            var p = Ints("pattern");
            return Pattern(p[0], p[1], p[2]);
        }
    }

    /// <summary>v(x, y, c) = (x*7 + y*3 + c*85 + ((x*y) ^ (x + 2*y)) % 64) % 256, as in the Python script.</summary>
    public static Image Pattern(int w, int h, int c)
    {
        var px = new byte[w * h * c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                    px[(y * w + x) * c + ch] = (byte)((x * 7 + y * 3 + ch * 85 + ((x * y) ^ (x + 2 * y)) % 64) % 256);
        return new Image(w, h, c, px);
    }

    /// <summary>Max and mean absolute difference on the 0..255 scale, and how many bytes differ.</summary>
    public static (int Max, double Mean, int Differing) Compare(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int max = 0, diff = 0; long sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(expected[i] - actual[i]);
            if (d > 0) diff++;
            sum += d;
            if (d > max) max = d;
        }
        return (max, (double)sum / expected.Length, diff);
    }

    public static double MaxAbs(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        return max;
    }

    private static List<Case> LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RefDir, "manifest.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => new Case(
            e.GetProperty("name").GetString()!, e.GetProperty("op").GetString()!, e.GetProperty("dtype").GetString()!,
            e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(), e.Clone())).ToList();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "imaging-reference", "manifest.json"))) return dir.FullName;
        throw new InvalidOperationException("data/imaging-reference/manifest.json not found above " + AppContext.BaseDirectory);
    }
}
