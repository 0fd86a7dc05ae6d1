// Dimension legend: M output channels (per group) · N pixels of one image · K reduction length · G groups ·
//                   MR×NR micro-tile: here MR pixels × NR channels (the roles of PackedGemm swapped).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Gemm;

/// <summary>
/// The GEMM of one image with few pixels, computed transposed: <c>Cᵀ[N×M] = Bᵀ[N×K] · Wᵀ[K×M]</c>, so the short
/// pixel axis is cut into MR-row panels (49 pixels → 4×14 = 56 rows) and the long channel axis into NR-wide panels
/// (exact for 64…2048 channels). <see cref="PackedGemm"/> would cut 49 pixels into two 32-wide tiles — 64 columns,
/// a quarter padding, every second tile partial and merged by scalar code.
/// <para>
/// Steps: (1) Bᵀ is packed into MR-pixel panels (k-major) from the same row source the usual path reads; (2) the
/// micro-kernel multiplies them with the weights packed at compile time as right operand, into a Cᵀ scratch;
/// (3) Cᵀ is transposed into the NCHW output with bias, residual and clamp. Each output is the same FMA chain over the
/// same K blocks (products commute exactly), then the same epilogue in the same order, so the bits equal those of
/// <see cref="PackedGemm"/> (tested).
/// </para>
/// </summary>
internal static unsafe class TransposedGemm
{
    /// <summary>On or off (a measurement knob for the perf probes; results are the same either way).</summary>
    internal static bool Enabled = true;

    /// <summary>Largest Bᵀ + Cᵀ scratch (floats) the transposed path takes on; bigger images use the usual path.</summary>
    private const long MaxScratchFloats = 2L << 20;

    /// <summary>The micro-kernel the transposed path would use for an M×N result (best padding), and whether it wastes
    /// clearly less than the usual path's tiling with <paramref name="usual"/>.</summary>
    public static GemmKernel? Choose(int m, int n, int k, int groups, GemmKernel usual, SimdWidth width)
    {
        if (!Enabled) return null;
        // Beyond a 7×7 map, only deep layers with many output channels take it: the transposes of B and of the result
        // cost per value what a deep reduction over many channels hides. `KernelProbe shapes-small`, batch 1, 1 thread,
        // with a residual, GFLOP/s transposed vs usual: 196 pixels, M 1024 K 256: 75 vs 92; M 512 K 256: 83 vs 92;
        // M 256 K 1024: 99 vs 88; M 128 K 800: 92 vs 85. 169–729 pixels, M 32 K 256 @729: 58 vs 82; M 32 K 128 @729:
        // 34 vs 67; M 64 K 512 @169: 54 vs 81. On 49 pixels it wins at any depth (M 2048 K 512: 79 vs 75, M 256
        // K 832: 85 vs 53).
        if (n > 64 && (m < 128 || k < 2 * m)) return null;
        static double Fill(int size, int tile) => size / (double)((size + tile - 1) / tile * tile);
        // The usual path also pays a scalar merge for each partial tile: count its padded columns as lost twice.
        double usualFill = Fill(m, usual.MR) * Math.Max(0.0, 2 * Fill(n, usual.NR) - 1);
        GemmKernel? best = null;
        double bestFill = usualFill + 0.08;
        var candidates = width == SimdWidth.Vector512
            ? new[] { GemmKernel.V512_14x2, GemmKernel.V512_12x2, GemmKernel.V512_8x3 }
            : new[] { GemmKernel.For(width) };
        foreach (var kr in candidates)
        {
            double f = Fill(n, kr.MR) * Fill(m, kr.NR);
            if (f > bestFill) { best = kr; bestFill = f; }
        }
        if (best is null || ScratchFloats(m, n, k, groups, best) > MaxScratchFloats) return null;
        return best;
    }

    private static long ScratchFloats(int m, int n, int k, int groups, GemmKernel kr)
    {
        long nPad = (n + kr.MR - 1) / kr.MR * kr.MR, mPad = (m + kr.NR - 1) / kr.NR * kr.NR;
        return groups * nPad * (k + mPad);
    }

    /// <summary>Scratch floats for one image on <paramref name="threads"/> threads.</summary>
    public static long ScratchElements(PackedMatrix w, int n, int threads)
        => ScratchFloats(w.Rows, n, w.Cols, w.Groups, w.Kernel) + (long)threads * RowsPerItem * (n + 16) + 64;

    /// <summary>B rows per packing item: copied whole from the source, then cut into pixel panels.</summary>
    private const int RowsPerItem = 32;

    /// <summary>
    /// <c>out = act(W·B + bias + residual)</c> for ONE image: B's rows come from <paramref name="source"/> (image
    /// <paramref name="image"/>), out and residual are that image's G·M planes of <paramref name="n"/> pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TB>(PackedMatrix w, TB source, int image, int n, float* output, float* residual, float* bias,
        Activation activation, Scheduler scheduler, float* scratch) where TB : struct, IBSource
    {
        var kr = w.Kernel;
        int g = w.Groups, m = w.Rows, k = w.Cols, MR = kr.MR;
        int pixelPanels = (n + MR - 1) / MR;
        int nPad = pixelPanels * MR, mPad = w.Panels * kr.NR;
        float* bt = (float*)(((nint)scratch + 63) & ~(nint)63);     // [g][pixel panel][k][MR]
        float* ct = bt + (long)g * nPad * k;                           // [g][nPad][mPad]
        float* rows = ct + (long)g * nPad * mPad;                      // per thread: RowsPerItem source rows of n values

        int kChunks = (k + RowsPerItem - 1) / RowsPerItem;
        scheduler.For(g * kChunks, new PackBody<TB>
        {
            Source = source, Image = image, N = n, K = k, MR = MR, PixelPanels = pixelPanels, KChunks = kChunks,
            RowsPerItem = RowsPerItem, Bt = bt, Rows = rows,
        });
        scheduler.For(g * w.Panels, new MultiplyBody { W = w, N = n, Bt = bt, Ct = ct, PixelPanels = pixelPanels, MPad = mPad });
        scheduler.For(g * m, new StoreBody
        {
            Ct = ct, N = n, NPad = nPad, MPad = mPad, M = m, Output = output, Residual = residual, Bias = bias,
            Activation = activation,
        });
    }

    /// <summary>Item = (group, chunk of K rows): each source row scattered into the MR-pixel panels, zero tails.</summary>
    private struct PackBody<TB> : IParallelBody where TB : struct, IBSource
    {
        public TB Source;
        public int Image, N, K, MR, PixelPanels, KChunks, RowsPerItem;
        public float* Bt, Rows;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            long ld = N + 16;
            float* tmp = Rows + (long)thread * RowsPerItem * ld;
            int whole = N / MR, rest = N - whole * MR;   // full pixel panels, then the pixels of a partial last one
            for (int item = begin; item < end; item++)
            {
                int group = item / KChunks, k0 = item % KChunks * RowsPerItem, k1 = Math.Min(K, k0 + RowsPerItem);
                float* groupBase = Bt + (long)group * PixelPanels * MR * K;
                Source.CopyRows(Image, group, k0, k1, N, tmp, ld);
                for (int kk = k0; kk < k1; kk++)
                {
                    float* row = tmp + (kk - k0) * ld;
                    for (int p = 0; p < whole; p++) CopyShort(row + p * MR, groupBase + ((long)p * K + kk) * MR, MR);
                    if (rest > 0)
                    {
                        float* dst = groupBase + ((long)whole * K + kk) * MR;
                        CopyShort(row + whole * MR, dst, rest);
                        for (int t = rest; t < MR; t++) dst[t] = 0f;
                    }
                }
            }
        }
    }

    /// <summary><paramref name="count"/> floats (a panel row: 1 to 15) in at most four moves. A span copy per panel row
    /// called memmove for every 6 values (`KernelProbe layer 1024 14 14 256 1 1 1 0 1 1`: 3.58 → 3.39 ms).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(float* src, float* dst, int count)
    {
        if (count >= 8) { Vector256.Store(Vector256.Load(src), dst); src += 8; dst += 8; count -= 8; }
        if (count >= 4) { Vector128.Store(Vector128.Load(src), dst); src += 4; dst += 4; count -= 4; }
        if (count >= 2) { *(double*)dst = *(double*)src; src += 2; dst += 2; count -= 2; }
        if (count > 0) *dst = *src;
    }

    /// <summary>Item = (group, channel panel): that NR-channel slice of Cᵀ for every pixel panel.</summary>
    private struct MultiplyBody : IParallelBody
    {
        public PackedMatrix W;
        public int N, PixelPanels, MPad;
        public float* Bt, Ct;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            var kr = W.Kernel;
            int MR = kr.MR, NR = kr.NR, K = W.Cols, panels = W.Panels;
            long nPad = (long)PixelPanels * MR;
            var fn = kr.Fn;
            for (int item = begin; item < end; item++)
            {
                int group = item / panels, cp = item % panels;
                float* groupBt = Bt + group * nPad * K;
                float* groupCt = Ct + group * nPad * MPad;
                for (int k0 = 0; k0 < K; k0 += GemmKernel.KC)
                {
                    int kc = Math.Min(GemmKernel.KC, K - k0);
                    float* wp = W.Panel(group, cp) + (long)k0 * NR;
                    for (int pp = 0; pp < PixelPanels; pp++)
                    {
                        var st = new TileStore { C = groupCt + (long)pp * MR * MPad + cp * NR, Ldc = MPad, Accumulate = k0 > 0 };
                        fn(groupBt + ((long)pp * K + k0) * MR, wp, kc, NR, ref st);
                    }
                }
            }
        }
    }

    /// <summary>Item = output channel (across groups): <c>out[c][j] = clamp(Cᵀ[j][c] + bias[c] + residual[c][j])</c>.</summary>
    private struct StoreBody : IParallelBody
    {
        public float* Ct, Output, Residual, Bias;
        public int N, NPad, MPad, M;
        public Activation Activation;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            bool clamp = !Activation.IsIdentity;
            for (int channel = begin; channel < end; channel++)
            {
                int group = channel / M, c = channel % M;
                float* col = Ct + (long)group * NPad * MPad + c;
                float* o = Output + (long)channel * N;
                float* r = Residual == null ? null : Residual + (long)channel * N;
                float b = Bias == null ? 0f : Bias[channel];
                bool hasBias = Bias != null;
                for (int j = 0; j < N; j++)
                {
                    float v = col[(long)j * MPad];
                    if (hasBias) v += b;
                    if (r != null) v += r[j];
                    if (clamp) v = Activation.Apply(v);
                    o[j] = v;
                }
            }
        }
    }
}
