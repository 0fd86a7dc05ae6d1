using SharpConv.Compilation;

namespace SharpConv.Gpu.Tests;

/// <summary>Which zoo architectures the GPU backend accepts (create only: weights uploaded, kernels compiled, nothing run).</summary>
[Collection(SimulatorCollection.Name)]
public sealed class ZooCoverageTests(SimulatorFixture sim)
{
    [Fact]
    public void EveryZooArchitectureCreates()
    {
        var failures = new List<string>();
        foreach (var entry in Zoo.Zoo.All)
        {
            try
            {
                var net = Build(entry);
                using var compiled = net.Compile(new CompileOptions { Threads = 1, Kernels = KernelSet.Reference });
                using var gpu = GpuNetwork.Create(compiled, sim.Accelerator);
            }
            catch (GpuUnsupportedOperatorException e) { failures.Add($"{entry.Name}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // Narrow (small weights) where the architecture allows it; grouped ones need channel counts their groups divide.
    private static Graph.Network Build(Zoo.ZooEntry entry)
    {
        foreach (int divisor in new[] { 8, 4, 2 })
            try { return entry.Build(new Zoo.ZooOptions { WidthDivisor = divisor }); }
            catch (InvalidLayerException) { }
        return entry.Build(new Zoo.ZooOptions());
    }
}
