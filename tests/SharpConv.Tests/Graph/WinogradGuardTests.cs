using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Tests.Graph;

public class WinogradGuardTests
{
    [Fact]
    public void ExtremeWeightsAreNotGivenToWinograd()
    {
        var weights = Tensor.RandomNormal(new Shape(16, 16, 3, 3), 1, 0.1f);
        weights[5] = 1e30f; // a corrupted weight: Winograd's float32 rounding would be ~1e23, far above the true outputs
        var b = new NetworkBuilder("guard");
        var y = b.Input(16, 12, 12).Then(new Conv2d(weights, null, (1, 1), 1, (1, 1)), "conv");
        var net = b.Build(y);
        using var c = net.Compile(new CompileOptions { Threads = 1, ConvAlgorithm = "winograd43" });
        Assert.Equal("im2col", c.Steps[0].Algorithm);

        var tame = new NetworkBuilder("tame");
        using var t = tame.Build(tame.Input(16, 12, 12).Conv(16, 3, padding: 1)).Compile(new CompileOptions { Threads = 1, ConvAlgorithm = "winograd43" });
        Assert.Equal("winograd43", t.Steps[0].Algorithm);

        var input = Tensor.RandomNormal(net.InputShape, 2);
        var expected = net.RunReference(input);
        var actual = c.Run(input);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }
}
