using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Kernels.Pool;
using SharpConv.Runtime;
using static SharpConv.Tests.Graph.GraphCheck;

namespace SharpConv.Tests.Graph;

/// <summary>
/// An unfoldable BatchNorm (+ReLU) moved into the 1×1 convolution it feeds (<see cref="FuseInputNormPass"/>): the
/// convolution normalises its input as it packs or pads it. Bit-identical to the separate pass, at the kernel and at
/// the network level.
/// </summary>
[Collection("FusionKnobs")]
public class InputNormTests
{
    public static TheoryData<ConvAlgorithm, int, int, int> Shapes => new()
    {
        { ConvAlgorithm.Pointwise, 7, 3, 40 },    // folded batch
        { ConvAlgorithm.Pointwise, 7, 1, 40 },    // transposed GEMM (one image, few pixels)
        { ConvAlgorithm.Pointwise, 30, 3, 21 },   // per image, odd channel count
        { ConvAlgorithm.Direct, 14, 1, 40 },
        { ConvAlgorithm.Direct, 13, 3, 17 },
        { ConvAlgorithm.Direct, 7, 3, 33 },       // rows narrower than the padded buffer
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ConvWithInputMapEqualsBatchNormPassThenConv(ConvAlgorithm algorithm, int size, int batch, int channels)
    {
        var p = new ConvParams(channels, size, size, 64, 1, 1);
        var rnd = new SeededRandom((ulong)(size * 100 + batch));
        var x = new float[p.InputElements * batch]; rnd.FillUniform(x, -2, 2);
        var w = new float[p.WeightElements]; rnd.FillUniform(w, -0.2f, 0.2f);
        var bias = new float[p.K]; rnd.FillUniform(bias, -1, 1);
        var scale = new float[channels]; rnd.FillUniform(scale, -1.5f, 1.5f);
        var shift = new float[channels]; rnd.FillUniform(shift, -1, 1);
        var relu6 = new Activation(0, 6);
        using var scheduler = new Scheduler(2);

        var normalised = new float[x.Length];
        ParallelElementwise.ScaleShift(x, normalised, batch, channels, size * size, scale, shift, relu6, scheduler);
        var plain = PreparedConv.Create(algorithm, p, w, bias, Activation.Relu);
        var want = new float[p.OutputElements * batch];
        plain.Execute(normalised, batch, want, default, scheduler, new float[plain.ScratchElements(batch, 2)]);

        var mapped = PreparedConv.Create(algorithm, p, w, bias, Activation.Relu, inputMap: new InputAffine(scale, shift, relu6));
        var scratch = new float[mapped.ScratchElements(batch, 2)];
        var got = new float[want.Length];
        mapped.Execute(x, batch, got, default, scheduler, scratch);
        Assert.Equal(want, got);

        // The same input as a slice of a wider tensor (a block's prefix read in place).
        long stride = p.InputElements + 5 * size * size + 3;
        var wide = new float[(batch - 1) * stride + p.InputElements];
        for (int n = 0; n < batch; n++) x.AsSpan((int)(n * p.InputElements), (int)p.InputElements).CopyTo(wide.AsSpan((int)(n * stride)));
        Array.Clear(got);
        mapped.Execute(wide, stride, batch, got, p.OutputElements, default, scheduler, scratch);
        Assert.Equal(want, got);
    }

    [Theory]
    [InlineData(ConvAlgorithm.Winograd43, 3, 1)]
    [InlineData(ConvAlgorithm.Im2ColGemm, 1, 1)]
    [InlineData(ConvAlgorithm.Direct, 3, 1)]       // padding: the map must not be asked to pad
    public void InputMapIsRefusedWhereTheKernelCannotApplyIt(ConvAlgorithm algorithm, int kernel, int pad)
    {
        var p = new ConvParams(8, 10, 10, 16, kernel, kernel, 1, pad);
        var map = new InputAffine(new float[8], new float[8], Activation.None);
        var e = Assert.Throws<ArgumentException>(() => PreparedConv.Create(algorithm, p, new float[p.WeightElements], default, Activation.None, inputMap: map));
        Assert.Contains("input map", e.Message);
    }

    private static Network DenseBlock(int batch)
    {
        var b = new NetworkBuilder("dense", seed: 21);
        var x = b.Input(3, 15, 15, batch).Conv(16, 3, padding: 1).Relu();
        var features = new List<Value> { x };
        for (int layer = 0; layer < 4; layer++)
        {
            var cat = features.Count == 1 ? features[0] : b.Concat([.. features]);
            var y = cat.BatchNorm().Relu().Conv(24, 1, bias: false).BatchNorm().Relu().Conv(8, 3, padding: 1, bias: false);
            features.Add(y);
        }
        var block = b.Concat([.. features]);
        var transition = block.BatchNorm().Relu().Conv(20, 1, bias: false).AvgPool(2, 2);
        return b.Build(transition.BatchNorm().Relu().GlobalAvgPool().Flatten().Linear(5));
    }

    [Fact]
    public void DenseBlockNormsMoveIntoTheirConvolutionsWithTheSameBits()
    {
        var net = DenseBlock(1);
        using var fused = net.Compile(new CompileOptions { Threads = 2 });
        // Four dense-layer norms and the transition's move; the last norm (before pooling) stays a pass.
        Assert.Equal(5, fused.CompileLog.Count(l => l.StartsWith("fuse-input-norm")));
        Assert.Single(fused.Steps, s => s.Kind == "BatchNorm");
        Assert.Contains(fused.Steps, s => s.Op is FusedOp { Prologue: not null } f && f.Describe().Contains("→"));

        AssertFusionKeepsBits(DenseBlock, batch => new Shape(batch, 3, 15, 15),
            () => FuseInputNormPass.Enabled = false, () => FuseInputNormPass.Enabled = true);
    }

    [Fact]
    public void ForcedAlgorithmsThatCannotMapTheInputKeepTheNormAsAPass()
    {
        var net = DenseBlock(1);
        using var c = net.Compile(new CompileOptions { ConvAlgorithm = "im2col" });
        Assert.DoesNotContain(c.CompileLog, l => l.StartsWith("fuse-input-norm"));
        var input = Tensor.RandomNormal(new Shape(2, 3, 15, 15), 9);
        AssertClose(Evaluate(DenseBlock(2), input)[0], c.Run(input), 1e-5);
    }
}

/// <summary>Tests that flip the compile passes' static measurement knobs run one at a time.</summary>
[CollectionDefinition("FusionKnobs", DisableParallelization = true)]
public class FusionKnobsCollection;
