using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Tests;

public class GraphTests
{
    private static Network TinyResidual()
    {
        var b = new NetworkBuilder("tiny", seed: 3);
        var x = b.Input(3, 9, 11);
        x = x.Conv(8, 3, padding: 1).BatchNorm().Relu();
        var y = x.Conv(8, 3, padding: 1).BatchNorm().Relu().Conv(8, 3, padding: 1).BatchNorm();
        x = x.Add(y).Relu();
        var branches = b.Concat(x.Conv(4, 1), x.MaxPool(3, 1, padding: 1));
        var head = branches.GlobalAvgPool().Flatten().Dropout().Linear(5).Softmax();
        return b.Build(head);
    }

    [Fact]
    public void ShapesAreInferredAtBuildTime()
    {
        var net = TinyResidual();
        Assert.Equal(new Shape(1, 5), net.OutputShape);
        Assert.Equal(new Shape(1, 12, 9, 11), net["concat1"].OutputShape);
        Assert.Equal(3, net.InferShapes(3)[0][0]);
    }

    [Fact]
    public void WrongShapeNamesTheNode()
    {
        var b = new NetworkBuilder("bad");
        var x = b.Input(3, 8, 8);
        var e = Assert.Throws<InvalidLayerException>(() => x.Conv(4, 11));
        Assert.Contains("conv2d1", e.Message);
        Assert.Contains("larger than the padded input", e.Message);
        var y = x.Conv(4, 3);
        var m = Assert.Throws<ShapeMismatchException>(() => b.Add(x, y));
        Assert.Contains("add1", m.Message);
        Assert.Throws<InvalidLayerException>(() => x.Conv(4, 3, groups: 2));
    }

    [Fact]
    public void CompiledRunMatchesReferenceRunAndFoldsBatchNorm()
    {
        var net = TinyResidual();
        var input = Tensor.RandomNormal(new Shape(3, 3, 9, 11), 1);
        var reference = net.RunReference(input);
        using var compiled = net.Compile();
        var fast = compiled.Run(input);
        Assert.DoesNotContain(compiled.Steps, s => s.Kind is "BatchNorm" or "Dropout");
        for (int i = 0; i < reference.Length; i++) Assert.Equal(reference[i], fast[i], 5);
        // each row is a softmax
        for (int n = 0; n < 3; n++) Assert.Equal(1.0, Enumerable.Range(0, 5).Sum(k => fast[n * 5 + k]), 5);
    }

    [Fact]
    public void ArenaReusesMemory()
    {
        var b = new NetworkBuilder("chain");
        var x = b.Input(4, 32, 32);
        for (int i = 0; i < 10; i++) x = x.Conv(4, 3, padding: 1).Relu();
        using var c = b.Build(x).Compile();
        var plan = c.PlanFor(1);
        long sum = plan.SlotShapes.Sum(s => s.ElementCount);
        Assert.True(plan.ArenaElements < sum / 5, $"arena {plan.ArenaElements} vs sum {sum}");
        // a chain needs only two live buffers at a time: the one being read and the one being written
        Assert.Equal(2 * 4 * 32 * 32, plan.ArenaElements);
    }

    [Fact]
    public void SteadyStateRunAllocatesNothing()
    {
        var net = TinyResidual();
        using var c = net.Compile();
        var input = Tensor.RandomNormal(new Shape(1, 3, 9, 11), 2);
        var output = new Tensor(new Shape(1, 5));
        Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => c.Run(input, output)));
    }
}

public class FusionTests
{
    [Fact]
    public void ResidualAddAndReluFuseIntoTheConvAndKeepTheResult()
    {
        var b = new NetworkBuilder("res", seed: 5);
        var x = b.Input(4, 7, 9);
        x = x.Conv(6, 3, padding: 1, name: "stem").BatchNorm().Relu();
        var branch = x.Conv(6, 3, padding: 1, name: "conv_a").BatchNorm().Relu().Conv(6, 3, padding: 1, name: "conv_b").BatchNorm();
        x = branch.Add(x).Relu();
        var net = b.Build(x.Conv(3, 1, name: "head").Clip(0, 6));
        using var fused = net.Compile(new SharpConv.Compilation.CompileOptions { Kernels = SharpConv.Compilation.KernelSet.Reference });
        Assert.Equal(["stem", "conv_a", "conv_b", "head"], fused.Steps.Select(s => s.Name));
        Assert.Contains("+residual +relu", fused.Steps[2].Op.Describe());
        var input = Tensor.RandomNormal(new Shape(2, 4, 7, 9), 9);
        var expected = net.RunReference(input);
        var actual = fused.Run(input);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }
}
