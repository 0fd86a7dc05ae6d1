using SharpConv.Zoo;
using ZooCatalog = SharpConv.Zoo.Zoo;

namespace SharpConv.Tests.Zoo;

/// <summary>
/// Every builder runs a forward pass with the reference kernels, narrowed (WidthDivisor) and, where the architecture
/// allows, on a smaller input, so the whole zoo runs in seconds; outputs must be finite and of the right shape.
/// </summary>
public class ZooForwardTests
{
    /// <summary>Reduced-cost settings per entry: width divisor, input side (null: the paper's, fixed for FC heads), batch.</summary>
    private static readonly Dictionary<string, (int Divisor, int? Side, int Batch)> Reduced = new()
    {
        ["lenet5"] = (1, null, 3), ["lenet5-original"] = (1, null, 1),
        ["alexnet-paper"] = (16, null, 1), ["alexnet-paper-ungrouped"] = (16, null, 1), ["alexnet"] = (16, 96, 3),
        ["zfnet"] = (16, null, 1), ["zfnet512"] = (16, null, 1),
        ["vgg11"] = (16, 32, 1), ["vgg-a-lrn"] = (16, 32, 1), ["vgg13"] = (16, 32, 1), ["vgg-c"] = (16, 32, 1),
        ["vgg16"] = (16, 32, 3), ["vgg19"] = (16, 32, 1), ["vgg11_bn"] = (16, 32, 1), ["vgg13_bn"] = (16, 32, 1),
        ["vgg16_bn"] = (16, 32, 1), ["vgg19_bn"] = (16, 32, 1),
        ["nin"] = (16, 96, 1),
        ["googlenet"] = (16, 64, 1), ["googlenet-aux"] = (16, 64, 3), ["inception_v2"] = (16, 64, 1),
        ["inception_v3"] = (16, 96, 1), ["inception_v3-aux"] = (16, null, 1), ["inception_v4"] = (16, 96, 1), ["inception_resnet_v2"] = (16, 96, 1),
        ["resnet18"] = (8, 64, 3), ["resnet34"] = (8, 64, 1), ["resnet50"] = (16, 64, 1), ["resnet101"] = (16, 64, 1), ["resnet152"] = (16, 64, 1),
        ["cifar-resnet20"] = (4, null, 3), ["cifar-resnet32"] = (4, null, 1), ["cifar-resnet44"] = (4, null, 1), ["cifar-resnet56"] = (4, null, 1),
        ["cifar-resnet110"] = (4, 16, 1), ["cifar-resnet1202"] = (16, 8, 1),
        ["cifar-plain20"] = (4, null, 1), ["cifar-plain32"] = (4, null, 1), ["cifar-plain44"] = (4, null, 1), ["cifar-plain56"] = (4, null, 1),
        ["preact-resnet110"] = (4, 16, 1), ["preact-resnet164"] = (4, 16, 1), ["preact-resnet1001"] = (16, 8, 1),
        ["wide_resnet50_2"] = (16, 64, 1), ["wrn-28-10"] = (16, 32, 1), ["resnext50_32x4d"] = (4, 32, 1),
        ["stochastic-depth-resnet110"] = (4, 16, 1), ["fractalnet"] = (16, null, 3),
        ["densenet121"] = (16, 64, 3), ["densenet169"] = (16, 64, 1), ["densenet201"] = (16, 64, 1),
        ["squeezenet1_0"] = (16, 64, 3), ["squeezenet1_1"] = (16, 64, 1),
    };

    public static TheoryData<string> EveryEntry() => new(ZooCatalog.All.Select(e => e.Name));

    [Fact]
    public void EveryEntryHasAReducedSetting() =>
        Assert.All(ZooCatalog.All, e => Assert.True(Reduced.ContainsKey(e.Name), e.Name));

    [Theory]
    [MemberData(nameof(EveryEntry))]
    public void ForwardPassIsFiniteAndShapedRight(string name)
    {
        var (divisor, side, batch) = Reduced[name];
        var net = ZooCatalog.Build(name, new ZooOptions { WidthDivisor = divisor, InputSize = side, Batch = batch, Seed = 7 });
        var input = Tensor.RandomNormal(net.InputShape, seed: 11);
        using var compiled = net.Compile(Compilation.CompileOptions.Reference);
        var outputs = net.Outputs.Select(o => new Tensor(o.OutputShape)).ToArray();
        compiled.Run([input], outputs);
        foreach (var (output, node) in outputs.Zip(net.Outputs))
        {
            Assert.Equal(node.OutputShape, output.Shape);
            Assert.Equal(batch, output.Shape[0]);
            for (int i = 0; i < output.Length; i++)
                Assert.True(float.IsFinite(output[i]), $"{name}: output '{node.Name}'[{i}] = {output[i]}");
            Assert.True(output.Span.ToArray().Any(v => v != 0), $"{name}: output '{node.Name}' is all zeros");
        }
    }

    [Fact]
    public void SameSeedSameNetworkOtherSeedOtherWeights()
    {
        var o = new ZooOptions { WidthDivisor = 8, InputSize = 16, Seed = 3 };
        var input = Tensor.RandomNormal(new Shape(1, 3, 16, 16), seed: 1);
        var a = ZooCatalog.Build("cifar-resnet20", o).RunReference(input);
        var b = ZooCatalog.Build("cifar-resnet20", o).RunReference(input);
        var c = ZooCatalog.Build("cifar-resnet20", o with { Seed = 4 }).RunReference(input);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
    }

    [Theory]
    [InlineData("resnet152", 16, 32)]
    [InlineData("cifar-resnet1202", 4, 8)]
    [InlineData("preact-resnet1001", 4, 8)]
    public void DeepResidualNetworksKeepLogitsNearOne(string name, int divisor, int side)
    {
        // Random He weights and identity BatchNorm would double the variance at every residual block (2^600 for
        // ResNet-1202); the small residual γ keeps the logits of a unit-variance input within two orders of 1, so
        // fast-vs-reference comparisons on zoo networks stay meaningful.
        var net = ZooCatalog.Build(name, new ZooOptions { WidthDivisor = divisor, InputSize = side });
        var y = net.RunReference(Tensor.RandomNormal(net.InputShape, seed: 5)).ToArray();
        Assert.InRange(y.Max(v => Math.Abs(v)), 1e-2, 1e2);
    }
}
