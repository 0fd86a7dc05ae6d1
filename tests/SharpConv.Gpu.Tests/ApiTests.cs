using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Gpu.Tests;

/// <summary>The backend's contract: device choice, create-time errors, shape checks, batches, the step observer.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class ApiTests(SimulatorFixture sim)
{
    private static Network Small(int batch = 1)
    {
        var b = new NetworkBuilder("small");
        var x = b.Input(2, 5, 5, batch);
        return b.Build(x.Conv(4, 3, padding: 1, seed: 1).Relu().MaxPool(2, 2).Flatten().Linear(3, 2));
    }

    [Theory]
    [InlineData("cpu", true, GpuDevice.Auto)]
    [InlineData("CUDA", false, GpuDevice.Cuda)]
    [InlineData("opencl", false, GpuDevice.OpenCL)]
    [InlineData("cpu-sim", false, GpuDevice.CpuSim)]
    [InlineData(" gpu ", false, GpuDevice.Auto)]
    public void DeviceArgumentParses(string text, bool cpuEngine, GpuDevice device)
    {
        var choice = DeviceChoice.Parse(text);
        Assert.Equal(cpuEngine, choice.UsesCpuEngine);
        if (!cpuEngine) Assert.Equal(device, choice.Gpu);
        Assert.True(DeviceChoice.TryParse(choice.ToString(), out var again));
        Assert.Equal(choice, again);
    }

    [Fact]
    public void UnknownDeviceArgumentListsTheChoices()
    {
        Assert.False(DeviceChoice.TryParse("tpu", out _));
        var e = Assert.Throws<ArgumentException>(() => DeviceChoice.Parse("tpu"));
        Assert.Contains("cpu-sim", e.Message);
    }

    [Fact]
    public void SimulatorIsWhatThisMachineHas()
    {
        Assert.Equal(GpuDevice.CpuSim, sim.Accelerator.Kind);
        // An explicit CUDA request either finds a GPU or says clearly that there is none.
        try { using var cuda = GpuAccelerator.Open(GpuDevice.Cuda); Assert.Equal(GpuDevice.Cuda, cuda.Kind); }
        catch (GpuDeviceNotFoundException e) { Assert.Equal(GpuDevice.Cuda, e.Device); Assert.Contains("no Cuda device", e.Message); }
    }

    private sealed class Mystery : Op
    {
        public override string Kind => "Mystery";
        public override Shape InferShape(string node, IReadOnlyList<Shape> inputs) => inputs[0];
        public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output) => inputs[0].Span.CopyTo(output.Span);
    }

    [Fact]
    public void UnsupportedOpFailsAtCreateNamingNodeAndOp()
    {
        var b = new NetworkBuilder("odd");
        var net = b.Build(b.Add(new Mystery(), [b.Input(2, 3, 3).Relu()], "weird"));
        var e = Assert.Throws<GpuUnsupportedOperatorException>(() => GpuNetwork.Create(net.Compile(new CompileOptions { Threads = 1 }), sim.Accelerator));
        Assert.Equal("weird", e.Node);
        Assert.Equal("Mystery", e.OpKind);
        Assert.IsAssignableFrom<SharpConvException>(e);
    }

    [Fact]
    public void ForcingAnImpossibleAlgorithmOnALayerFailsAtCreate()
    {
        var b = new NetworkBuilder("force");
        var net = b.Build(b.Input(2, 6, 6).Conv(3, 5, padding: 2, name: "c5"));
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        var options = new GpuOptions { LayerAlgorithms = new Dictionary<string, GpuConvAlgorithm> { ["c5"] = GpuConvAlgorithm.Winograd23 } };
        var e = Assert.Throws<GpuUnsupportedOperatorException>(() => GpuNetwork.Create(compiled, sim.Accelerator, options));
        Assert.Equal("c5", e.Node);
        Assert.Contains("3×3", e.Message);
        // Forced network-wide it applies only where it can: the 5×5 keeps the heuristic's choice.
        using var gpu = GpuNetwork.Create(compiled, sim.Accelerator, new GpuOptions { ConvAlgorithm = GpuConvAlgorithm.Winograd23 });
        Assert.Equal(["gpu-im2col-gemm"], gpu.StepAlgorithms);
    }

    [Fact]
    public void WrongInputShapeIsATypedError()
    {
        using var gpu = GpuNetwork.Create(Small().Compile(new CompileOptions { Threads = 1 }), sim.Accelerator);
        Assert.Throws<ShapeMismatchException>(() => gpu.Run(new Tensor(new Shape(1, 3, 5, 5))));
        Assert.Throws<ShapeMismatchException>(() => gpu.Run(new Tensor(new Shape(1, 2, 5, 5)), new Tensor(new Shape(1, 4))));
    }

    [Fact]
    public void BatchSizesComeAndGoOnOneNetwork()
    {
        var net = Small();
        using var gpu = GpuNetwork.Create(net.Compile(new CompileOptions { Threads = 1 }), sim.Accelerator);
        foreach (int batch in new[] { 1, 3, 1, 2 })
        {
            var input = Tensor.RandomNormal(new Shape(batch, 2, 5, 5), batch);
            Check.Close(net.RunReference(input), gpu.Run(input), 1e-5, $"batch {batch}");
        }
        Assert.True(gpu.ActivationElements(3) > 0);
        Assert.True(gpu.WeightElements >= 4 * 2 * 9 + 3 * 16);
    }

    private sealed class Recorder : IStepObserver
    {
        public List<string> Events { get; } = new();
        public void StepStarting(CompiledStep step) => Events.Add("+" + step.Name);
        public void StepFinished(CompiledStep step) => Events.Add("-" + step.Name);
    }

    [Fact]
    public void ObserverSeesEveryStepInOrder()
    {
        var net = Small();
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        using var gpu = GpuNetwork.Create(compiled, sim.Accelerator);
        var recorder = new Recorder();
        var input = Tensor.RandomNormal(new Shape(1, 2, 5, 5), 1);
        var output = new Tensor(new Shape(1, 3));
        gpu.Run([input], [output], default, recorder);
        var expected = compiled.Steps.SelectMany(s => new[] { "+" + s.Name, "-" + s.Name });
        Assert.Equal(expected, recorder.Events);
        Check.Close(net.RunReference(input), output, 1e-5, "observed run");
    }

    [Fact]
    public void CancellationStopsBetweenSteps()
    {
        using var gpu = GpuNetwork.Create(Small().Compile(new CompileOptions { Threads = 1 }), sim.Accelerator);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => gpu.Run(Tensor.RandomNormal(new Shape(1, 2, 5, 5), 1), new Tensor(new Shape(1, 3)), cts.Token));
    }

    [Fact]
    public void WeightsAreTheFoldedOnes()
    {
        // BN folded by the CPU compile; the GPU sees one step and uploads the folded weights.
        var b = new NetworkBuilder("fold");
        var net = b.Build(b.Input(3, 4, 4).Conv(5, 3, padding: 1, seed: 1).Bn(2));
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        using var gpu = GpuNetwork.Create(compiled, sim.Accelerator);
        Assert.Single(gpu.StepAlgorithms);
        var input = Tensor.RandomNormal(new Shape(1, 3, 4, 4), 5);
        Check.Close(net.RunReference(input), gpu.Run(input), 1e-5, "folded conv+bn");
    }
}
