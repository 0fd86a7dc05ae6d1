using ILGPU;
using ILGPU.Runtime;
using SharpConv.Gpu.Kernels;

namespace SharpConv.Gpu.Tests;

/// <summary>The tiled GEMM alone, against a double-precision triple loop, over sizes around the 64×64×16 tile.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class GemmKernelTests(SimulatorFixture sim)
{
    public static TheoryData<int, int, int, int, bool> Sizes => new()
    {
        // M, N, K, batches, B transposed (column stride instead of row stride)
        { 1, 1, 1, 1, false },
        { 3, 5, 7, 1, false },
        { 64, 64, 16, 1, false },   // exactly one tile
        { 65, 63, 17, 2, false },   // one past / one short of every tile edge, two batched products
        { 17, 130, 33, 1, true },   // several column tiles, a K tail, strided B
        { 130, 9, 48, 3, true },
    };

    [Theory, MemberData(nameof(Sizes))]
    public void MatchesNaiveProduct(int m, int n, int k, int batches, bool transposedB)
    {
        var a = Tensor.RandomUniform(new Shape(batches, m, k), 1).ToArray();
        var b = Tensor.RandomUniform(new Shape(batches, k, n), 2).ToArray();
        var bias = Tensor.RandomUniform(new Shape(batches, m), 3).ToArray();
        var res = Tensor.RandomUniform(new Shape(batches, m, n), 4).ToArray();
        var p = new GemmArgs
        {
            M = m, N = n, K = k, ABatch = (long)m * k, ARow = k, ACol = 1,
            BBatch = (long)k * n, BRow = transposedB ? 1 : n, BColsPerImage = n, BImage = 0, BCol = transposedB ? k : 1,
            CBatch = (long)m * n, CRow = n, CColsPerImage = n, CImage = 0, CCol = 1,
            HasBias = 1, BiasBatch = m, HasResidual = 1, Min = -0.75f, Max = 2.5f,
        };
        var acc = sim.Accelerator.Device;
        using var da = acc.Allocate1D(a); using var db = acc.Allocate1D(b); using var dbias = acc.Allocate1D(bias);
        using var dres = acc.Allocate1D(res); using var dc = acc.Allocate1D<float>((long)batches * m * n);
        lock (sim.Accelerator.Gate)
        {
            sim.Accelerator.Kernels.Gemm(GemmKernel.Config(p, batches), p, da.View, db.View, dc.View, dbias.View, dres.View);
            acc.Synchronize();
        }
        var c = dc.GetAsArray1D();

        double worst = 0;
        for (int z = 0; z < batches; z++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = bias[z * m + i];
                    for (int t = 0; t < k; t++)
                    {
                        float bv = transposedB ? b[z * k * n + j * k + t] : b[z * k * n + t * n + j];
                        sum += (double)a[z * m * k + i * k + t] * bv;
                    }
                    sum += res[z * m * n + i * n + j];
                    double expected = Math.Min(Math.Max(sum, -0.75), 2.5);
                    worst = Math.Max(worst, Math.Abs(expected - c[z * m * n + i * n + j]));
                }
        // Relative to the clamp range (2.5), the largest magnitude an output can have.
        Assert.True(worst <= 1e-5 * 2.5, $"max |Δ| {worst:g3} for {m}×{n}×{k}");
    }
}
