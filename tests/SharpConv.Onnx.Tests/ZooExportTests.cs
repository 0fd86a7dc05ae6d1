using SharpConv.Compilation;
using SharpConv.Zoo;
using ZooCatalog = SharpConv.Zoo.Zoo;

namespace SharpConv.Onnx.Tests;

/// <summary>
/// Every zoo architecture (narrowed so the whole zoo runs in seconds) exports to ONNX, re-imports, and computes the
/// same outputs — the guarantee behind <c>sharpconv export &lt;arch&gt;</c>.
/// </summary>
public sealed class ZooExportTests
{
    public static TheoryData<string> EveryEntry() => new(ZooCatalog.All.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(EveryEntry))]
    public void Zoo_network_round_trips_through_onnx(string name)
    {
        var net = Narrow(name);
        var back = OnnxModel.Load(OnnxExporter.ToBytes(net));
        Assert.Equal(net.ParameterCount, back.ParameterCount);
        Assert.Equal(net.Outputs.Count, back.Outputs.Count);
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(1), 5);
        var options = new CompileOptions { Threads = 1 };
        using var a = net.Compile(options);
        using var b = back.Compile(options);
        var plan = a.PlanFor(1);
        var expected = plan.OutputSlots.Select(s => new Tensor(plan.SlotShapes[s])).ToArray();
        var actual = expected.Select(e => new Tensor(e.Shape)).ToArray();
        a.Run([input], expected);
        b.Run([input], actual);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(TestData.RelativeError(actual[i].Span, expected[i].Span) <= 1e-5, $"{name}: output {i}");
    }

    /// <summary>The narrowest width divisor the architecture accepts among 16, 8, 4, 2, 1 (grouped convolutions limit it).</summary>
    private static Graph.Network Narrow(string name)
    {
        foreach (int d in new[] { 16, 8, 4, 2 })
        {
            try { return ZooCatalog.Build(name, new ZooOptions { WidthDivisor = d, Seed = 1 }); }
            catch (InvalidLayerException) { }
        }
        return ZooCatalog.Build(name, new ZooOptions { Seed = 1 });
    }
}
