using SharpConv.Kernels;
using SharpConv.Kernels.Pool;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

public class PoolTests
{
    public static IEnumerable<object[]> Shapes() => new[]
    {
        new object[] { new PoolParams(3, 13, 13, 3, 3, 2) },                                   // AlexNet
        new object[] { new PoolParams(2, 112, 112, 3, 3, 2, pad: 1) },                         // ResNet stem
        new object[] { new PoolParams(2, 55, 55, 3, 3, 2, ceilMode: true) },                   // SqueezeNet/GoogLeNet
        new object[] { new PoolParams(2, 14, 15, 3, 3, 1, pad: 1, ceilMode: true) },
        new object[] { new PoolParams(3, 9, 10, 2, 2, 2) },
        new object[] { new PoolParams(2, 10, 11, 3, 2, 3, pad: 1, ceilMode: true, countIncludePad: true) },
        new object[] { new PoolParams(2, 8, 7, 3, 3, 2) with { PadTop = 0, PadLeft = 1, PadBottom = 2, PadRight = 0 } },
        new object[] { new PoolParams(1, 33, 33, 5, 5, 3, pad: 2, countIncludePad: true) },
        // Wide rows: 16-output vector runs of the max horizontal pass (stride 1 and 2) plus scalar borders and tails.
        new object[] { new PoolParams(2, 6, 40, 3, 3, 1, pad: 1, ceilMode: true) },
        new object[] { new PoolParams(2, 7, 14, 3, 3, 1, pad: 1, ceilMode: true) },
        new object[] { new PoolParams(2, 5, 11, 3, 3, 1, pad: 0) },
        new object[] { new PoolParams(3, 5, 71, 3, 3, 2, ceilMode: true) },
        new object[] { new PoolParams(2, 4, 66, 2, 2, 2) },
        new object[] { new PoolParams(1, 5, 80, 3, 5, 2) with { PadTop = 1, PadLeft = 2, PadBottom = 0, PadRight = 1 } },
        // Row ends on AVX2: a last vector overlapping the one before (9, 17 and 23 columns; 8 outputs exactly, 9, 11),
        // or masked where the row is shorter than a vector (7 columns in, 4 out).
        new object[] { new PoolParams(2, 6, 9, 3, 3, 2, ceilMode: true) },
        new object[] { new PoolParams(2, 5, 17, 3, 3, 2) },
        new object[] { new PoolParams(1, 4, 23, 3, 3, 2, pad: 1) },
        new object[] { new PoolParams(2, 5, 8, 2, 2, 1) },
        new object[] { new PoolParams(1, 5, 11, 3, 3, 1, pad: 1) },
        // Windows and padding wider than a vector: the row path's −∞ margins grow with them.
        new object[] { new PoolParams(1, 21, 45, 18, 18, 1, pad: 17, ceilMode: true) },
        new object[] { new PoolParams(2, 9, 70, 20, 20, 2, pad: 19) },
        // Planes up to 64 wide run in registers: every chunk count, taps reaching a whole chunk to either side, stride
        // 1 and 2 across, any vertical stride, asymmetric padding, the ceil-mode overhang.
        new object[] { new PoolParams(3, 28, 28, 3, 3, 1, pad: 1, ceilMode: true) },
        new object[] { new PoolParams(2, 7, 7, 3, 3, 1, pad: 1, ceilMode: true) },
        new object[] { new PoolParams(2, 27, 27, 3, 3, 2, ceilMode: true) },
        new object[] { new PoolParams(2, 16, 16, 2, 2, 2) },
        new object[] { new PoolParams(1, 17, 33, 5, 5, 1, pad: 2) },
        new object[] { new PoolParams(1, 12, 64, 3, 3, 2, pad: 1) },
        new object[] { new PoolParams(1, 5, 64, 2, 2, 2) },
        new object[] { new PoolParams(1, 9, 48, 3, 2, 3) with { StrideW = 1, PadTop = 2, PadLeft = 0, PadBottom = 1, PadRight = 1 } },
        new object[] { new PoolParams(1, 6, 40, 17, 17, 1, pad: 16) },
        new object[] { new PoolParams(1, 6, 31, 17, 17, 2, pad: 8, ceilMode: true) },
        new object[] { new PoolParams(2, 3, 1, 1, 1, 1) },
        // A hostile stride (found by the fuzzer): the scratch size must not overflow.
        new object[] { new PoolParams(2, 13, 17, 3, 3, 2, pad: 1, ceilMode: true) with { StrideW = int.MaxValue } },
        // A stride-1 plane over Pooling.MaxFlatPlane: max pooling keeps the row-by-row path.
        new object[] { new PoolParams(1, 300, 260, 3, 3, 1, pad: 1, ceilMode: true) },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PoolingMatchesReference(PoolParams p)
    {
        foreach (bool isMax in new[] { true, false })
        foreach (int batch in new[] { 1, 3 })
        {
            var x = KernelAssert.Random(batch * p.C * p.H * p.W, 7);
            var want = new float[batch * p.C * p.P * p.Q];
            PoolingReference.Run(x, batch, p, want, isMax);
            foreach (int t in new[] { 1, 2, 3 })
            {
                using var s = new Scheduler(t);
                var got = new float[want.Length];
                var scratch = new float[Pooling.ScratchElements(p, t)];
                if (isMax) Pooling.Max(x, batch, p, got, s, scratch); else Pooling.Average(x, batch, p, got, s, scratch);
                KernelAssert.Close(want, got, 1e-6, $"{(isMax ? "max" : "avg")} {p} N{batch} T{t}");
            }
        }
    }

    /// <summary>A NaN anywhere in a window makes that window's max NaN on every path (the vector maxima take a NaN
    /// from either operand), as in the reference; the other windows are unaffected.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxPoolingPropagatesNaN(PoolParams p)
    {
        if (p.StrideW == int.MaxValue || (long)p.H * p.W > 20_000) return;   // those shapes test sizes, not values
        const int batch = 2;
        var x = KernelAssert.Random(batch * p.C * p.H * p.W, 11);
        var rng = new Random(5);
        for (int i = 0; i < 1 + x.Length / 97; i++) x[rng.Next(x.Length)] = float.NaN;
        var want = new float[batch * p.C * p.P * p.Q];
        PoolingReference.Run(x, batch, p, want, isMax: true);
        Assert.Contains(want, float.IsNaN);
        foreach (int t in new[] { 1, 2 })
        {
            using var s = new Scheduler(t);
            var got = new float[want.Length];
            Pooling.Max(x, batch, p, got, s, new float[Pooling.ScratchElements(p, t)]);
            for (int i = 0; i < want.Length; i++)
                if (float.IsNaN(want[i]) || float.IsNaN(got[i])) Assert.True(float.IsNaN(want[i]) && float.IsNaN(got[i]), $"{p} T{t} output {i}: want {want[i]}, got {got[i]}");
                else Assert.Equal(want[i], got[i]);
        }
    }

    [Fact]
    public void CeilModeOutputSizesMatchPyTorch()
    {
        Assert.Equal(27, new PoolParams(1, 55, 55, 3, 3, 2, ceilMode: true).P);
        Assert.Equal(56, new PoolParams(1, 112, 112, 3, 3, 2, pad: 1).P);
        Assert.Equal(4, new PoolParams(1, 6, 6, 2, 2, 2, pad: 1, ceilMode: true).P);  // last window would start in the padding
        Assert.Equal(7, new PoolParams(1, 14, 14, 3, 3, 2, ceilMode: true).P);
    }

    [Fact]
    public void ElementwiseKernels()
    {
        var x = KernelAssert.Random(2 * 3 * 37, 3, -4, 4);
        var y = new float[x.Length];
        Elementwise.Relu(x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Math.Max(x[i], 0f), y[i]);
        Elementwise.Apply(Activation.Relu6, x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Math.Min(Math.Max(x[i], 0f), 6f), y[i]);

        float[] g = { 1.5f, 0.5f, 2f }, b = { 0.1f, -0.2f, 0.3f }, m = { 0.2f, -1f, 0f }, v = { 1f, 4f, 0.25f };
        var scale = new float[3]; var shift = new float[3];
        Elementwise.FoldBatchNorm(g, b, m, v, 1e-5f, scale, shift);
        ParallelElementwise.ScaleShift(x, y, 2, 3, 37, scale, shift, Activation.None, null);
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / 37 % 3;
            float want = (x[i] - m[c]) / MathF.Sqrt(v[c] + 1e-5f) * g[c] + b[c];
            Assert.True(Math.Abs(want - y[i]) <= 1e-5f * (1 + Math.Abs(want)), $"bn {i}: {want} vs {y[i]}");
        }

        float[] logits = { 1000f, 1001f, 999f, -3f, 0f, 2f };
        var p = new float[6];
        Elementwise.Softmax(logits, p, 2, 3);
        for (int r = 0; r < 2; r++)
        {
            double max = logits.Skip(r * 3).Take(3).Max(), sum = logits.Skip(r * 3).Take(3).Sum(l => Math.Exp(l - max));
            for (int j = 0; j < 3; j++) Assert.Equal(Math.Exp(logits[r * 3 + j] - max) / sum, p[r * 3 + j], 1e-6);
        }

        var gap = new float[6];
        Pooling.GlobalAverage(x, 2, 3, 37, gap);
        for (int i = 0; i < 6; i++) Assert.Equal(x.Skip(i * 37).Take(37).Average(), gap[i], 1e-5);
        foreach (int threads in new[] { 2, 3 })
        {
            using var s = new Scheduler(threads);
            var parallel = new float[6];
            Pooling.GlobalAverage(x, 2, 3, 37, parallel, s);
            Assert.Equal(gap, parallel);   // the same sums whoever computes them
        }
    }
}
