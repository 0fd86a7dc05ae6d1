using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

/// <summary>Single images with few pixels run transposed (Cᵀ = Bᵀ·Wᵀ): checked against the reference kernel, across
/// thread counts, and against the usual GEMM path bit for bit (the same FMA chains).</summary>
public class TransposedGemmTests
{
    private static readonly Scheduler[] Schedulers = [Scheduler.Inline, new(2), new(3)];

    public static IEnumerable<object[]> SmallMaps() => new[]
    {
        new object[] { ConvAlgorithm.Pointwise, new ConvParams(64, 7, 7, 96, 1, 1) },
        new object[] { ConvAlgorithm.Pointwise, new ConvParams(300, 13, 13, 128, 1, 1) },
        new object[] { ConvAlgorithm.Pointwise, new ConvParams(300, 5, 5, 160, 1, 1, groups: 2) },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(32, 7, 7, 64, 3, 3, pad: 1) },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(16, 14, 14, 96, 3, 3, stride: 2, pad: 1) },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(48, 14, 14, 64, 1, 1, stride: 2) },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(120, 9, 9, 256, 3, 3, pad: 1) },   // depth > KC
    };

    [Theory]
    [MemberData(nameof(SmallMaps))]
    public void MatchesReferenceOnEveryThreadCount(ConvAlgorithm alg, ConvParams p)
    {
        var x = KernelAssert.Random((int)p.InputElements, 1);
        var w = KernelAssert.Random((int)p.WeightElements, 2, -0.5f, 0.5f);
        var bias = KernelAssert.Random(p.K, 3);
        var res = KernelAssert.Random((int)p.OutputElements, 4);
        var want = new float[p.OutputElements];
        ConvReference.Run(x, 1, p, w, bias, Activation.Relu, res, want);
        var conv = PreparedConv.Create(alg, p, w, bias, Activation.Relu, SimdWidth.Vector512);
        Assert.True(conv switch { Pointwise pw => pw.Transposed, Im2ColGemm ic => ic.Transposed, _ => false }, $"{p} should run transposed");
        float[]? first = null;
        foreach (var s in Schedulers)
        {
            var got = new float[want.Length];
            conv.Execute(x, 1, got, res, s, new float[conv.ScratchElements(1, s.ThreadCount)]);
            KernelAssert.Close(want, got, 1e-5, $"{alg} {p} {s.ThreadCount}T");
            if (first is null) first = got; else Assert.Equal(first, got);
        }
        // Batch 3 without folding (each image transposed in turn) equals three single images.
        if (!BatchFold.Pays(p, 3, 32))
        {
            var x3 = KernelAssert.Random((int)p.InputElements * 3, 5);
            var y3 = new float[p.OutputElements * 3];
            conv.Execute(x3, 3, y3, default, Schedulers[1], new float[conv.ScratchElements(3, 2)]);
            for (int b = 0; b < 3; b++)
            {
                var y1 = new float[p.OutputElements];
                conv.Execute(x3.AsSpan(b * (int)p.InputElements, (int)p.InputElements), 1, y1, default, null, new float[conv.ScratchElements(1, 1)]);
                Assert.Equal(y1, y3.AsSpan(b * (int)p.OutputElements, (int)p.OutputElements).ToArray());
            }
        }
    }

    [Fact]
    public void LargeMapsAndThinChannelsKeepTheUsualPath()
    {
        var big = PreparedConv.Create(ConvAlgorithm.Pointwise, new ConvParams(64, 56, 56, 64, 1, 1), new float[64 * 64], default, Activation.None, SimdWidth.Vector512);
        Assert.False(((Pointwise)big).Transposed);
        var thin = PreparedConv.Create(ConvAlgorithm.Pointwise, new ConvParams(128, 13, 13, 16, 1, 1), new float[16 * 128], default, Activation.None, SimdWidth.Vector512);
        Assert.False(((Pointwise)thin).Transposed);
        // ResNet-50's 256→1024 expansion at 14×14: shallower than it is wide, the transposing store does not pay.
        var shallow = PreparedConv.Create(ConvAlgorithm.Pointwise, new ConvParams(256, 14, 14, 1024, 1, 1), new float[256 * 1024], default, Activation.None, SimdWidth.Vector512);
        Assert.False(((Pointwise)shallow).Transposed);
        var deep = PreparedConv.Create(ConvAlgorithm.Pointwise, new ConvParams(1024, 14, 14, 256, 1, 1), new float[256 * 1024], default, Activation.None, SimdWidth.Vector512);
        Assert.True(((Pointwise)deep).Transposed);
        // SqueezeNet's 256→32 squeeze at 27×27: too few output channels to pay for transposing the input.
        var narrow = PreparedConv.Create(ConvAlgorithm.Pointwise, new ConvParams(256, 27, 27, 32, 1, 1), new float[256 * 32], default, Activation.None, SimdWidth.Vector512);
        Assert.False(((Pointwise)narrow).Transposed);
    }
    /// <summary>Whole im2col rows (the gathers of the transposed and batch-folded GEMMs) equal the row-by-row im2col for
    /// every tap: output rows of up to 16 pixels at stride 1 or 2 take masked vector moves (padding on any side, dilation,
    /// groups, 1×1 layers, several images); wider rows and stride 3 fall back to the row path.</summary>
    [Fact]
    public unsafe void WholeIm2ColRowsEqualTheRowPath()
    {
        var shapes = new[]
        {
            new ConvParams(5, 7, 7, 8, 3, 3, pad: 1), new ConvParams(3, 14, 14, 8, 3, 3, pad: 1),
            new ConvParams(4, 13, 13, 8, 3, 3, pad: 1), new ConvParams(6, 16, 16, 8, 3, 3, pad: 1, groups: 2),
            new ConvParams(2, 9, 11, 8, 3, 3) { PadTop = 2, PadLeft = 0, PadBottom = 1, PadRight = 2 },
            new ConvParams(3, 12, 12, 8, 3, 3, pad: 2) { DilationH = 2, DilationW = 2 },
            new ConvParams(2, 5, 5, 8, 5, 5, pad: 4), new ConvParams(8, 7, 7, 8, 1, 1),
            new ConvParams(3, 14, 14, 8, 3, 3, stride: 2, pad: 1), new ConvParams(4, 28, 28, 8, 1, 1, stride: 2),
            new ConvParams(3, 13, 13, 8, 3, 3, stride: 2) { PadTop = 0, PadLeft = 2, PadBottom = 1, PadRight = 1 },
            new ConvParams(3, 31, 31, 8, 3, 3, stride: 2, pad: 1), new ConvParams(3, 16, 16, 8, 3, 3, stride: 3, pad: 1),
            new ConvParams(3, 17, 17, 8, 3, 3, pad: 1),
        };
        foreach (var p in shapes)
        {
            const int images = 3;
            var x = KernelAssert.Random((int)p.InputElements * images, 7);
            int n = p.P * p.Q, depth = p.C / p.Groups * p.R * p.S;
            fixed (float* px = x)
            {
                var source = new Im2ColSource(px, p);
                var tmp = new float[n + 16];
                var whole = new float[depth * (n + 3)];
                for (int image = 0; image < images; image++)
                for (int group = 0; group < p.Groups; group++)
                fixed (float* pt = tmp) fixed (float* pw = whole)
                {
                    source.CopyRows(image, group, 0, depth, n, pw, n + 3);
                    for (int k = 0; k < depth; k++)
                    {
                        float* row = source.Row(image, group, k, 0, n, pt);
                        for (int j = 0; j < n; j++)
                            Assert.True(row[j] == pw[k * (n + 3) + j], $"{p} image {image} group {group} row {k} column {j}: {pw[k * (n + 3) + j]} vs {row[j]}");
                    }
                }
            }
        }
    }
}
