using SharpConv.Kernels;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

/// <summary><see cref="PackedGemv"/> (small-batch fully connected) vs <see cref="GemmReference"/> and vs
/// <see cref="PackedGemm"/> bit for bit, over awkward shapes and thread counts.</summary>
public class GemvTests
{
    private static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    private static void Check(int outF, int inF, int n, bool epilogue)
    {
        // Both widths everywhere (an unaccelerated Vector512 runs in software with the same bits), so an AVX2-only
        // machine still checks the 64-row panels and an AVX-512 one the 32-row panels.
        Check(outF, inF, n, epilogue, SimdWidth.Vector512);
        Check(outF, inF, n, epilogue, SimdWidth.Vector256);
    }

    private static void Check(int outF, int inF, int n, bool epilogue, SimdWidth width)
    {
        var w = KernelAssert.Random(outF * inF, outF * 7 + inF);
        var x = KernelAssert.Random(n * inF, n * 13 + inF);
        var bias = epilogue ? KernelAssert.Random(outF, 3) : Array.Empty<float>();
        var act = epilogue ? (n % 2 == 0 ? Activation.Relu : new Activation(-0.2f, 4f)) : Activation.None;
        // Reference: Yᵀ[out × n] = W · Xᵀ.
        var wantT = new float[outF * n];
        GemmReference.Multiply(w, Transpose(x, n, inF), wantT, outF, n, inF, bias, default, act);
        var want = Transpose(wantT, outF, n);

        var gemv = new PackedGemv(w, outF, inF, width);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var s = new Scheduler(threads);
            var y = new float[n * outF];
            gemv.Multiply(x, n, y, bias, act, s);
            KernelAssert.Close(want, y, 1e-5, $"gemv {width} out{outF} in{inF} N{n} T{threads}");
            if (first is null) first = y; else KernelAssert.Identical(first, y, $"gemv {width} threads out{outF} in{inF} N{n} T{threads}");
        }
        // Same summation order as the packed GEMM (so the batch size never changes the bits).
        var gemmT = new float[outF * n];
        PackedGemm.Multiply(PackedMatrix.Pack(w, outF, inF), Transpose(x, n, inF), n, gemmT, bias, default, act, Scheduler.Inline,
            new float[PackedGemm.ScratchElements(1)]);
        KernelAssert.Identical(Transpose(gemmT, outF, n), first!, $"gemv {width} vs gemm out{outF} in{inF} N{n}");
    }

    [Fact]
    public void AwkwardShapesAndBatches()
    {
        foreach (int n in Enumerable.Range(1, 9))
        {
            Check(1, 1, n, true);
            Check(17, 31, n, n % 2 == 0);
            Check(64, 257, n, true);
            Check(32, 40, n, n % 2 == 1);
            Check(96, 300, n, true);
            Check(200, 513, n, n % 3 == 0);
        }
        Check(129, 1000, 3, true);
        Check(1000, 77, 1, false);
        // Batches past a chunk of columns (16) that share each K block's pass: a full chunk, one column more, two
        // chunks and one more; 70 rows end in a partial panel at both widths, 300 inputs in a partial K block.
        foreach (int n in new[] { 16, 17, 33 }) Check(70, 300, n, n != 17);
    }

    [Fact]
    public void ShortSpansThrow()
    {
        foreach (var width in new[] { SimdWidth.Vector512, SimdWidth.Vector256 })
        {
            var g = new PackedGemv(new float[6], 2, 3, width);
            Assert.Throws<ArgumentException>(() => g.Multiply(new float[5], 2, new float[4], default, Activation.None, null));
            Assert.Throws<ArgumentException>(() => g.Multiply(new float[6], 2, new float[3], default, Activation.None, null));
        }
        Assert.Throws<ArgumentException>(() => new PackedGemv(new float[6], 2, 3, SimdWidth.Vector128));
    }
}
