using SharpConv.Compilation;
using SharpConv.Graph;
using Xunit.Abstractions;

namespace SharpConv.Gpu.Tests;

/// <summary>
/// One CPU-simulated accelerator for the whole test assembly: opening it and compiling the kernels is the slow part,
/// so every test shares it (runs on one accelerator are serialised anyway).
/// </summary>
public sealed class SimulatorFixture : IDisposable
{
    public GpuAccelerator Accelerator { get; } = GpuAccelerator.Open(GpuDevice.CpuSim);
    public void Dispose() => Accelerator.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SimulatorCollection : ICollectionFixture<SimulatorFixture>
{
    public const string Name = "gpu-simulator";
}

/// <summary>Runs networks on the CPU engine and on the simulated GPU and compares them.</summary>
internal static class Check
{
    /// <summary>
    /// The comparison every GPU test uses: <c>|gpu − cpu| ≤ tol · max(1, max|cpu|)</c> element-wise — relative to the
    /// tensor's scale, because a float sum of many terms can land near zero where a pointwise relative error is
    /// meaningless. Prints the first values and the worst element on failure (llm.c's habit).
    /// </summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.Span; var a = actual.Span;
        double scale = 1;
        for (int i = 0; i < e.Length; i++) scale = Math.Max(scale, Math.Abs(e[i]));
        double worst = 0; int at = -1;
        for (int i = 0; i < e.Length; i++)
        {
            double d = float.IsNaN(e[i]) && float.IsNaN(a[i]) ? 0 : Math.Abs((double)e[i] - a[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (d > worst) { worst = d; at = i; }
        }
        if (worst > tolerance * scale)
        {
            var ea = expected.ToArray(); var aa = actual.ToArray();
            string first = string.Join(", ", Enumerable.Range(0, Math.Min(6, ea.Length)).Select(i => $"{ea[i]:g6}/{aa[i]:g6}"));
            Assert.Fail($"{what}: max |Δ| {worst:g3} at {at} (cpu {e[at]:g7}, gpu {a[at]:g7}) > {tolerance:g2}·{scale:g3}; first cpu/gpu: {first}");
        }
    }

    /// <summary>The reference answer: the unrewritten network on the readable reference kernels.</summary>
    public static Tensor Reference(Network network, Tensor input) => network.RunReference(input);

    /// <summary>Compiles (default options: BN folded, residual/ReLU fused), runs on the GPU and compares with the reference.</summary>
    public static GpuNetwork RunAndCompare(GpuAccelerator acc, Network network, Tensor input, double tolerance, GpuOptions? options = null,
        CompileOptions? compile = null, string? what = null)
    {
        var compiled = network.Compile(compile ?? new CompileOptions { Threads = 1 });
        var gpu = GpuNetwork.Create(compiled, acc, options);
        var expected = Reference(network, input);
        var actual = gpu.Run(input);
        Close(expected, actual, tolerance, what ?? network.Name);
        return gpu;
    }
}
