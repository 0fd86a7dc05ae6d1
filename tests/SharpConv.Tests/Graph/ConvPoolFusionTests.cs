using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Kernels.Pool;
using SharpConv.Runtime;
using SharpConv.Tests.Kernels;
using static SharpConv.Tests.Graph.GraphCheck;

namespace SharpConv.Tests.Graph;

/// <summary>
/// A convolution and the max pool after it computed band by band (<see cref="PooledConv"/>, <see cref="FuseConvPoolPass"/>):
/// bit-identical to the convolution followed by the pool, for every band count, batch and thread count, at the kernel
/// and at the network level.
/// </summary>
[Collection("FusionKnobs")]
public class ConvPoolFusionTests
{
    public static TheoryData<ConvAlgorithm, ConvParams, int, int, int, bool> Layers => new()
    {
        // The stems: SqueezeNet 1.1 (3×3/2, ceil pool), ResNet (7×7/2 p3, pool p1), SqueezeNet 1.0 (7×7/2, ceil), AlexNet (11×11/4).
        { ConvAlgorithm.Im2ColGemm, new ConvParams(3, 47, 47, 20, 3, 3, stride: 2), 3, 2, 0, true },
        { ConvAlgorithm.Direct, new ConvParams(3, 60, 60, 37, 7, 7, stride: 2, pad: 3), 3, 2, 1, false },
        { ConvAlgorithm.Direct, new ConvParams(3, 53, 53, 33, 7, 7, stride: 2), 3, 2, 0, true },
        { ConvAlgorithm.Direct, new ConvParams(3, 67, 67, 16, 11, 11, stride: 4, pad: 2), 3, 2, 0, false },
        // Asymmetric padding, a 2×2 pool with no overlap between bands, stride-1 convolutions, a 1-row-high band.
        { ConvAlgorithm.Im2ColGemm, new ConvParams(4, 30, 23, 9, 3, 3) { PadTop = 2, PadBottom = 0, PadLeft = 1, PadRight = 2 }, 2, 2, 0, false },
        { ConvAlgorithm.Direct, new ConvParams(5, 28, 28, 32, 3, 3, pad: 1), 3, 3, 1, true },
        { ConvAlgorithm.Im2ColGemm, new ConvParams(2, 9, 40, 7, 3, 3, pad: 1), 3, 2, 1, true },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void BandsEqualTheConvolutionThenThePool(ConvAlgorithm algorithm, ConvParams p, int window, int stride, int pad, bool ceil)
    {
        var pool = new PoolParams(p.K, p.P, p.Q, window, window, stride, pad, ceil);
        var w = KernelAssert.Random((int)p.WeightElements, 2, -0.5f, 0.5f);
        var bias = KernelAssert.Random(p.K, 3);
        var conv = PreparedConv.Create(algorithm, p, w, bias, Activation.Relu);
        long pooledImage = (long)p.K * pool.P * pool.Q;
        foreach (int batch in new[] { 1, 3 })
        {
            var x = KernelAssert.Random((int)p.InputElements * batch, 1);
            var full = new float[p.OutputElements * batch];
            conv.Execute(x, batch, full, default, Scheduler.Inline, new float[conv.ScratchElements(batch, 1)]);
            var want = new float[pooledImage * batch];
            Pooling.Max(full, batch, pool, want, Scheduler.Inline, new float[Pooling.ScratchElements(pool, 1)]);
            foreach (int bands in new[] { 1, 2, 3, pool.P })
            {
                var fused = PooledConv.TryCreate(algorithm, p, w, bias, Activation.Relu, pool, bands);
                Assert.NotNull(fused);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    using var s = new Scheduler(threads);
                    // Images a wider stride apart (a slice of a concatenation), the gap left untouched.
                    long stride2 = pooledImage + 5;
                    var got = new float[stride2 * batch];
                    Array.Fill(got, -7f);
                    fused!.Execute(x, batch, got, stride2, s, new float[fused.ScratchElements(threads)]);
                    for (int n = 0; n < batch; n++)
                    {
                        Assert.Equal(want.AsSpan((int)(n * pooledImage), (int)pooledImage).ToArray(), got.AsSpan((int)(n * stride2), (int)pooledImage).ToArray());
                        Assert.All(got.AsSpan((int)(n * stride2 + pooledImage), 5).ToArray(), v => Assert.Equal(-7f, v));
                    }
                }
            }
        }
    }

    private static Network Stem(int batch)
    {
        var b = new NetworkBuilder("stem", seed: 5);
        return b.Build(b.Input(3, 128, 128, batch).Conv(64, 7, stride: 2, padding: 3).BatchNorm().Relu()
            .MaxPool(3, 2, padding: 1).Conv(8, 3, padding: 1).Relu().GlobalAvgPool().Flatten().Linear(4));
    }

    [Fact]
    public void StemPoolsFuseWithTheSameBits()
    {
        var net = Stem(1);
        using var fused = net.Compile(new CompileOptions { Threads = 2 });
        Assert.Single(fused.CompileLog, l => l.StartsWith("fuse-conv-pool"));
        Assert.Contains(fused.Steps, s => s.Op is ConvMaxPool && s.Kernel!.Algorithm == "direct+maxpool");
        Assert.DoesNotContain(fused.Steps, s => s.Kind == "MaxPool2d");

        AssertFusionKeepsBits(Stem, batch => new Shape(batch, 3, 128, 128),
            () => FuseConvPoolPass.Enabled = false, () => FuseConvPoolPass.Enabled = true);
    }

    [Fact]
    public void SmallMapsForcedAlgorithmsAndOtherReadersKeepThePoolApart()
    {
        // 8×8 output: below a megabyte, stays in cache without fusing.
        var b1 = new NetworkBuilder("small", seed: 5);
        using (var c = b1.Build(b1.Input(3, 16, 16).Conv(16, 3, stride: 2, padding: 1).Relu().MaxPool(2, 2)).Compile())
            Assert.DoesNotContain(c.CompileLog, l => l.StartsWith("fuse-conv-pool"));
        // A forced algorithm runs as asked.
        using (var c = Stem(1).Compile(new CompileOptions { ConvAlgorithm = "im2col" }))
            Assert.DoesNotContain(c.CompileLog, l => l.StartsWith("fuse-conv-pool"));
        // The activation is read by another layer too.
        var b2 = new NetworkBuilder("branch", seed: 5);
        var y = b2.Input(3, 128, 128).Conv(64, 7, stride: 2, padding: 3).Relu();
        using (var c = b2.Build(b2.Add(y.MaxPool(3, 1, padding: 1), y)).Compile())
            Assert.DoesNotContain(c.CompileLog, l => l.StartsWith("fuse-conv-pool"));
    }
}
