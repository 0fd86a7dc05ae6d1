using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;
using static SharpConv.Tests.Graph.GraphCheck;

namespace SharpConv.Tests.Graph;

public class CompilePassTests
{
    /// <summary>A BatchNorm with non-trivial statistics, so folding has something to get wrong.</summary>
    internal static BatchNorm RandomBatchNorm(int channels, int seed, float epsilon = 1e-3f) => new(
        Tensor.RandomUniform(new Shape(channels), seed, 0.5f, 2f),
        Tensor.RandomUniform(new Shape(channels), seed + 1, -1f, 1f),
        Tensor.RandomUniform(new Shape(channels), seed + 2, -1f, 1f),
        Tensor.RandomUniform(new Shape(channels), seed + 3, 0.05f, 3f),
        epsilon);

    private static Conv2d RandomConv(int c, int k, int kernel, int stride, Padding padding, int groups, bool bias, int seed) => new(
        Tensor.RandomNormal(new Shape(k, c / groups, kernel, kernel), seed, 0.3f),
        bias ? Tensor.RandomUniform(new Shape(k), seed + 1) : null,
        (stride, stride), padding, (1, 1), groups);

    private static void AssertFoldMatches(Network net, Tensor input, string bnName, string producerName)
    {
        using var folded = net.Compile();
        using var unfolded = net.Compile(CompileOptions.Reference);
        Assert.DoesNotContain(folded.Steps, s => s.Op is BatchNorm);
        Assert.Contains(folded.Steps, s => s.Name == producerName && s.Absorbed.Contains(bnName));
        Assert.Contains(folded.CompileLog, l => l.Contains($"folded {bnName} into {producerName}"));
        Assert.Contains(unfolded.Steps, s => s.Op is BatchNorm);
        var expected = unfolded.Run(input);
        AssertClose(expected, folded.Run(input), 1e-5);
        AssertClose(Evaluate(net, input)[0], expected, 0);
    }

    [Theory]
    [InlineData(1, true, 1)]
    [InlineData(1, false, 1)]
    [InlineData(2, true, 2)]   // grouped
    [InlineData(4, false, 2)]  // depthwise with channel multiplier 2
    public void ConvBatchNormFoldMatchesUnfolded(int groups, bool bias, int stride)
    {
        var b = new NetworkBuilder("convbn");
        var x = b.Input(4, 7, 7, batch: 2);
        var y = x.Then(RandomConv(4, 8, 3, stride, new Padding(1, 0, 2, 1), groups, bias, 11), "conv")
                 .Then(RandomBatchNorm(8, 20), "bn").Relu();
        var net = b.Build(y);
        var original = ((Conv2d)net["conv"].Op).Weight.Value.ToArray();
        AssertFoldMatches(net, Tensor.RandomNormal(new Shape(2, 4, 7, 7), 5), "bn", "conv");
        // the user's network is untouched: same op, same weights
        Assert.IsType<BatchNorm>(net["bn"].Op);
        Assert.Equal(original, ((Conv2d)net["conv"].Op).Weight.Value.ToArray());
    }

    [Fact]
    public void LinearBatchNormFoldMatchesUnfolded()
    {
        var b = new NetworkBuilder("fcbn");
        var x = b.Input(new Shape(3, 10));
        var lin = new Linear(Tensor.RandomNormal(new Shape(6, 10), 3, 0.5f), Tensor.RandomUniform(new Shape(6), 4));
        var y = x.Then(lin, "fc").Then(RandomBatchNorm(6, 30), "bn");
        AssertFoldMatches(b.Build(y), Tensor.RandomNormal(new Shape(3, 10), 6), "bn", "fc");
    }

    [Fact]
    public void ChainedBatchNormsFoldTwice()
    {
        var b = new NetworkBuilder("bnbn");
        var y = b.Input(2, 5, 5).Then(RandomConv(2, 3, 3, 1, 1, 1, true, 1), "conv")
            .Then(RandomBatchNorm(3, 40), "bn1").Then(RandomBatchNorm(3, 50), "bn2");
        var net = b.Build(y);
        using var c = net.Compile();
        var conv = Assert.Single(c.Steps);
        Assert.Equal(new[] { "bn1", "bn2" }, conv.Absorbed);
        AssertClose(Evaluate(net, Tensor.RandomNormal(new Shape(1, 2, 5, 5), 2))[0], c.Run(Tensor.RandomNormal(new Shape(1, 2, 5, 5), 2)), 1e-5);
    }

    [Fact]
    public void FoldIsSkippedWhenTheConvOutputHasAnotherConsumer()
    {
        // conv → bn → add ← conv : the conv's raw output is still needed, so folding would be wrong
        var b = new NetworkBuilder("shared");
        var conv = b.Input(3, 6, 6).Then(RandomConv(3, 4, 3, 1, 1, 1, true, 7), "conv");
        var sum = b.Add(conv.Then(RandomBatchNorm(4, 60), "bn"), conv, "sum");
        var net = b.Build(sum);
        using var c = net.Compile();
        Assert.Contains(c.Steps, s => s.Name == "bn" && s.Op is BatchNorm);
        Assert.Empty(c.Steps.Single(s => s.Name == "conv").Absorbed);
        Assert.DoesNotContain(c.CompileLog, l => l.Contains("folded"));
        var input = Tensor.RandomNormal(new Shape(1, 3, 6, 6), 8);
        AssertClose(Evaluate(net, input)[0], c.Run(input), 1e-6);
    }

    [Fact]
    public void FoldIsSkippedWhenTheConvIsANetworkOutput()
    {
        var b = new NetworkBuilder("exposed");
        var conv = b.Input(3, 6, 6).Then(RandomConv(3, 4, 3, 1, 1, 1, true, 7), "conv");
        var bn = conv.Then(RandomBatchNorm(4, 60), "bn");
        var net = b.Build([bn, conv]);
        using var c = net.Compile();
        Assert.Contains(c.Steps, s => s.Op is BatchNorm);
        var input = Tensor.RandomNormal(new Shape(1, 3, 6, 6), 8);
        var expected = Evaluate(net, input);
        var found = Run(c, input);
        AssertClose(expected[0], found[0], 1e-6);
        AssertClose(expected[1], found[1], 1e-6);
    }

    [Fact]
    public void FoldIsSkippedWithoutAConvOrLinearProducer()
    {
        // BatchNorm after a pool, and directly on the input, stay as they are
        var b = new NetworkBuilder("nofold");
        var x = b.Input(3, 6, 6);
        var y = b.Add(x.MaxPool(3, 1, padding: 1).Then(RandomBatchNorm(3, 1), "bn1"), x.Then(RandomBatchNorm(3, 2), "bn2"));
        var net = b.Build(y);
        using var c = net.Compile();
        Assert.Equal(2, c.Steps.Count(s => s.Op is BatchNorm));
        var input = Tensor.RandomNormal(new Shape(1, 3, 6, 6), 3);
        AssertClose(Evaluate(net, input)[0], c.Run(input), 1e-6);
    }

    [Fact]
    public void DropoutAndUnitScaleAreRemoved()
    {
        var b = new NetworkBuilder("identities");
        var y = b.Input(2, 4, 4).Conv(3, 3, padding: 1).Dropout(name: "drop1").Relu()
            .Scale(1f, name: "one").Scale(2f, name: "two").Flatten().Dropout(0.2f, name: "drop2");
        var net = b.Build(y);
        using var c = net.Compile();
        Assert.DoesNotContain(c.Steps, s => s.Op is Dropout);
        Assert.DoesNotContain(c.Steps, s => s.Name == "one");
        Assert.Contains(c.Steps, s => s.Name == "two");
        foreach (var name in new[] { "drop1", "one", "drop2" }) Assert.Contains(c.CompileLog, l => l.Contains($"removed {name}"));
        var input = Tensor.RandomNormal(new Shape(2, 2, 4, 4), 1);
        var expected = Evaluate(net, input)[0];
        AssertClose(expected, c.Run(input), 1e-5); // fast kernels: rounding only
        // the reference options keep them
        using var r = net.Compile(CompileOptions.Reference);
        Assert.Equal(3, r.Steps.Count(s => s.Op is Dropout || s.Name == "one"));
        AssertClose(expected, r.Run(input), 0);
    }

    [Fact]
    public void DropoutBetweenInputAndOutputStillCopies()
    {
        var b = new NetworkBuilder("justdrop");
        var net = b.Build(b.Input(1, 2, 2).Dropout());
        using var c = net.Compile();
        var x = Tensor.RandomNormal(new Shape(3, 1, 2, 2), 4);
        Assert.Equal(x.ToArray(), c.Run(x).ToArray());
    }

    [Fact]
    public void DropoutBeforeBatchNormDoesNotBlockTheFold()
    {
        var b = new NetworkBuilder("dropbn");
        var y = b.Input(2, 4, 4).Then(RandomConv(2, 3, 3, 1, 1, 1, true, 9), "conv").Dropout().Then(RandomBatchNorm(3, 70), "bn");
        var net = b.Build(y);
        using var c = net.Compile();
        Assert.Equal("conv", Assert.Single(c.Steps).Name);
        var input = Tensor.RandomNormal(new Shape(1, 2, 4, 4), 9);
        AssertClose(Evaluate(net, input)[0], c.Run(input), 1e-5);
    }
}

/// <summary>DenseNet's pre-activation (concat → norm → relu → conv): the BatchNorm cannot fold into a conv. Before a
/// 1×1 convolution it becomes that convolution's input map; before any other, the ReLU fuses into it and the pair is
/// one parallel pass.</summary>
public class PreActivationFusionTests
{
    private static Network DenseLike(int kernel = 1)
    {
        var b = new NetworkBuilder("dense-like");
        var x = b.Input(6, 9, 9, batch: 3);
        var a = x.Conv(5, 3, padding: 1);
        var cat = b.Concat([x, a]);
        var y = cat.Then(CompilePassTests.RandomBatchNorm(11, 30), "norm1").Relu().Conv(7, kernel, padding: kernel / 2);
        return b.Build(y);
    }

    [Fact]
    public void NormReluBecomesOneStepMatchingTheReference()
    {
        var net = DenseLike(kernel: 3);
        using var fast = net.Compile(new CompileOptions { Threads = 2 });
        var step = Assert.Single(fast.Steps, s => s.Op is FusedOp { Main: BatchNorm });
        Assert.Equal("vector", step.Algorithm);
        Assert.DoesNotContain(fast.Steps, s => s.Op is Relu);
        Assert.Contains(fast.Steps, s => s.Op is Concat && s.Algorithm == "vector");
        var input = Tensor.RandomNormal(net.InputShape, 3);
        GraphCheck.AssertClose(net.RunReference(input), fast.Run(input), 1e-5);
        using var reference = net.Compile(CompileOptions.Reference);
        GraphCheck.AssertClose(net.RunReference(input), reference.Run(input), 0);
    }

    [Fact]
    public void NormReluBeforeA1x1ConvolutionBecomesItsInputMap()
    {
        var net = DenseLike(kernel: 1);
        using var fast = net.Compile(new CompileOptions { Threads = 2 });
        Assert.DoesNotContain(fast.Steps, s => s.Kind == "BatchNorm" || s.Op is Relu);
        var conv = Assert.Single(fast.Steps, s => s.Op is FusedOp { Main: Conv2d { KernelH: 1 }, Prologue: not null });
        Assert.Contains("norm1", conv.Absorbed);
        var input = Tensor.RandomNormal(net.InputShape, 3);
        GraphCheck.AssertClose(net.RunReference(input), fast.Run(input), 1e-5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SameBitsOnOneTwoAndThreeThreads(int kernel)
    {
        var net = DenseLike(kernel);
        var input = Tensor.RandomNormal(net.InputShape, 4);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var c = net.Compile(new CompileOptions { Threads = threads });
            var y = c.Run(input).ToArray();
            if (first is null) first = y;
            else Assert.Equal(first, y);
        }
    }
}
