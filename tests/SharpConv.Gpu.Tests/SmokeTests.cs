using SharpConv.Graph;

namespace SharpConv.Gpu.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class SmokeTests(SimulatorFixture sim)
{
    [Fact]
    public void ConvReluPool()
    {
        var b = new NetworkBuilder("smoke");
        var x = b.Input(3, 9, 9, 2);
        var y = x.Conv(5, 3, padding: 1).Relu().MaxPool(2, 2);
        var net = b.Build(y);
        using var gpu = Check.RunAndCompare(sim.Accelerator, net, Tensor.RandomNormal(new Shape(2, 3, 9, 9), 1), 1e-5);
    }
}
