using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

/// <summary>Batch folding (the images of a batch as the columns of one GEMM) gives the very bits of running each image
/// on its own, which the per-image path does.</summary>
public class BatchFoldTests
{
    private static readonly Scheduler Two = new(2);

    public static IEnumerable<object[]> FoldedShapes() => new[]
    {
        new object[] { ConvAlgorithm.Pointwise, new ConvParams(96, 7, 7, 80, 1, 1), 3 },
        new object[] { ConvAlgorithm.Pointwise, new ConvParams(192, 11, 11, 160, 1, 1, groups: 2), 5 },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(16, 13, 13, 65, 3, 3, stride: 2, pad: 1), 4 },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(96, 14, 14, 66, 1, 1, stride: 2), 2 },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(48, 7, 7, 96, 3, 3, pad: 1, groups: 3), 3 },
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(16, 9, 9, 71, 5, 5, pad: 2), 8 },
        // Over a quarter of a million floats per image of B and C: folded in chunks (5 + 2 images).
        new object[] { ConvAlgorithm.Im2ColGemm, new ConvParams(1600, 7, 7, 24, 3, 3, pad: 1), 7 },
    };

    [Theory]
    [MemberData(nameof(FoldedShapes))]
    public void FoldedEqualsPerImageBitForBit(ConvAlgorithm alg, ConvParams p, int batch)
    {
        foreach (var width in KernelAssert.Widths)
        {
            int step = width switch { SimdWidth.Vector512 => 16, SimdWidth.Vector256 => 16, _ => 8 };
            var x = KernelAssert.Random((int)(p.InputElements * batch), 1);
            var w = KernelAssert.Random((int)p.WeightElements, 2, -0.5f, 0.5f);
            var bias = KernelAssert.Random(p.K, 3);
            var res = KernelAssert.Random((int)(p.OutputElements * batch), 4);
            var conv = PreparedConv.Create(alg, p, w, bias, Activation.Relu, width);
            var scratch = new float[conv.ScratchElements(batch, 2)];

            var folded = new float[p.OutputElements * batch];
            conv.Execute(x, batch, folded, res, Two, scratch);

            var perImage = new float[folded.Length];
            int inLen = (int)p.InputElements, outLen = (int)p.OutputElements;
            for (int b = 0; b < batch; b++)
                conv.Execute(x.AsSpan(b * inLen, inLen), 1, perImage.AsSpan(b * outLen, outLen), res.AsSpan(b * outLen, outLen), Scheduler.Inline, scratch);

            if (width == SimdWidth.Vector512) Assert.True(BatchFold.Pays(p, batch, step), $"{p} N{batch} should fold");
            for (int i = 0; i < folded.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(folded[i]) == BitConverter.SingleToInt32Bits(perImage[i]),
                    $"{alg} {width} {p} N{batch}: element {i} folded {folded[i]:R} vs per image {perImage[i]:R}");
        }
    }

    [Fact]
    public void WellTiledMapsAndSingleRowPanelsKeepThePerImagePath()
    {
        Assert.True(BatchFold.Pays(new ConvParams(32, 27, 27, 128, 1, 1), 8, 48));     // 729 columns in 48-wide tiles: 5.3 %
        Assert.False(BatchFold.Pays(new ConvParams(256, 28, 28, 32, 1, 1), 8, 48));    // 784 in 48-wide tiles: 4.1 %
        Assert.False(BatchFold.Pays(new ConvParams(480, 14, 14, 16, 1, 1), 8, 48));    // one 16-row panel
        Assert.False(BatchFold.Pays(new ConvParams(256, 56, 56, 64, 1, 1), 8, 32));   // 3136 columns tile exactly
        Assert.False(BatchFold.Pays(new ConvParams(512, 7, 7, 2048, 1, 1), 1, 32));   // one image
        Assert.True(BatchFold.Pays(new ConvParams(512, 7, 7, 2048, 1, 1), 8, 32));
        // Counted in 16 columns (AVX-512 masked tails): 169 of 176 columns stay per image, 196 of 208 fold.
        Assert.False(BatchFold.Pays(new ConvParams(512, 13, 13, 1000, 1, 1), 8, 16));
        Assert.True(BatchFold.Pays(new ConvParams(480, 14, 14, 192, 1, 1), 8, 16));
    }

    [Fact]
    public void ChunksStayWithinTheScratchBound()
    {
        var p = new ConvParams(1600, 7, 7, 24, 3, 3, pad: 1);
        int chunk = BatchFold.ImagesPerChunk(p, 7);
        Assert.InRange(chunk, 2, 6);
        Assert.True(BatchFold.ScratchElements(p, 7, 2) < BatchFold.MaxScratchFloats + 1_000_000);
    }
}
