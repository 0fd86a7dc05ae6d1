using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Gpu.Tests;

/// <summary>
/// Every convolution algorithm on every configuration it supports, against the reference convolution: odd sizes,
/// tile tails, stride, asymmetric padding, dilation, rectangular kernels, groups, depthwise, batch 1 and 3.
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class ConvTests(SimulatorFixture sim)
{
    /// <summary>A convolution case: C, K, kernel, stride, padding (t, l, b, r), dilation, groups, H, W.</summary>
    public sealed record Case(string Name, int C, int K, (int, int) Kernel, (int, int) Stride, Padding Pad, (int, int) Dilation, int Groups, int H, int W)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    [
        new("3x3 p1 odd", 3, 5, (3, 3), (1, 1), 1, (1, 1), 1, 9, 9),
        new("3x3 s2 p1", 4, 6, (3, 3), (2, 2), 1, (1, 1), 1, 10, 11),
        new("5x5 p2", 6, 4, (5, 5), (1, 1), 2, (1, 1), 1, 7, 7),
        new("3x3 dilation 2", 4, 4, (3, 3), (1, 1), 2, (2, 2), 1, 9, 8),
        new("asymmetric pad", 3, 4, (3, 3), (1, 2), new Padding(1, 0, 2, 1), (1, 1), 1, 6, 7),
        new("1x3 rect", 5, 3, (1, 3), (1, 1), new Padding(0, 1, 0, 1), (1, 1), 1, 4, 6),
        new("grouped g2", 8, 6, (3, 3), (1, 1), 1, (1, 1), 2, 6, 6),
        new("grouped g2 wide", 16, 16, (3, 3), (1, 1), 1, (1, 1), 2, 5, 5),
        new("depthwise", 6, 6, (3, 3), (1, 1), 1, (1, 1), 6, 7, 7),
        new("depthwise s2", 5, 5, (3, 3), (2, 2), 1, (1, 1), 5, 9, 9),
        new("depthwise x2", 4, 8, (3, 3), (1, 1), 1, (1, 1), 4, 5, 5),
        new("1x1", 7, 9, (1, 1), (1, 1), 0, (1, 1), 1, 5, 5),
        new("1x1 grouped", 8, 8, (1, 1), (1, 1), 0, (1, 1), 2, 3, 5),
        new("1x1 s2", 7, 5, (1, 1), (2, 2), 0, (1, 1), 1, 5, 5),
        new("3x3 wide (winograd size)", 16, 17, (3, 3), (1, 1), 1, (1, 1), 1, 7, 7),
        new("3x3 no pad odd out", 5, 3, (3, 3), (1, 1), 0, (1, 1), 1, 6, 5),
        new("3x3 many out channels", 3, 70, (3, 3), (1, 1), 1, (1, 1), 1, 4, 4), // two GEMM row tiles
    ];

    public static TheoryData<string, GpuConvAlgorithm, int> All()
    {
        var data = new TheoryData<string, GpuConvAlgorithm, int>();
        foreach (var c in Cases)
        {
            var conv = Make(c, 0);
            foreach (var algorithm in new[] { GpuConvAlgorithm.Im2colGemm, GpuConvAlgorithm.Direct, GpuConvAlgorithm.Gemm1x1, GpuConvAlgorithm.Winograd23 })
            {
                if (Gpu.Layers.ConvLayer.Unsupported(conv, algorithm) is not null) continue;
                // Batch 3 for the cheap ones, batch 1 everywhere: the simulator is slow, the batch loop is shared code.
                data.Add(c.Name, algorithm, 1);
                if (c.H * c.W <= 50 || algorithm == GpuConvAlgorithm.Direct) data.Add(c.Name, algorithm, 3);
            }
        }
        return data;
    }

    private static Conv2d Make(Case c, int seed) => Layers.Conv(c.C, c.K, c.Kernel, c.Stride, c.Pad, c.Dilation, c.Groups, seed + 11);

    [Theory, MemberData(nameof(All))]
    public void MatchesReference(string name, GpuConvAlgorithm algorithm, int batch)
    {
        var c = Cases.Single(k => k.Name == name);
        var b = new NetworkBuilder("conv");
        var x = b.Input(c.C, c.H, c.W, batch);
        var net = b.Build(b.Add(Make(c, 0), [x], "conv"));
        var input = Tensor.RandomNormal(new Shape(batch, c.C, c.H, c.W), 5);
        // Layer-forced, so an algorithm that silently fell back would fail the algorithm assertion below.
        var options = new GpuOptions { LayerAlgorithms = new Dictionary<string, GpuConvAlgorithm> { ["conv"] = algorithm } };
        using var gpu = Check.RunAndCompare(sim.Accelerator, net, input, algorithm == GpuConvAlgorithm.Winograd23 ? 1e-3 : 1e-5, options, what: $"{c} {algorithm} N={batch}");
        Assert.Contains(algorithm switch
        {
            GpuConvAlgorithm.Gemm1x1 => "gemm1x1", GpuConvAlgorithm.Im2colGemm => "im2col", GpuConvAlgorithm.Direct => "direct", _ => "winograd",
        }, gpu.StepAlgorithms[0]);
    }

    /// <summary>The fused store (bias + residual + clamp) on every algorithm: conv → BN (folded) → + shortcut → ReLU6-style clip.</summary>
    [Theory]
    [InlineData(GpuConvAlgorithm.Im2colGemm)]
    [InlineData(GpuConvAlgorithm.Direct)]
    [InlineData(GpuConvAlgorithm.Winograd23)]
    [InlineData(GpuConvAlgorithm.Gemm1x1)]
    public void FusedEpilogueOnEveryAlgorithm(GpuConvAlgorithm algorithm)
    {
        int kernel = algorithm == GpuConvAlgorithm.Gemm1x1 ? 1 : 3;
        var b = new NetworkBuilder("fused");
        var x = b.Input(16, 5, 6, 2);
        var y = x.Conv(16, kernel, padding: kernel / 2, seed: 3, name: "conv").Bn(7).Add(x).Clip(0f, 1.5f);
        var net = b.Build(y);
        var compiled = net.Compile(new CompileOptions { Threads = 1 });
        Assert.Contains(compiled.Steps, s => s.Op is FusedOp { HasResidual: true } f && !f.Epilogue.IsNone);
        var options = new GpuOptions { ConvAlgorithm = algorithm, MaxScratchElements = 1 }; // scratch of one image: exercises chunking
        using var gpu = GpuNetwork.Create(compiled, sim.Accelerator, options);
        var input = Tensor.RandomNormal(new Shape(2, 16, 5, 6), 9);
        Check.Close(net.RunReference(input), gpu.Run(input), algorithm == GpuConvAlgorithm.Winograd23 ? 1e-3 : 1e-5, $"fused {algorithm}");
    }

    [Fact]
    public void AutoChoosesByTheTable()
    {
        var b = new NetworkBuilder("auto");
        var x = b.Input(16, 6, 6);
        var y = x.Conv(16, 1, name: "pointwise").Conv(16, 3, padding: 1, groups: 16, name: "depthwise")
            .Conv(16, 3, padding: 1, name: "wide3x3").Conv(8, 3, stride: 2, padding: 1, name: "strided");
        using var gpu = GpuNetwork.Create(b.Build(y).Compile(new CompileOptions { Threads = 1 }), sim.Accelerator);
        Assert.Equal(["gpu-gemm1x1", "gpu-direct", "gpu-winograd2x3", "gpu-im2col-gemm"], gpu.StepAlgorithms);
    }
}
