using System.Text.Json;

namespace SharpConv.Onnx.Tests;

/// <summary>
/// Finds the shared test data (reference models, PyTorch outputs, ONNX conformance cases): <c>$SHARPCONV_SHARED</c>,
/// else <c>../shared</c> beside the repository root. Missing data is a failure, never a silent skip.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>Placeholder case name used when the data cannot be found, so that the theory fails loudly.</summary>
    public const string Missing = "<shared test data not found>";

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("SHARPCONV_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) dir = dir.Parent;
        if (dir?.Parent is null) return null;
        var shared = Path.Combine(dir.Parent.FullName, "shared");
        return Directory.Exists(shared) ? shared : null;
    }

    /// <summary>The shared folder; fails the test with a clear message when it cannot be found.</summary>
    public static string Shared =>
        Root.Value ?? throw new Xunit.Sdk.XunitException(
            "Shared test data not found. Put the 'shared' folder (reference/, onnx-node-tests/) beside the repository root " +
            "(../shared from the folder holding SharpConv.sln) or set SHARPCONV_SHARED to its path.");

    /// <summary>Folder of the PyTorch reference data.</summary>
    public static string Reference => Path.Combine(Shared, "reference");

    /// <summary>Folder of the ONNX backend node tests.</summary>
    public static string NodeTests => Path.Combine(Shared, "onnx-node-tests");

    /// <summary>Sub-folders of <paramref name="relative"/> (sorted), or the <see cref="Missing"/> placeholder.</summary>
    public static TheoryData<string> Cases(string relative, Func<string, bool>? filter = null)
    {
        var data = new TheoryData<string>();
        if (Root.Value is null) { data.Add(Missing); return data; }
        var dir = Path.Combine(Root.Value, relative);
        if (!Directory.Exists(dir)) { data.Add(Missing); return data; }
        foreach (var d in Directory.GetDirectories(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            if (d is not null && (filter is null || filter(d))) data.Add(d);
        return data;
    }

    /// <summary>Reads a raw little-endian float32 file.</summary>
    public static Tensor ReadBin(string path, Shape shape) => Tensor.FromLittleEndianBytes(shape, File.ReadAllBytes(path));

    /// <summary>The shape of the first input/output listed in a case's meta.json.</summary>
    public static (Shape Input, Shape Output) MetaShapes(string caseDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(caseDir, "meta.json")));
        Shape Read(string key) => new(doc.RootElement.GetProperty(key)[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        return (Read("inputs"), Read("outputs"));
    }

    /// <summary>max|a − b| / max|b| (the reference README's measure).</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
            if (float.IsNaN(actual[i])) return double.PositiveInfinity;
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /// <summary>Argmax of each row of an [N, classes] tensor.</summary>
    public static int[] ArgMax(Tensor t)
    {
        int n = t.Shape[0], k = t.Length / n;
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            var row = t.Span.Slice(i * k, k);
            int best = 0;
            for (int j = 1; j < k; j++) if (row[j] > row[best]) best = j;
            r[i] = best;
        }
        return r;
    }
}
