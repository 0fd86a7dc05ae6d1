using SharpConv.Compilation;
using SharpConv.Graph;

namespace SharpConv.Tests.Graph;

/// <summary>A layer's convolution algorithm is chosen per planned batch size: F(4,3)'s tiles pay on a 7×7 map at
/// batch 8, not at batch 1 (where im2col runs, or F(2,3), whose 16 tiles fill one 16-column panel, without AVX-512).</summary>
public class PerBatchAlgorithmTests
{
    private static Network SmallMapNet()
    {
        var b = new NetworkBuilder("small-map");
        return b.Build(b.Input(64, 7, 7).Conv(64, 3, padding: 1).Relu().Conv(32, 3, padding: 1));
    }

    [Fact]
    public void ChoiceFollowsTheBatchAndEachBatchMatchesTheReference()
    {
        var net = SmallMapNet();
        using var c = net.Compile(new CompileOptions { Threads = 2 });
        string atOne = SharpConv.Kernels.SimdSupport.Best == SharpConv.Kernels.SimdWidth.Vector512 ? "im2col" : "winograd23";
        Assert.Equal(atOne, c.PlanFor(1).Steps[0].Algorithm);
        Assert.Equal("winograd43", c.PlanFor(8).Steps[0].Algorithm);
        Assert.Equal(atOne, c.Steps[0].Algorithm);   // the declared batch (1) is what the summary shows

        foreach (int batch in new[] { 1, 8, 3 })
        {
            var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), batch);
            var expected = net.RunReference(input);
            var actual = c.Run(input);
            float scale = 0;
            for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-3 * scale, $"batch {batch}, element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void AForcedAlgorithmHoldsForEveryBatch()
    {
        using var c = SmallMapNet().Compile(new CompileOptions { Threads = 1, ConvAlgorithm = "im2col" });
        Assert.Equal("im2col", c.PlanFor(8).Steps[0].Algorithm);
        Assert.Equal("im2col", c.PlanFor(1).Steps[0].Algorithm);
    }

    [Fact]
    public void SteadyStateRunAtTheSecondBatchAllocatesNothing()
    {
        var net = SmallMapNet();
        using var c = net.Compile(new CompileOptions { Threads = 1 });
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(8), 5);
        var output = new Tensor(c.PlanFor(8).SlotShapes[c.PlanFor(8).OutputSlots[0]]);
        Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => c.Run(input, output), warmup: 5));
    }
}
