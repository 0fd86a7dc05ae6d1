using SharpConv.Kernels;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

public class GemmTests
{
    private static float[] Run(PackedMatrix pa, float[] b, int n, float[] bias, float[] res, Activation act, Scheduler s)
    {
        var c = new float[pa.Groups * pa.Rows * n];
        var scratch = new float[PackedGemm.ScratchElements(s.ThreadCount)];
        PackedGemm.Multiply(pa, b, n, c, bias, res, act, s, scratch);
        return c;
    }

    private static void Check(int m, int n, int k, int groups, bool epilogue, SimdWidth width, Scheduler s)
    {
        var a = KernelAssert.Random(groups * m * k, m * 31 + k);
        var b = KernelAssert.Random(groups * k * n, n * 17 + k);
        var bias = epilogue ? KernelAssert.Random(groups * m, 5) : Array.Empty<float>();
        var res = epilogue ? KernelAssert.Random(groups * m * n, 6) : Array.Empty<float>();
        var act = epilogue ? Activation.Relu : Activation.None;
        var want = new float[groups * m * n];
        GemmReference.Multiply(a, b, want, m, n, k, bias, res, act, groups);
        var got = Run(PackedMatrix.Pack(a, m, k, groups, width), b, n, bias, res, act, s);
        KernelAssert.Close(want, got, 1e-5, $"gemm {width} M{m} N{n} K{k} G{groups}");
    }

    /// <summary>Every M and N tail of every micro-kernel: M in 1..2·MR, N in 1..2·NR (+ a few more).</summary>
    [Theory]
    [InlineData(SimdWidth.Vector128)] [InlineData(SimdWidth.Vector256)] [InlineData(SimdWidth.Vector512)]
    public void AllTailsMatchReference(SimdWidth width)
    {
        var kr = GemmKernel.For(width);
        foreach (int m in Enumerable.Range(1, 2 * kr.MR))
            foreach (int n in new[] { 1, kr.NR - 1, kr.NR, kr.NR + 1, 2 * kr.NR - 1, 2 * kr.NR, 2 * kr.NR + 3 })
                Check(m, n, 7, 1, m % 2 == 0, width, Scheduler.Inline);
        foreach (int n in Enumerable.Range(1, 2 * kr.NR))
            Check(kr.MR + 1, n, 5, 1, true, width, Scheduler.Inline);
    }

    [Theory]
    [InlineData(SimdWidth.Vector128)] [InlineData(SimdWidth.Vector256)] [InlineData(SimdWidth.Vector512)]
    public void DepthAcrossKBlocksAndGroups(SimdWidth width)
    {
        foreach (int k in new[] { 1, 3, GemmKernel.KC - 1, GemmKernel.KC, GemmKernel.KC + 1, 2 * GemmKernel.KC + 77 })
            Check(19, 45, k, 1, true, width, Scheduler.Inline);
        Check(8, 300, 40, 3, true, width, Scheduler.Inline);
        Check(33, 600, 20, 1, false, width, Scheduler.Inline);   // more than one N tile
    }

    /// <summary>Thin matrices get a shorter-row kernel at pack time (16/32/48/64 rows); the result is bit-identical
    /// to the default 14-row kernel (same per-element summation order) and to the reference within 1e-5, for 1/2/3 threads.</summary>
    [Fact]
    public void RowCountPicksKernelWithoutChangingBits()
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        Assert.Equal(8, GemmKernel.For(SimdWidth.Vector512, 16).MR);
        Assert.Equal(8, GemmKernel.For(SimdWidth.Vector512, 32).MR);
        Assert.Equal(12, GemmKernel.For(SimdWidth.Vector512, 48).MR);
        Assert.Equal(14, GemmKernel.For(SimdWidth.Vector512, 14).MR);
        Assert.Equal(14, GemmKernel.For(SimdWidth.Vector512, 1000).MR);
        foreach (int m in new[] { 8, 16, 24, 32, 48, 64, 96, 13 })
        foreach (int n in new[] { 1, 47, 169, 300 })
        {
            int k = m % 3 == 0 ? 2 * GemmKernel.KC + 5 : 27;
            var a = KernelAssert.Random(m * k, m + k); var b = KernelAssert.Random(k * n, n + 1);
            var bias = KernelAssert.Random(m, 2); var res = KernelAssert.Random(m * n, 3);
            var want = new float[m * n];
            GemmReference.Multiply(a, b, want, m, n, k, bias, res, Activation.Relu);
            var baseline = Run(PackedMatrix.Pack(a, m, k, 1, GemmKernel.V512_14x2), b, n, bias, res, Activation.Relu, Scheduler.Inline);
            foreach (int t in new[] { 1, 2, 3 })
            {
                using var s = new Scheduler(t);
                var got = Run(PackedMatrix.Pack(a, m, k, 1, SimdWidth.Vector512), b, n, bias, res, Activation.Relu, s);
                KernelAssert.Close(want, got, 1e-5, $"thin M{m} N{n} K{k} T{t}");
                KernelAssert.Identical(baseline, got, $"thin vs 14x2 M{m} N{n} K{k} T{t}");
            }
        }
    }

    /// <summary>Tiles with few M panels read B in place (no packing; a partial last panel is still packed): the bits
    /// equal the always-packed run's, for every width, partial panels in both directions, several K blocks, groups,
    /// and 1–3 threads (which also change how M is split into tiles).</summary>
    [Fact]
    public void InPlaceBIsBitIdenticalToPackedB()
    {
        foreach (var width in KernelAssert.Widths)
        foreach (int m in new[] { 5, 16, 30, 50 })
        foreach (int n in new[] { 1, 47, 300 })
        foreach (int groups in new[] { 1, 2 })
        {
            int k = n == 47 ? 2 * GemmKernel.KC + 5 : 27;
            var a = KernelAssert.Random(groups * m * k, m + k); var b = KernelAssert.Random(groups * k * n, n + 1);
            var bias = KernelAssert.Random(groups * m, 2); var res = KernelAssert.Random(groups * m * n, 3);
            var pa = PackedMatrix.Pack(a, m, k, groups, width);
            float[] packed;
            PackedGemm.InPlaceMaxPanels = 0;   // a speed knob only (the bits do not change), so flipping it is harmless
            try { packed = Run(pa, b, n, bias, res, Activation.Relu, Scheduler.Inline); }
            finally { PackedGemm.InPlaceMaxPanels = 4; }
            foreach (int t in new[] { 1, 2, 3 })
            {
                using var s = new Scheduler(t);
                PackedGemm.InPlaceMaxPanels = 100;
                float[] got;
                try { got = Run(pa, b, n, bias, res, Activation.Relu, s); }
                finally { PackedGemm.InPlaceMaxPanels = 4; }
                KernelAssert.Identical(packed, got, $"in-place B {width} M{m} N{n} K{k} G{groups} T{t}");
            }
        }
    }

    /// <summary>The last, partial column panel runs a kernel with only the vectors its columns need, the last one
    /// masked: the bits equal the whole-tile-and-merge path's for every column count of every kernel shape (14×2, 12×2
    /// and 8×3 with AVX-512, 6×2 with AVX2), partial M panels too (with AVX2 every remainder of the 6-row panels, which
    /// run kernels computing only their valid rows), one and three K blocks (the masked accumulate), and 1–3 threads;
    /// and the reference within 1e-5.</summary>
    [Fact]
    public void MaskedTailKernelsAreBitIdenticalToTheMergedTile()
    {
        foreach (var width in KernelAssert.Widths)
        foreach (int m in new[] { 28, 24, 16, 30, 6, 25, 26, 27, 29, 5 })   // every remainder of the 6-row panels
        foreach (int k in new[] { 27, 2 * GemmKernel.KC + 5 })
        {
            var pa = PackedMatrix.Pack(KernelAssert.Random(m * k, m + k), m, k, 1, width);
            int nr = pa.Kernel.NR;
            foreach (int n in Enumerable.Range(1, nr + 1).Append(3 * nr - 5).Append(169))
            {
                var b = KernelAssert.Random(k * n, n + 1);
                var bias = KernelAssert.Random(m, 2); var res = KernelAssert.Random(m * n, 3);
                var want = new float[m * n];
                GemmReference.Multiply(KernelAssert.Random(m * k, m + k), b, want, m, n, k, bias, res, Activation.Relu);
                GemmKernel.MaskedTails = false;   // a speed knob only (the bits do not change), so flipping it is harmless
                float[] merged;
                try { merged = Run(pa, b, n, bias, res, Activation.Relu, Scheduler.Inline); }
                finally { GemmKernel.MaskedTails = true; }
                KernelAssert.Close(want, merged, 1e-5, $"merged {width} M{m} N{n} K{k}");
                foreach (int t in new[] { 1, 3 })
                {
                    using var s = new Scheduler(t);
                    KernelAssert.Identical(merged, Run(pa, b, n, bias, res, Activation.Relu, s), $"masked tail {width} {pa.Kernel.Shape} M{m} N{n} K{k} T{t}");
                }
            }
        }
    }

    [Fact]
    public void GenericClampAndNoBias()
    {
        var a = KernelAssert.Random(10 * 20, 1); var b = KernelAssert.Random(20 * 70, 2);
        var act = new Activation(-0.3f, 0.4f);
        var want = new float[10 * 70];
        GemmReference.Multiply(a, b, want, 10, 70, 20, default, default, act);
        KernelAssert.Close(want, Run(PackedMatrix.Pack(a, 10, 20), b, 70, Array.Empty<float>(), Array.Empty<float>(), act, Scheduler.Inline), 1e-5, "clamp");
    }

    /// <summary>Every width and thread count gives the same bits: the K blocking is the only thing the
    /// summation order depends on.</summary>
    [Fact]
    public void BitIdenticalForThreadsAndWidths()
    {
        int m = 70, n = 333, k = 600;
        var a = KernelAssert.Random(m * k, 1); var b = KernelAssert.Random(k * n, 2);
        var bias = KernelAssert.Random(m, 3); var res = KernelAssert.Random(m * n, 4);
        float[]? first = null;
        foreach (var width in KernelAssert.Widths)
        {
            var pa = PackedMatrix.Pack(a, m, k, 1, width);
            foreach (int t in new[] { 1, 2, 3 })
            {
                using var s = new Scheduler(t);
                var got = Run(pa, b, n, bias, res, Activation.Relu, s);
                if (first == null) first = got;
                else KernelAssert.Identical(first, got, $"{width} {t} threads");
            }
        }
    }

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        int m = 64, n = 200, k = 300;
        var pa = PackedMatrix.Pack(KernelAssert.Random(m * k, 1), m, k);
        var b = KernelAssert.Random(k * n, 2); var c = new float[m * n]; var bias = new float[m];
        using var s = new Scheduler(2);
        var scratch = new float[PackedGemm.ScratchElements(2)];
        Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => PackedGemm.Multiply(pa, b, n, c, bias, default, Activation.Relu, s, scratch)));
    }

    /// <summary>The tile plan is kept per shape: the kept answer is the search's, for shapes where M, N or both split,
    /// and asking again finds it without a new search or an allocation.</summary>
    [Fact]
    public void TilePlansAreKeptPerShape()
    {
        var shapes = new[] { (1, 11, 190, 16, 2), (8, 4, 49, 16, 2), (1, 2, 3, 16, 3), (3, 40, 7, 8, 2), (1, 11, 190, 16, 1), (32, 1, 1, 16, 2) };
        foreach (var (bg, mp, np, nr, threads) in shapes)
        {
            PackedGemm.SearchTiles(bg, mp, np, nr, threads, out int wantM, out int wantN);
            PackedGemm.PlanTiles(bg, mp, np, nr, threads, out int m1, out int n1);
            PackedGemm.PlanTiles(bg, mp, np, nr, threads, out int m2, out int n2);
            Assert.Equal((wantM, wantN), (m1, n1));
            Assert.Equal((wantM, wantN), (m2, n2));
        }
        Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => PackedGemm.PlanTiles(1, 11, 190, 16, 2, out _, out _)));
    }

    [Fact]
    public void ShortSpansAreRejected()
    {
        var pa = PackedMatrix.Pack(new float[12], 3, 4);
        Assert.Throws<ArgumentException>(() => PackedGemm.Multiply(pa, new float[4 * 5 - 1], 5, new float[15], default, default, Activation.None, null, new float[PackedGemm.ScratchElements(1)]));
        Assert.Throws<ArgumentException>(() => PackedGemm.Multiply(pa, new float[20], 5, new float[15], default, default, Activation.None, null, new float[10]));
    }
}
