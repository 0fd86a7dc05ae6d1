using SharpConv.Graph;

namespace SharpConv.Onnx.Tests;

/// <summary>Export a network as ONNX, import it again, get the same outputs.</summary>
public sealed class ExportTests
{
    [Fact]
    public void Built_network_round_trips_through_onnx()
    {
        var b = new NetworkBuilder("roundtrip", seed: 7);
        var x = b.Input(3, 16, 16);
        x = x.Conv(8, 3, padding: 1).BatchNorm().Relu().MaxPool(2, 2, ceilMode: true);
        var left = x.Conv(8, 1);
        var right = x.AvgPool(3, 1, padding: 1, countIncludePad: false).LeakyRelu(0.1f);
        x = b.Concat(left, right).Lrn(5, 1e-4f, 0.75f, 2f).Then(new SharpConv.Ops.Scale(0.5f, 0.1f));
        var shortcut = x.ChannelZeroPad(32, 2);
        x = x.Conv(32, 3, stride: 2, padding: 1).Tanh().Add(shortcut).Sigmoid();
        x = x.AdaptiveAvgPool(2, 2).Flatten().Dropout(0.3f).Linear(10).Softmax();
        var network = b.Build(x);

        var bytes = OnnxExporter.ToBytes(network);
        var back = OnnxModel.Load(bytes);
        var input = Tensor.RandomNormal(new Shape(2, 3, 16, 16), 3);
        var expected = network.RunReference(input);
        var actual = back.RunReference(input);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(TestData.RelativeError(actual.Span, expected.Span) <= 1e-6);
    }

    [Fact]
    public void Hard_and_parametric_activations_round_trip()
    {
        var b = new NetworkBuilder("activations", seed: 3);
        var x = b.Input(3, 6, 6);
        var c = x.Conv(4, 3, padding: 1);
        var p = c.Then(new SharpConv.Ops.PRelu(Tensor.RandomUniform(new Shape(4, 1, 1), 5, 0.05f, 0.5f)));
        var h = c.Then(new SharpConv.Ops.HardSwish());
        var s = c.Then(new SharpConv.Ops.HardSigmoid(0.3f, 0.4f));
        var m = b.Add(new SharpConv.Ops.Max(), [p, h]);
        var y = b.Add(new SharpConv.Ops.Min(), [m, s]);
        var network = b.Build(y);

        var back = OnnxModel.Load(OnnxExporter.ToBytes(network));
        var input = Tensor.RandomNormal(new Shape(2, 3, 6, 6), 4, 3f);
        var expected = network.RunReference(input);
        var actual = back.RunReference(input);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(TestData.RelativeError(actual.Span, expected.Span) <= 1e-6);
        Assert.Contains(back.Nodes, n => n.Op is SharpConv.Ops.PRelu);
    }

    public static TheoryData<string> OpCases => TestData.Cases("reference/ops");

    [Theory]
    [MemberData(nameof(OpCases))]
    public void Imported_reference_case_round_trips(string name)
    {
        Assert.NotEqual(TestData.Missing, name);
        string dir = Path.Combine(TestData.Reference, "ops", name);
        var (inShape, _) = TestData.MetaShapes(dir);
        var network = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        string path = Path.Combine(Path.GetTempPath(), $"sharpconv-export-{name}-{Environment.ProcessId}.onnx");
        try
        {
            OnnxExporter.Save(network, path);
            var back = OnnxModel.Load(path);
            var input = TestData.ReadBin(Path.Combine(dir, "input.bin"), inShape);
            var expected = network.RunReference(input);
            var actual = back.RunReference(input);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.True(TestData.RelativeError(actual.Span, expected.Span) <= 1e-6, name);
        }
        finally { File.Delete(path); }
    }
}
