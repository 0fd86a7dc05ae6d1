using SharpConv.Graph;
using SharpConv.Compilation;

namespace SharpConv.Tests.Graph;

public class NetworkSlicingTests
{
    private static Network Net()
    {
        var b = new NetworkBuilder("slice", seed: 3);
        var x = b.Input(3, 12, 12);
        var a = x.Conv(4, 3, padding: 1, name: "conv1").Relu(name: "relu1");
        var y = a.Conv(6, 3, padding: 1, name: "conv2").Relu(name: "relu2").MaxPool(2, 2, name: "pool");
        return b.Build(y.Flatten().Linear(5, name: "fc"));
    }

    [Fact]
    public void TruncatedNetworkComputesTheSameIntermediateValue()
    {
        var net = Net();
        var cut = net.Truncate("relu1");
        Assert.Equal(["input", "conv1", "relu1"], cut.Nodes.Select(n => n.Name));
        Assert.Equal(new Shape(1, 4, 12, 12), cut.OutputShape);
        // Same op objects: the weights are shared, not re-seeded.
        Assert.Same(net["conv1"].Op, cut["conv1"].Op);

        var input = Tensor.RandomNormal(net.InputShape, 7);
        using var compiled = cut.Compile(new CompileOptions { Threads = 1 });
        var fast = compiled.Run(input);
        var reference = cut.RunReference(input);
        for (int i = 0; i < fast.Length; i++)
            Assert.True(Math.Abs(reference[i] - fast[i]) <= 1e-4f * (1 + Math.Abs(reference[i])), $"element {i}: {fast[i]} vs reference {reference[i]}");
        Assert.All(fast.Span.ToArray(), v => Assert.True(v >= 0)); // after the ReLU
    }

    [Fact]
    public void TruncatingAtTheOutputKeepsEveryNode()
    {
        var net = Net();
        Assert.Equal(net.Nodes.Count, net.Truncate("fc").Nodes.Count);
    }

    [Fact]
    public void UnknownNodeAndInputAreRefused()
    {
        var net = Net();
        var e = Assert.Throws<KeyNotFoundException>(() => net.Truncate("conv9"));
        Assert.Contains("conv9", e.Message);
        Assert.Contains("conv1", e.Message); // shows the naming scheme
        Assert.Throws<GraphException>(() => net.Truncate("input"));
    }
}
