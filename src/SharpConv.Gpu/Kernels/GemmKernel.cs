using ILGPU;
using ILGPU.Runtime;

namespace SharpConv.Gpu.Kernels;

// Dimension legend: M rows of A and C · N columns of B and C · K the shared (reduction) dimension · Z batched products.
//
// One GEMM serves every matrix product of the backend, so its operands are described by strides rather than being
// plain row-major matrices:
//   A[i,k] = a[z·ABatch + i·ARow + k·ACol]                                  (weights: ARow = K, ACol = 1)
//   B[k,j] = b[z·BBatch + k·BRow + (j / BColsPerImage)·BImage + (j % BColsPerImage)·BCol]
//   C[i,j] = c[z·CBatch + i·CRow + (j / CColsPerImage)·CImage + (j % CColsPerImage)·CCol]
// The "image" split of the column index lets a 1×1 convolution read its input straight out of NCHW (column j is pixel
// j%HW of image j/HW) and lets every convolution write NCHW directly, so a whole batch is one launch with no
// transposes. Linear layers use the same trick with one column per image.

/// <summary>Shapes, strides and the fused epilogue of one (batched) GEMM launch.</summary>
internal struct GemmArgs
{
    public int M, N, K;
    public long ABatch, BBatch, CBatch;
    public int ARow, ACol;
    public int BRow, BColsPerImage, BCol; public long BImage;
    public int CRow, CColsPerImage, CCol; public long CImage;
    /// <summary>Non-zero: add <c>bias[z·BiasBatch + i]</c> to row i.</summary>
    public int HasBias, BiasBatch;
    /// <summary>Non-zero: add the residual read at C's address (the ResNet shortcut) before the clamp.</summary>
    public int HasResidual;
    /// <summary>The clamp of the epilogue (±∞ for none).</summary>
    public float Min, Max;
}

/// <summary>
/// Tiled GEMM with shared memory: <c>C = clamp(A·B + bias + residual)</c>. A 16×16 thread group computes a 64×64 tile
/// of C; each thread keeps a 4×4 block of results in registers (rows <c>ty + 16·i</c>, columns <c>tx + 16·j</c>, so
/// neighbouring threads touch neighbouring columns and the stores coalesce). The K dimension is walked in slices of
/// 16: the group stages a 64×16 slice of A and a 16×64 slice of B in shared memory, waits at a barrier, and every
/// thread does 16 rank-1 updates of its 4×4 block from shared memory — 16 FMAs per 8 shared loads.
/// </summary>
internal static class GemmKernel
{
    /// <summary>Rows of C per group.</summary>
    public const int TileM = 64;
    /// <summary>Columns of C per group.</summary>
    public const int TileN = 64;
    /// <summary>Depth of one shared-memory slice.</summary>
    public const int TileK = 16;
    /// <summary>Threads per group along each axis (16×16 = 256 threads; each computes 4×4 outputs).</summary>
    public const int Threads = 16;

    /// <summary>The launch geometry for <paramref name="p"/> with <paramref name="batches"/> products along Z.</summary>
    public static KernelConfig Config(in GemmArgs p, int batches) =>
        new(new Index3D((p.N + TileN - 1) / TileN, (p.M + TileM - 1) / TileM, batches), new Index3D(Threads, Threads, 1));

    /// <summary>The kernel (see the class summary).</summary>
    public static void Run(GemmArgs p, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, ArrayView<float> residual)
    {
        // Shared tiles, stored k-major: As[kk·TileM + i], Bs[kk·TileN + j], so the inner loop reads both along rows.
        var As = SharedMemory.Allocate<float>(TileK * TileM);
        var Bs = SharedMemory.Allocate<float>(TileK * TileN);
        int tx = Group.IdxX, ty = Group.IdxY, tid = ty * Threads + tx;
        int row0 = Grid.IdxY * TileM, col0 = Grid.IdxX * TileN, z = Grid.IdxZ;
        long aBase = z * p.ABatch, bBase = z * p.BBatch;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < p.K; k0 += TileK)
        {
            // 256 threads load 1024 values of each tile, 4 each. For A consecutive threads take consecutive k (the
            // contiguous axis of weights); for B consecutive threads take consecutive columns (contiguous pixels).
            for (int l = 0; l < 4; l++)
            {
                int e = tid + l * Threads * Threads;
                int ai = e / TileK, ak = e % TileK;
                int gi = row0 + ai, gk = k0 + ak;
                As[ak * TileM + ai] = gi < p.M && gk < p.K ? a[aBase + (long)gi * p.ARow + (long)gk * p.ACol] : 0f;

                int bk = e / TileN, bj = e % TileN;
                int gk2 = k0 + bk, gj = col0 + bj;
                Bs[bk * TileN + bj] = gk2 < p.K && gj < p.N
                    ? b[bBase + (long)gk2 * p.BRow + (long)(gj / p.BColsPerImage) * p.BImage + (long)(gj % p.BColsPerImage) * p.BCol]
                    : 0f;
            }
            Group.Barrier();

            for (int kk = 0; kk < TileK; kk++)
            {
                float a0 = As[kk * TileM + ty], a1 = As[kk * TileM + ty + 16], a2 = As[kk * TileM + ty + 32], a3 = As[kk * TileM + ty + 48];
                float b0 = Bs[kk * TileN + tx], b1 = Bs[kk * TileN + tx + 16], b2 = Bs[kk * TileN + tx + 32], b3 = Bs[kk * TileN + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            // Nobody may overwrite the tiles for the next slice while a neighbour still reads this one.
            Group.Barrier();
        }

        int r = row0 + ty, q = col0 + tx;
        Store(p, c, bias, residual, z, r, q, c00); Store(p, c, bias, residual, z, r, q + 16, c01);
        Store(p, c, bias, residual, z, r, q + 32, c02); Store(p, c, bias, residual, z, r, q + 48, c03);
        Store(p, c, bias, residual, z, r + 16, q, c10); Store(p, c, bias, residual, z, r + 16, q + 16, c11);
        Store(p, c, bias, residual, z, r + 16, q + 32, c12); Store(p, c, bias, residual, z, r + 16, q + 48, c13);
        Store(p, c, bias, residual, z, r + 32, q, c20); Store(p, c, bias, residual, z, r + 32, q + 16, c21);
        Store(p, c, bias, residual, z, r + 32, q + 32, c22); Store(p, c, bias, residual, z, r + 32, q + 48, c23);
        Store(p, c, bias, residual, z, r + 48, q, c30); Store(p, c, bias, residual, z, r + 48, q + 16, c31);
        Store(p, c, bias, residual, z, r + 48, q + 32, c32); Store(p, c, bias, residual, z, r + 48, q + 48, c33);
    }

    // The epilogue, done in the store so that bias, shortcut and activation cost no extra pass over memory.
    private static void Store(GemmArgs p, ArrayView<float> c, ArrayView<float> bias, ArrayView<float> residual, int z, int row, int col, float v)
    {
        if (row >= p.M || col >= p.N) return;
        if (p.HasBias != 0) v += bias[(long)z * p.BiasBatch + row];
        long at = z * p.CBatch + (long)row * p.CRow + (long)(col / p.CColsPerImage) * p.CImage + (long)(col % p.CColsPerImage) * p.CCol;
        if (p.HasResidual != 0) v += residual[at];
        c[at] = Epilog.Clamp(v, p.Min, p.Max);
    }
}

/// <summary>The clamp shared by every fused store.</summary>
internal static class Epilog
{
    /// <summary><c>min(max(v, lo), hi)</c> with NaN passing through (every comparison with NaN is false), like <c>Epilogue.Apply</c>.</summary>
    public static float Clamp(float v, float lo, float hi)
    {
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        return v;
    }
}
