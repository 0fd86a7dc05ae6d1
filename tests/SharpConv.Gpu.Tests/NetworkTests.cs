using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Gpu.Tests;

/// <summary>Small whole networks end to end: the GPU backend against the reference engine and the CPU engine's compiled run.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class NetworkTests(SimulatorFixture sim)
{
    private void EndToEnd(Network net, int batch, double tolerance = 1e-5)
    {
        var shape = net.InputShape.WithBatch(batch);
        var input = Tensor.RandomNormal(shape, 17);
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        using var gpu = GpuNetwork.Create(compiled, sim.Accelerator);
        var actual = gpu.Run(input);
        Check.Close(net.RunReference(input), actual, tolerance, $"{net.Name} N={batch} vs reference");
        Check.Close(compiled.Run(input), actual, tolerance, $"{net.Name} N={batch} vs CPU engine");
    }

    /// <summary>A ResNet basic block with a projection shortcut, then an identity block: BN folded, residual + ReLU fused.</summary>
    private static Network TinyResNet()
    {
        var b = new NetworkBuilder("tiny-resnet");
        var x = b.Input(3, 10, 9);
        x = x.Conv(16, 3, padding: 1, seed: 1).Bn(2).Relu();
        // Downsampling block: 3×3/2 main path, 1×1/2 projection shortcut.
        var main = x.Conv(24, 3, stride: 2, padding: 1, seed: 3).Bn(4).Relu().Conv(24, 3, padding: 1, seed: 5).Bn(6);
        var shortcut = x.Conv(24, 1, stride: 2, seed: 7).Bn(8);
        x = main.Add(shortcut).Relu();
        // Identity block.
        var inner = x.Conv(24, 3, padding: 1, seed: 9).Bn(10).Relu().Conv(24, 3, padding: 1, seed: 11).Bn(12);
        x = inner.Add(x).Relu();
        return b.Build(x.GlobalAvgPool().Flatten().Linear(10, 13));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ResNetBlockWithResidualAndReluFusion(int batch)
    {
        var net = TinyResNet();
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        Assert.Equal(2, compiled.Steps.Count(s => s.Op is FusedOp { HasResidual: true, Epilogue.IsNone: false }));
        Assert.DoesNotContain(compiled.Steps, s => s.Op is BatchNorm or Relu or Add);
        EndToEnd(net, batch, 1e-3); // the 24-channel 3×3 convs run Winograd under the heuristic
    }

    [Fact]
    public void ResNetBlockWithoutWinogradIsExactToGemmTolerance()
    {
        var net = TinyResNet();
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(2), 3);
        using var gpu = GpuNetwork.Create(net.Compile(new CompileOptions { Threads = 1 }), sim.Accelerator, new GpuOptions { ConvAlgorithm = GpuConvAlgorithm.Im2colGemm });
        Check.Close(net.RunReference(input), gpu.Run(input), 1e-5, "tiny resnet, im2col everywhere");
    }

    /// <summary>An Inception module: 1×1, 1×1→3×3, 1×1→5×5 and pool→1×1 branches concatenated on channels.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void InceptionStyleConcat(int batch)
    {
        var b = new NetworkBuilder("tiny-inception");
        var x = b.Input(3, 9, 9).Conv(8, 3, padding: 1, seed: 1).Relu().MaxPool(3, 2, padding: 1, ceilMode: true);
        var b1 = x.Conv(4, 1, seed: 2).Relu();
        var b2 = x.Conv(3, 1, seed: 3).Relu().Conv(6, 3, padding: 1, seed: 4).Relu();
        var b3 = x.Conv(2, 1, seed: 5).Relu().Conv(3, 5, padding: 2, seed: 6).Relu();
        var b4 = x.MaxPool(3, 1, padding: 1).Conv(3, 1, seed: 7).Relu();
        var y = b.Concat(b1, b2, b3, b4).Lrn(5, 1e-2f).AdaptiveAvgPool(2, 2).Flatten().Linear(7, 8).Softmax();
        EndToEnd(b.Build(y), batch);
    }

    [Fact]
    public void LeNet5FromTheZoo()
    {
        // The simulator is slow on the 400-wide fully connected layers (GEMM barriers): one batch size per variant.
        EndToEnd(Zoo.Zoo.Build("lenet5"), 3);
        EndToEnd(Zoo.Zoo.Build("lenet5-original"), 1);
    }

    /// <summary>A DenseNet block: each layer's concat → norm → relu → 1×1 conv (the norm becomes the convolution's input
    /// map on the CPU; the GPU layer normalises into scratch first), then norm → relu → 3×3 conv; a transition.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void DenseBlockWithNormalisedConvolutionInputs(int batch)
    {
        var b = new NetworkBuilder("tiny-densenet");
        var x = b.Input(3, 11, 11).Conv(8, 3, padding: 1, seed: 1);
        var features = new List<Value> { x };
        for (int i = 0; i < 3; i++)
        {
            var cat = features.Count == 1 ? features[0] : b.Concat([.. features]);
            features.Add(cat.Bn(10 + i).Relu().Conv(12, 1, seed: 20 + i).Bn(30 + i).Relu().Conv(4, 3, padding: 1, seed: 40 + i));
        }
        var y = b.Concat([.. features]).Bn(50).Relu().Conv(6, 1, seed: 51).AvgPool(2, 2).GlobalAvgPool().Flatten();
        var net = b.Build(y);
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        Assert.Equal(4, compiled.Steps.Count(s => s.Op is FusedOp { Prologue: not null }));
        EndToEnd(net, batch, 1e-4);
    }

    /// <summary>SqueezeNet's fire module: squeeze 1×1, expand 1×1 and 3×3, concatenated; then the classifier head.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SqueezeNetFireModule(int batch)
    {
        var b = new NetworkBuilder("tiny-squeezenet");
        var x = b.Input(3, 15, 15).Conv(16, 3, stride: 2, seed: 1).Relu().MaxPool(3, 2, ceilMode: true);
        for (int i = 0; i < 2; i++)
        {
            var squeeze = x.Conv(4, 1, seed: 10 + i).Relu();
            x = b.Concat(squeeze.Conv(8, 1, seed: 20 + i).Relu(), squeeze.Conv(8, 3, padding: 1, seed: 30 + i).Relu());
        }
        var y = x.Dropout(0.5f).Conv(5, 1, seed: 40).Relu().GlobalAvgPool().Flatten();
        EndToEnd(b.Build(y), batch);
    }

    [Fact]
    public void DepthwiseSeparableBlock()
    {
        var b = new NetworkBuilder("tiny-mobilenet");
        var x = b.Input(3, 8, 8).Conv(8, 3, stride: 2, padding: 1, seed: 1).Bn(2).Clip(0, 6);
        x = x.Conv(8, 3, padding: 1, groups: 8, seed: 3).Bn(4).Clip(0, 6).Conv(16, 1, seed: 5).Bn(6).Clip(0, 6);
        EndToEnd(b.Build(x.GlobalAvgPool()), 3);
    }
}
