using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

public class ConvTests
{
    private static readonly Scheduler Two = new(2);
    private static readonly Scheduler Three = new(3);

    private static (float[] want, float[] got) RunBoth(ConvAlgorithm alg, ConvParams p, int batch, bool epilogue,
        SimdWidth? width = null, Scheduler? s = null, int seed = 1)
    {
        var x = KernelAssert.Random((int)(p.InputElements * batch), seed);
        var w = KernelAssert.Random((int)p.WeightElements, seed + 1, -0.5f, 0.5f);
        var bias = epilogue ? KernelAssert.Random(p.K, seed + 2) : Array.Empty<float>();
        var res = epilogue ? KernelAssert.Random((int)(p.OutputElements * batch), seed + 3) : Array.Empty<float>();
        var act = epilogue ? Activation.Relu : Activation.None;
        var want = new float[p.OutputElements * batch];
        ConvReference.Run(x, batch, p, w, bias, act, res, want);
        var conv = PreparedConv.Create(alg, p, w, bias, act, width);
        s ??= Scheduler.Inline;
        var got = new float[want.Length];
        var scratch = new float[conv.ScratchElements(batch, s.ThreadCount)];
        conv.Execute(x, batch, got, res, s, scratch);
        return (want, got);
    }

    private static void Check(ConvAlgorithm alg, ConvParams p, int batch, bool epilogue, double tol, SimdWidth? width = null)
    {
        var (want, got) = RunBoth(alg, p, batch, epilogue, width);
        KernelAssert.Close(want, got, tol, $"{alg} {width} {p} N{batch}");
    }

    public static IEnumerable<object[]> GeneralShapes() => new[]
    {
        new object[] { new ConvParams(3, 9, 11, 5, 3, 3, stride: 1, pad: 1) },
        new object[] { new ConvParams(4, 13, 10, 7, 3, 3, stride: 2, pad: 1) },
        new object[] { new ConvParams(3, 17, 17, 6, 5, 5, stride: 3, pad: 2) },
        new object[] { new ConvParams(2, 23, 19, 9, 11, 11, stride: 4, pad: 2) },
        new object[] { new ConvParams(5, 12, 12, 4, 3, 3, stride: 1, pad: 2, dilation: 2) },
        new object[] { new ConvParams(6, 10, 9, 9, 3, 3, stride: 1, pad: 1, groups: 3) },
        new object[] { new ConvParams(8, 11, 7, 6, 1, 1, stride: 2) },
        new object[] { new ConvParams(3, 10, 8, 4, 3, 2, pad: 0) with { PadTop = 2, PadBottom = 0, PadLeft = 0, PadRight = 1 } },
        new object[] { new ConvParams(70, 6, 5, 30, 3, 3, pad: 1) },   // depth > KC
        // Wide strided rows: the vector deinterleave of strides 2 and 4 with its scalar tails and padded edges.
        new object[] { new ConvParams(3, 9, 131, 7, 7, 7, stride: 2, pad: 3) },
        new object[] { new ConvParams(2, 7, 100, 5, 11, 11, stride: 4, pad: 2) },
        new object[] { new ConvParams(4, 5, 67, 6, 1, 1, stride: 2) },
        new object[] { new ConvParams(2, 6, 97, 5, 3, 3, stride: 4, pad: 1) },
        new object[] { new ConvParams(2, 6, 90, 5, 3, 3, stride: 3, pad: 1) },
        // Hostile strides found by the fuzzer (one output column): the padding bounds must not wrap.
        new object[] { new ConvParams(8, 13, 17, 8, 3, 3, pad: 1) with { StrideW = int.MaxValue } },
        new object[] { new ConvParams(3, 15, 17, 16, 11, 11, stride: 4) with { StrideW = int.MaxValue } },
    };

    [Fact]
    public unsafe void StridedGatherMatchesScalarForEveryCountAndStride()
    {
        var src = new float[400];
        for (int i = 0; i < src.Length; i++) src[i] = i * 0.5f - 7;
        var dst = new float[80];
        fixed (float* ps = src) fixed (float* pd = dst)
            for (int stride = 2; stride <= 5; stride++)
                for (int start = 0; start < 3; start++)
                    for (int count = 0; count <= 70 && start + (count - 1) * stride < src.Length; count++)
                        foreach (int slack in new[] { 0, 1, 40 })
                        {
                            // The row ends right after the last value read (plus slack): no vector may load past it.
                            int endIndex = Math.Min(src.Length, count == 0 ? start : start + (count - 1) * stride + 1 + slack);
                            Array.Fill(dst, float.NaN);
                            StridedGather.Copy(ps + start, stride, pd, count, ps + endIndex);
                            for (int j = 0; j < count; j++) Assert.Equal(src[start + j * stride], dst[j]);
                            for (int j = count; j < dst.Length; j++) Assert.True(float.IsNaN(dst[j]), $"wrote past count {count} at {j}");
                        }
    }

    [Theory]
    [MemberData(nameof(GeneralShapes))]
    public void Im2ColMatchesReference(ConvParams p)
    {
        foreach (var width in KernelAssert.Widths)
            Check(ConvAlgorithm.Im2ColGemm, p, width == SimdWidth.Vector512 ? 3 : 1, true, 1e-5, width);
        Check(ConvAlgorithm.Im2ColGemm, p, 1, false, 1e-5);
    }

    [Theory]
    [InlineData(8, 7, 9, 5, 1)] [InlineData(17, 5, 5, 33, 1)] [InlineData(6, 3, 11, 4, 2)] [InlineData(300, 4, 4, 20, 1)]
    public void PointwiseMatchesReference(int c, int h, int w, int k, int groups)
    {
        var p = new ConvParams(c, h, w, k, 1, 1, groups: groups);
        foreach (var width in KernelAssert.Widths)
        {
            Check(ConvAlgorithm.Pointwise, p, 1, true, 1e-5, width);
            Check(ConvAlgorithm.Pointwise, p, 3, false, 1e-5, width);
        }
    }

    public static IEnumerable<object[]> WinogradShapes() => new[]
    {
        new object[] { new ConvParams(3, 8, 8, 4, 3, 3, pad: 1) },
        new object[] { new ConvParams(5, 13, 11, 7, 3, 3, pad: 1) },
        new object[] { new ConvParams(16, 9, 10, 17, 3, 3, pad: 0) },
        new object[] { new ConvParams(4, 7, 6, 3, 3, 3, pad: 2) },
        new object[] { new ConvParams(6, 10, 9, 5, 3, 3) with { PadTop = 2, PadLeft = 0, PadBottom = 0, PadRight = 1 } },
        new object[] { new ConvParams(40, 14, 14, 30, 3, 3, pad: 1) },
        new object[] { new ConvParams(300, 5, 5, 9, 3, 3, pad: 1) },   // C > KC
        // Wide rows: runs of 16 interior tiles take the vectorised gather, the borders the scalar one.
        new object[] { new ConvParams(5, 6, 75, 7, 3, 3, pad: 1) },
        new object[] { new ConvParams(3, 9, 150, 4, 3, 3, pad: 0) },
        new object[] { new ConvParams(6, 5, 141, 9, 3, 3) with { PadTop = 0, PadLeft = 2, PadBottom = 1, PadRight = 0 } },
    };

    /// <summary>The vectorised tile moves (AVX-512: input rows staged per tile run and gathered by permutes, outputs
    /// interleaved and stored by masked runs; AVX2 the same on 8 lanes with in-lane transposes) move the same values as the scalar gather
    /// and scatter: the whole convolution is bit-identical to it across widths and thread counts, with and without the
    /// epilogue. Maps 140 tiles wide down to one tile wide, so runs span rows, images and padding.</summary>
    [Theory]
    [InlineData(ConvAlgorithm.Winograd23)] [InlineData(ConvAlgorithm.Winograd43)] [InlineData(ConvAlgorithm.Winograd25)]
    public void WinogradVectorTileMovesAreExact(ConvAlgorithm alg)
    {
        // 5×5 shapes keep the 3×3 shapes' output sizes: one more padding on every side (or two more input pixels).
        int r = alg == ConvAlgorithm.Winograd25 ? 5 : 3, grow = (r - 3) / 2;
        foreach (var p in new[] { new ConvParams(5, 6, 75, 7, r, r, pad: 1 + grow), new ConvParams(4, 7 + 2 * grow, 140 + 2 * grow, 20, r, r, pad: 0),
                                  new ConvParams(9, 14, 14, 16, r, r, pad: 1 + grow), new ConvParams(3, 5, 7, 33, r, r, pad: 2 + grow),
                                  new ConvParams(2, 30, 3, 5, r, r, pad: 1 + grow),
                                  new ConvParams(6, 5, 141, 9, r, r) with { PadTop = grow, PadLeft = 2 + grow, PadBottom = 1 + grow, PadRight = grow } })
        {
            foreach (bool epilogue in new[] { true, false })   // bias + residual + ReLU, and the bare store
            {
                Winograd.VectorTileMoves = false;   // a speed knob only (bit-identical either way), so flipping it is harmless
                float[] scalar;
                try { (_, scalar) = RunBoth(alg, p, 3, epilogue, SimdWidth.Vector128); }
                finally { Winograd.VectorTileMoves = true; }
                foreach (var width in new[] { SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512 })
                foreach (var s in new[] { Scheduler.Inline, Two, Three })
                {
                    var (_, got) = RunBoth(alg, p, 3, epilogue, width, s);
                    KernelAssert.Identical(scalar, got, $"{alg} {width} T{s.ThreadCount} {p} epilogue {epilogue}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(WinogradShapes))]
    public void WinogradMatchesReference(ConvParams p)
    {
        foreach (var alg in new[] { ConvAlgorithm.Winograd23, ConvAlgorithm.Winograd43, ConvAlgorithm.Winograd25 })
        {
            if (alg == ConvAlgorithm.Winograd25)
                p = p with { R = 5, S = 5, PadTop = p.PadTop + 1, PadLeft = p.PadLeft + 1, PadBottom = p.PadBottom + 1, PadRight = p.PadRight + 1 };
            foreach (var width in KernelAssert.Widths) Check(alg, p, 1, true, 1e-3, width);
            Check(alg, p, 3, false, 1e-3);
        }
    }

    [Theory]
    [InlineData(1, 1, 0, 1)] [InlineData(1, 2, 1, 1)] [InlineData(2, 1, 1, 1)] [InlineData(2, 2, 0, 1)] [InlineData(1, 1, 2, 2)] [InlineData(3, 3, 1, 1)]
    public void DepthwiseMatchesReference(int multiplier, int stride, int pad, int dilation)
    {
        foreach (var (h, w, r) in new[] { (11, 13, 3), (20, 19, 5), (6, 33, 3) })
        {
            var p = new ConvParams(5, h, w, 5 * multiplier, r, r, stride: stride, pad: pad, dilation: dilation, groups: 5);
            Check(ConvAlgorithm.Depthwise, p, 1, true, 1e-5);
            Check(ConvAlgorithm.Depthwise, p, 3, false, 1e-5);
        }
    }

    public static IEnumerable<object[]> DirectShapes() => new[]
    {
        new object[] { new ConvParams(3, 35, 35, 20, 11, 11, stride: 4, pad: 2) },
        new object[] { new ConvParams(3, 23, 21, 17, 7, 7, stride: 2, pad: 3) },
        new object[] { new ConvParams(1, 12, 14, 6, 5, 5) },
        new object[] { new ConvParams(2, 15, 13, 33, 3, 3, stride: 1, pad: 1, dilation: 2) },
        new object[] { new ConvParams(4, 9, 10, 8, 3, 3, stride: 2) with { PadTop = 0, PadLeft = 2, PadBottom = 1, PadRight = 0 } },
        // Wide rows: several pixel tiles plus a partial one; K not a multiple of the channel panel.
        new object[] { new ConvParams(3, 9, 131, 7, 7, 7, stride: 2, pad: 3) },
        new object[] { new ConvParams(3, 7, 100, 5, 11, 11, stride: 4, pad: 2) },
        new object[] { new ConvParams(2, 6, 77, 9, 3, 5, stride: 1, pad: 2, dilation: 3) },
        new object[] { new ConvParams(3, 8, 70, 6, 5, 5, stride: 3, pad: 1) with { StrideW = 2 } },
        // Many input channels (DenseNet's thin 3×3, a stride-2 downsampling 3×3) and several channel panels.
        new object[] { new ConvParams(40, 14, 14, 32, 3, 3, pad: 1) },
        new object[] { new ConvParams(24, 13, 15, 70, 3, 3, stride: 2, pad: 1) },
        new object[] { new ConvParams(9, 7, 7, 33, 1, 1) },
    };

    [Theory]
    [MemberData(nameof(DirectShapes))]
    public void DirectMatchesReference(ConvParams p)
    {
        foreach (var width in KernelAssert.Widths)
        {
            Check(ConvAlgorithm.Direct, p, 1, true, 1e-5, width);
            Check(ConvAlgorithm.Direct, p, 3, false, 1e-5, width);
        }
    }

    /// <summary>Every algorithm: the same bits on 1, 2 and 3 threads.</summary>
    [Theory]
    [InlineData(ConvAlgorithm.Im2ColGemm)] [InlineData(ConvAlgorithm.Pointwise)] [InlineData(ConvAlgorithm.Winograd23)]
    [InlineData(ConvAlgorithm.Winograd43)] [InlineData(ConvAlgorithm.Depthwise)] [InlineData(ConvAlgorithm.Direct)]
    [InlineData(ConvAlgorithm.Winograd25)]
    public void BitIdenticalAcrossThreadCounts(ConvAlgorithm alg)
    {
        var p = alg switch
        {
            ConvAlgorithm.Pointwise => new ConvParams(24, 15, 13, 40, 1, 1),
            ConvAlgorithm.Depthwise => new ConvParams(12, 15, 13, 24, 3, 3, pad: 1, groups: 12),
            ConvAlgorithm.Direct => new ConvParams(3, 31, 29, 40, 7, 7, stride: 2, pad: 3),
            ConvAlgorithm.Im2ColGemm => new ConvParams(24, 15, 13, 40, 3, 3, stride: 2, pad: 1),
            ConvAlgorithm.Winograd25 => new ConvParams(24, 15, 13, 40, 5, 5, pad: 2),
            _ => new ConvParams(24, 15, 13, 40, 3, 3, pad: 1),
        };
        foreach (int batch in new[] { 1, 3 })
        {
            var (_, one) = RunBoth(alg, p, batch, true, s: Scheduler.Inline);
            var (_, two) = RunBoth(alg, p, batch, true, s: Two);
            var (_, three) = RunBoth(alg, p, batch, true, s: Three);
            KernelAssert.Identical(one, two, $"{alg} 2 threads");
            KernelAssert.Identical(one, three, $"{alg} 3 threads");
        }
    }

    [Theory]
    [InlineData(ConvAlgorithm.Im2ColGemm)] [InlineData(ConvAlgorithm.Pointwise)] [InlineData(ConvAlgorithm.Winograd43)]
    [InlineData(ConvAlgorithm.Depthwise)] [InlineData(ConvAlgorithm.Direct)] [InlineData(ConvAlgorithm.Winograd25)]
    public void SteadyStateExecuteAllocatesNothing(ConvAlgorithm alg)
    {
        var p = alg switch
        {
            ConvAlgorithm.Winograd25 => new ConvParams(16, 10, 10, 16, 5, 5, pad: 2),
            ConvAlgorithm.Pointwise => new ConvParams(16, 10, 10, 16, 1, 1),
            ConvAlgorithm.Depthwise => new ConvParams(16, 10, 10, 16, 3, 3, pad: 1, groups: 16),
            ConvAlgorithm.Direct => new ConvParams(3, 20, 20, 16, 5, 5, stride: 2),
            _ => new ConvParams(16, 10, 10, 16, 3, 3, pad: 1),
        };
        var conv = PreparedConv.Create(alg, p, new float[p.WeightElements], new float[p.K], Activation.Relu);
        var x = new float[p.InputElements * 2]; var y = new float[p.OutputElements * 2];
        var scratch = new float[conv.ScratchElements(2, Two.ThreadCount)];
        Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => conv.Execute(x, 2, y, y, Two, scratch)));
    }

    [Fact]
    public void ChooserPicksTheDocumentedAlgorithms()
    {
        Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(256, 56, 56, 64, 1, 1)));
        // 5×5 stride 1 with 16 channels in and out or more: F(2,5) at any batch (AlexNet's conv2, GoogLeNet's 5×5 branches).
        Assert.Equal(ConvAlgorithm.Winograd25, ConvAlgorithmChooser.Choose(new ConvParams(64, 27, 27, 192, 5, 5, pad: 2), 8));
        Assert.Equal(ConvAlgorithm.Winograd25, ConvAlgorithmChooser.Choose(new ConvParams(48, 7, 7, 128, 5, 5, pad: 2), 1));
        Assert.NotEqual(ConvAlgorithm.Winograd25, ConvAlgorithmChooser.Choose(new ConvParams(6, 14, 14, 16, 5, 5), 8));          // LeNet's thin C3
        Assert.NotEqual(ConvAlgorithm.Winograd25, ConvAlgorithmChooser.Choose(new ConvParams(96, 55, 55, 256, 5, 5, stride: 2, pad: 2), 8));   // strided
        Assert.Equal(ConvAlgorithm.Im2ColGemm, ConvAlgorithmChooser.Choose(new ConvParams(256, 56, 56, 512, 1, 1, stride: 2)));
        Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(64, 56, 56, 64, 3, 3, pad: 1)));
        Assert.Equal(ConvAlgorithm.Im2ColGemm, ConvAlgorithmChooser.Choose(new ConvParams(3, 224, 224, 64, 3, 3, stride: 2)));   // 27 taps
        Assert.Equal(ConvAlgorithm.Im2ColGemm, ConvAlgorithmChooser.Choose(new ConvParams(256, 14, 14, 512, 3, 3, stride: 2, pad: 1)));   // 7×7 out
        Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(256, 14, 14, 256, 3, 3, pad: 1), 8));
        if (SimdSupport.Best != SimdWidth.Vector512)   // F(4,3) from 16 tiles: the 6-pixel direct tiles lose to it
        {
            Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(512, 14, 14, 512, 3, 3, pad: 1)));
            Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(128, 28, 28, 32, 3, 3, pad: 1)));
        }
        if (SimdSupport.Best == SimdWidth.Vector512)   // Direct's fit is for its 14-pixel tiles (6 with Vector256)
        {
            Assert.Equal(ConvAlgorithm.Winograd23, ConvAlgorithmChooser.Choose(new ConvParams(512, 14, 14, 512, 3, 3, pad: 1)));
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(3, 227, 227, 96, 11, 11, stride: 4)));
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(3, 224, 224, 64, 7, 7, stride: 2, pad: 3)));
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(64, 56, 56, 128, 3, 3, stride: 2, pad: 1)));
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(16, 28, 28, 32, 3, 3, pad: 1), 1));        // thin, 49 tiles
            Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(16, 28, 28, 32, 3, 3, pad: 1), 8));    // thin, 392 tiles
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(256, 14, 14, 256, 3, 3, pad: 1), 1));      // small map
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(512, 14, 14, 128, 1, 1), 1));              // 1×1 reduction, one image
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(1024, 14, 14, 256, 1, 1), 8));            // reduction, folded area
            Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(1024, 14, 14, 512, 1, 1), 1));
            Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(480, 14, 14, 16, 1, 1), 1));
            Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(128, 28, 28, 512, 1, 1), 1));  // 784 columns tile exactly
            Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(512, 13, 13, 64, 1, 1), 8));   // 169 of 176 with masked tails
            Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(128, 28, 28, 512, 1, 1), 1, residual: true));
            Assert.Equal(ConvAlgorithm.Pointwise, ConvAlgorithmChooser.Choose(new ConvParams(32, 27, 27, 128, 1, 1), 8));
            Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(128, 56, 56, 32, 3, 3, pad: 1), 1));  // thin output, 196 tiles
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(128, 28, 28, 32, 3, 3, pad: 1), 1));      // thin output, 49 tiles
            Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithmChooser.Choose(new ConvParams(128, 7, 7, 32, 3, 3, pad: 1), 8));
            Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(128, 28, 28, 32, 3, 3, pad: 1), 8));
        }
        Assert.Equal(ConvAlgorithm.Depthwise, ConvAlgorithmChooser.Choose(new ConvParams(32, 56, 56, 32, 3, 3, pad: 1, groups: 32)));
        // Calibrated thresholds (see ConvAlgorithmChooser): F(4,3) from 32 tiles, F(2,3) from 8, im2col below or for thin layers.
        Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(128, 28, 28, 128, 3, 3, pad: 1)));
        // A 7×7 map at batch 1: 16 F(2,3) tiles fill one AVX2 panel; with AVX-512's 32-column panels im2col.
        Assert.Equal(SimdSupport.Best == SimdWidth.Vector512 ? ConvAlgorithm.Im2ColGemm : ConvAlgorithm.Winograd23,
            ConvAlgorithmChooser.Choose(new ConvParams(512, 7, 7, 512, 3, 3, pad: 1)));
        Assert.NotEqual(ConvAlgorithm.Winograd23, ConvAlgorithmChooser.Choose(new ConvParams(16, 7, 7, 64, 3, 3, pad: 1)));   // too thin for either
        Assert.Equal(ConvAlgorithm.Winograd43, ConvAlgorithmChooser.Choose(new ConvParams(512, 7, 7, 512, 3, 3, pad: 1), batch: 8));
        Assert.Equal(ConvAlgorithm.Im2ColGemm, ConvAlgorithmChooser.Choose(new ConvParams(3, 224, 224, 64, 3, 3, pad: 1)));
        Assert.Throws<ArgumentException>(() => PreparedConv.Create(ConvAlgorithm.Winograd43, new ConvParams(4, 8, 8, 4, 3, 3, stride: 2), new float[144], default, Activation.None));
        Assert.Throws<InvalidLayerException>(() => PreparedConv.Create(ConvAlgorithm.Im2ColGemm, new ConvParams(4, 8, 8, 6, 3, 3, groups: 4), new float[54], default, Activation.None));
    }
}

/// <summary>Winograd groups tiles into blocks differently for 1, 2 and 3 threads on a 56×56 map at batch 1 (whole
/// blocks, one-panel blocks, output-channel split): the bits must not change.</summary>
public class WinogradBlockingTests
{
    [Fact]
    public void EveryBlockingGivesTheSameBits()
    {
        var p = new ConvParams(64, 56, 56, 64, 3, 3, pad: 1);
        var x = KernelAssert.Random((int)p.InputElements, 1);
        var w = KernelAssert.Random((int)p.WeightElements, 2, -0.1f, 0.1f);
        var bias = KernelAssert.Random(p.K, 3);
        var conv = PreparedConv.Create(ConvAlgorithm.Winograd43, p, w, bias, Activation.Relu, SimdWidth.Vector512);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var s = new Scheduler(threads);
            var y = new float[p.OutputElements];
            conv.Execute(x, 1, y, default, s, new float[conv.ScratchElements(1, threads)]);
            if (first is null)
            {
                var want = new float[p.OutputElements];
                ConvReference.Run(x, 1, p, w, bias, Activation.Relu, default, want);
                KernelAssert.Close(want, y, 1e-3, "winograd43 56×56");
                first = y;
            }
            else KernelAssert.Identical(first, y, $"{threads} threads");
        }
    }
}
