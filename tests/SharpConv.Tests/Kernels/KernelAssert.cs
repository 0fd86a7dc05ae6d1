using SharpConv.Kernels;

namespace SharpConv.Tests.Kernels;

/// <summary>One comparison helper for every kernel test: prints the first mismatch and the max error.</summary>
internal static class KernelAssert
{
    public static readonly SimdWidth[] Widths = { SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512 };

    /// <summary>max |got − want| / max(max |want|, 1e-3) ≤ tol.</summary>
    public static void Close(ReadOnlySpan<float> want, ReadOnlySpan<float> got, double tol, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double maxRef = 1e-3, maxDiff = 0; int worst = -1;
        for (int i = 0; i < want.Length; i++) maxRef = Math.Max(maxRef, Math.Abs(want[i]));
        for (int i = 0; i < want.Length; i++)
        {
            double d = Math.Abs((double)want[i] - got[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (d > maxDiff) { maxDiff = d; worst = i; }
        }
        if (maxDiff / maxRef > tol)
            Assert.Fail($"{what}: max rel error {maxDiff / maxRef:E2} > {tol:E1} at [{worst}] want {want[worst]} got {got[worst]} (first values want {Fmt(want)} got {Fmt(got)})");
    }

    public static void Identical(ReadOnlySpan<float> want, ReadOnlySpan<float> got, string what)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            if (BitConverter.SingleToInt32Bits(want[i]) != BitConverter.SingleToInt32Bits(got[i]))
                Assert.Fail($"{what}: not bit-identical at [{i}]: {want[i]:R} vs {got[i]:R}");
    }

    public static float[] Random(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var a = new float[n];
        new SeededRandom((ulong)seed).FillUniform(a, lo, hi);
        return a;
    }

    private static string Fmt(ReadOnlySpan<float> s)
    {
        var n = Math.Min(4, s.Length);
        var parts = new string[n];
        for (int i = 0; i < n; i++) parts[i] = s[i].ToString("G5");
        return "[" + string.Join(", ", parts) + "]";
    }
}
