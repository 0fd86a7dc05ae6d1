// Dimension legend: M rows of C (output channels) · N columns of C (pixels) · K reduction length (C/G·R·S)
//                   MR×NR micro-tile · KC depth of one K block · G groups (independent GEMMs) · batch images.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Gemm;

/// <summary>
/// The fast single-precision GEMM: <c>C[M×N] = A[M×K] · B[K×N]</c> with an epilogue fused into the store
/// (per-row bias, residual add of a matrix shaped like C, clamp activation). A is a <see cref="PackedMatrix"/>
/// packed once; B is packed per call, a KC×NC block at a time, into per-thread scratch.
/// <para>
/// Work is split over (batch·group, M tile, N tile) items by the <see cref="Scheduler"/>. Each output element is
/// summed by one micro-kernel call per K block, K blocks in order, with the same FMA chain whatever the tile, thread
/// or vector width: results are bit-identical for any thread count (and any width).
/// </para>
/// </summary>
public static unsafe class PackedGemm
{
    /// <summary>Widest N tile in columns: the packed B block (KC × 256 × 4 B = 256 KiB) stays in L2 while every MR
    /// panel of A sweeps over it.</summary>
    internal const int MaxTileColumns = 256;

    /// <summary>Tiles with at most this many M panels read whole B panels in place instead of packing them (a knob for
    /// perf probes; never changes results).</summary>
    internal static int InPlaceMaxPanels = 4;

    /// <summary>Prefetch of the next tile's C and residual lines and of B rows ahead of the packing (a measurement
    /// knob; never changes results). On with AVX-512, where it was measured to pay on Zen 4; off without, as on the AVX2-only Zen 1
    /// the software prefetches cost more than they saved (`KernelProbe knob prefetch`, 1 thread: 16→64 1×1 @55 0.384
    /// vs 0.348 ms off, 64→256 @56 3.29 vs 3.17, 128→16 @55 0.546 vs 0.534; deeper layers within ±1 %).</summary>
    internal static bool PrefetchTiles = Avx512F.IsSupported;

    /// <summary>How many B rows ahead the packing requests.</summary>
    internal const int RowsAhead = 4;

    /// <summary>Scratch floats <see cref="Multiply"/> needs for <paramref name="threads"/> threads (independent of
    /// the shapes: the B block is capped at KC × 256).</summary>
    public static int ScratchElements(int threads) => threads * PerThreadScratch;

    internal const int PerThreadScratch = GemmKernel.KC * (MaxTileColumns + 48) + (MaxTileColumns + 48) + GemmKernel.MaxTile + 64;

    /// <summary>
    /// <c>C = act(A·B + bias + residual)</c> for each group g: <c>C_g[M×N] = A_g[M×K] · B_g[K×N]</c>, B and C
    /// row-major with groups stacked (<c>B</c> is G·K×N, <c>C</c> is G·M×N).
    /// </summary>
    /// <param name="a">Packed left operand (M = a.Rows, K = a.Cols, G = a.Groups).</param>
    /// <param name="b">Right operand, G·K rows of <paramref name="n"/> values.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="c">Output, G·M rows of <paramref name="n"/>.</param>
    /// <param name="bias">Empty, or G·M values added per row.</param>
    /// <param name="residual">Empty, or a matrix shaped like C added before the activation.</param>
    /// <param name="activation">Clamp applied last.</param>
    /// <param name="scheduler">Threads to use; null runs inline.</param>
    /// <param name="scratch">At least <see cref="ScratchElements"/>(threads) floats.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Multiply(PackedMatrix a, ReadOnlySpan<float> b, int n, Span<float> c,
        ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Activation activation,
        Scheduler? scheduler, Span<float> scratch)
    {
        int g = a.Groups, m = a.Rows, k = a.Cols;
        long cLen = (long)g * m * n;
        if (n <= 0) throw new ArgumentException($"PackedGemm: N must be positive, got {n}.");
        if (b.Length < (long)g * k * n) throw new ArgumentException($"PackedGemm: B needs {(long)g * k * n} values, got {b.Length}.");
        if (c.Length < cLen) throw new ArgumentException($"PackedGemm: C needs {cLen} values, got {c.Length}.");
        if (!bias.IsEmpty && bias.Length < g * m) throw new ArgumentException($"PackedGemm: bias needs {g * m} values, got {bias.Length}.");
        if (!residual.IsEmpty && residual.Length < cLen) throw new ArgumentException($"PackedGemm: residual needs {cLen} values, got {residual.Length}.");
        scheduler ??= Scheduler.Inline;
        CheckScratch(scratch, scheduler.ThreadCount);

        fixed (float* pb = b) fixed (float* pc = c) fixed (float* pbias = bias) fixed (float* pres = residual) fixed (float* ps = scratch)
        {
            var src = new MatrixSource { B = pb, Ldb = n, GroupStride = (long)k * n, BatchStride = 0 };
            var job = new GemmJob
            {
                Batch = 1, M = m, N = n,
                C = pc, Ldc = n, CGroupStride = (long)m * n, CBatchStride = 0,
                Bias = bias.IsEmpty ? null : pbias,
                Residual = residual.IsEmpty ? null : pres,
                Activation = activation,
                Scratch = ps,
            };
            Run(a, ref job, src, scheduler);
        }
    }

    internal static void CheckScratch(Span<float> scratch, int threads)
    {
        if (scratch.Length < ScratchElements(threads))
            throw new ArgumentException($"scratch needs {ScratchElements(threads)} floats for {threads} thread(s), got {scratch.Length}.");
    }

    /// <summary>Plans the tiles and runs the job for any B source (plain matrix, im2col panels…).</summary>
    internal static void Run<TB>(PackedMatrix a, ref GemmJob job, TB source, Scheduler scheduler) where TB : struct, IBSource
    {
        job.A = a;
        job.Groups = a.Groups;
        job.K = a.Cols;
        job.M = a.Rows;
        var kr = a.Kernel;
        int mPanels = a.Panels, nPanels = (job.N + kr.NR - 1) / kr.NR;
        PlanTiles(job.Batch * job.Groups, mPanels, nPanels, kr.NR, scheduler.ThreadCount, out job.MTiles, out job.NTiles);
        job.MPanels = mPanels; job.NPanels = nPanels;
        int items = job.Batch * job.Groups * job.MTiles * job.NTiles;
        scheduler.For(items, new GemmBody<TB> { Job = job, Source = source });
    }

    /// <summary>
    /// Chooses how many M and N tiles to cut so the static split over threads is balanced. Splitting N is free
    /// (A is pre-packed; each tile packs only its own B columns); splitting M packs the same B block twice, so it is
    /// tried only when N alone cannot balance. Depends only on the shape and the thread count (tiling never changes
    /// results, only speed).
    /// </summary>
    internal static void PlanTiles(int bg, int mPanels, int nPanels, int nr, int threads, out int mTiles, out int nTiles)
    {
        // The search below weighs up to 4 × 20 splits over every item: tens of microseconds, as long as a small layer's
        // whole GEMM at batch 1 (SqueezeNet's 16→64 @55: 0.1 ms on 2 threads, 13 % of it here while the other thread
        // waited). A layer asks for the same shape on every run, so each answer is kept (no allocation after the first).
        var key = (bg, mPanels, nPanels, nr, threads);
        if (!s_tilePlans.TryGetValue(key, out var plan))
        {
            SearchTiles(bg, mPanels, nPanels, nr, threads, out plan.M, out plan.N);
            s_tilePlans.TryAdd(key, plan);
        }
        mTiles = plan.M; nTiles = plan.N;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int, int, int, int, int), (int M, int N)> s_tilePlans = new();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SearchTiles(int bg, int mPanels, int nPanels, int nr, int threads, out int mTiles, out int nTiles)
    {
        int maxNp = Math.Max(1, MaxTileColumns / nr);
        int nMin = (nPanels + maxNp - 1) / maxNp;
        mTiles = 1; nTiles = nMin;
        if (threads == 1) return;
        double best = double.MaxValue;
        for (int mt = 1; mt <= Math.Min(mPanels, 4); mt++)
        for (int nt = nMin; nt <= Math.Min(nPanels, nMin + 4 * threads); nt++)
        {
            // Cost of an item ~ its MR×NR tiles + B packing (≈ 1 tile-column per panel) + a fixed overhead.
            int items = bg * mt * nt;
            double worst = 0;
            for (int t = 0; t < threads; t++)
            {
                var (b, e) = Scheduler.Partition(items, t, threads);
                double load = 0;
                for (int i = b; i < e; i++)
                {
                    int ni = i % nt, mi = (i / nt) % mt;
                    int np = (ni + 1) * nPanels / nt - ni * nPanels / nt;
                    int mp = (mi + 1) * mPanels / mt - mi * mPanels / mt;
                    load += mp * np + np * 0.5 + 0.5;
                }
                worst = Math.Max(worst, load);
            }
            if (worst < best * 0.999) { best = worst; mTiles = mt; nTiles = nt; }
        }
    }
}

/// <summary>Where <see cref="PackedGemm"/> gets rows of B: a matrix, im2col of an image, …</summary>
internal unsafe interface IBSource
{
    /// <summary>Row <paramref name="k"/> of B for image <paramref name="batch"/> and group <paramref name="group"/>,
    /// columns [n0, n0+nc): a pointer into the source when it is contiguous there, else <paramref name="tmp"/>
    /// (nc floats) filled and returned.</summary>
    float* Row(int batch, int group, int k, int n0, int nc, float* tmp);

    /// <summary>Asks for the cache lines <see cref="Row"/> will read for the same request (a hint; may do nothing).</summary>
    void Prefetch(int batch, int group, int k, int n0, int nc);

    /// <summary>When every row of B is in memory at a fixed distance from the previous one (so a micro-kernel can
    /// read it in place), that distance in floats; else 0.</summary>
    long InPlaceRowStride { get; }

    /// <summary>Rows [<paramref name="k0"/>, <paramref name="k1"/>) of B for image <paramref name="batch"/> and group
    /// <paramref name="group"/>, all <paramref name="n"/> columns, copied to <paramref name="dst"/> one row every
    /// <paramref name="ldd"/> floats (the whole-image gathers of the batch-folded and transposed GEMMs).</summary>
    void CopyRows(int batch, int group, int k0, int k1, int n, float* dst, long ldd);
}

/// <summary>B is a row-major matrix (per group/batch at fixed strides).</summary>
internal unsafe struct MatrixSource : IBSource
{
    public float* B;
    public int Ldb;
    public long GroupStride, BatchStride;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly float* Row(int batch, int group, int k, int n0, int nc, float* tmp)
        => B + batch * BatchStride + group * GroupStride + (long)k * Ldb + n0;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Prefetch(int batch, int group, int k, int n0, int nc)
    {
        float* row = Row(batch, group, k, n0, nc, null);
        for (int j = 0; j < nc; j += 16) Sse.Prefetch0(row + j);
    }

    public readonly long InPlaceRowStride => Ldb;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void CopyRows(int batch, int group, int k0, int k1, int n, float* dst, long ldd)
    {
        for (int k = k0; k < k1; k++)
            new ReadOnlySpan<float>(Row(batch, group, k, 0, n, null), n).CopyTo(new Span<float>(dst + (k - k0) * ldd, n));
    }
}

/// <summary>Everything one GEMM call needs; copied into the parallel body.</summary>
internal unsafe struct GemmJob
{
    public PackedMatrix A;
    public int Batch, Groups, M, N, K;
    public float* C;
    public int Ldc;
    public long CGroupStride, CBatchStride;  // the residual shares C's layout
    public float* Bias;                      // G·M values or null
    public float* Residual;                  // or null
    public Activation Activation;
    public float* Scratch;                   // ThreadCount × PerThreadScratch
    public int MTiles, NTiles, MPanels, NPanels;
}

internal unsafe struct GemmBody<TB> : IParallelBody where TB : struct, IBSource
{
    public GemmJob Job;
    public TB Source;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int begin, int end, int thread)
    {
        float* s = Job.Scratch + (long)thread * PackedGemm.PerThreadScratch;
        s = (float*)(((nint)s + 63) & ~(nint)63);
        for (int item = begin; item < end; item++)
        {
            int nt = item % Job.NTiles;
            int rest = item / Job.NTiles;
            int mt = rest % Job.MTiles;
            int bg = rest / Job.MTiles;
            Tile(bg / Job.Groups, bg % Job.Groups, mt, nt, s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile(int batch, int group, int mt, int nt, float* scratch)
    {
        var kr = Job.A.Kernel;
        int MR = kr.MR, NR = kr.NR, KC = GemmKernel.KC;
        int jp0 = nt * Job.NPanels / Job.NTiles, jp1 = (nt + 1) * Job.NPanels / Job.NTiles;
        int mp0 = mt * Job.MPanels / Job.MTiles, mp1 = (mt + 1) * Job.MPanels / Job.MTiles;
        int n0 = jp0 * NR, nc = Math.Min(jp1 * NR, Job.N) - n0;
        int nPanels = jp1 - jp0;

        float* bPack = scratch;                                                  // KC × nPanels·NR
        float* rowTmp = bPack + GemmKernel.KC * (PackedGemm.MaxTileColumns + 48); // nc
        float* tileTmp = rowTmp + PackedGemm.MaxTileColumns + 48;                 // MR × NR

        long cOff = batch * Job.CBatchStride + group * Job.CGroupStride;
        float* cBase = Job.C + cOff;
        float* rBase = Job.Residual == null ? null : Job.Residual + cOff;
        float* bias = Job.Bias == null ? null : Job.Bias + group * Job.M;
        bool clamp = !Job.Activation.IsIdentity;
        var fn = kr.Fn;
        // Few M panels reuse each packed B panel too little to pay for packing it (a copy of the whole input for
        // SqueezeNet's 16/32-channel squeezes): then whole B panels are read in place, only a partial last one is packed.
        long ldb = Source.InPlaceRowStride;
        bool inPlace = ldb > 0 && mp1 - mp0 <= PackedGemm.InPlaceMaxPanels;
        int partialPanel = inPlace && (nc % NR) != 0 ? nPanels - 1 : -1;

        for (int k0 = 0; k0 < Job.K; k0 += KC)
        {
            int kc = Math.Min(KC, Job.K - k0);
            bool first = k0 == 0, last = k0 + kc == Job.K;

            if (partialPanel >= 0)
                for (int kk = 0; kk < kc; kk++)
                {
                    float* src = Source.Row(batch, group, k0 + kk, n0 + partialPanel * NR, nc - partialPanel * NR, rowTmp);
                    ScatterRow(src, nc - partialPanel * NR, bPack + kk * NR, kc * NR, NR);
                }
            // Pack the B block: row by row into NR-wide k-major panels, zero-padding the last panel.
            for (int kk = 0; kk < kc && !inPlace; kk++)
            {
                // Rows of B are Ldb apart: each is a short run the hardware prefetcher barely learns, so the run a few
                // rows ahead is requested while this one is copied.
                if (PackedGemm.PrefetchTiles && kk + PackedGemm.RowsAhead < kc) Source.Prefetch(batch, group, k0 + kk + PackedGemm.RowsAhead, n0, nc);
                float* src = Source.Row(batch, group, k0 + kk, n0, nc, rowTmp);
                ScatterRow(src, nc, bPack + kk * NR, kc * NR, NR);
            }

            for (int mp = mp0; mp < mp1; mp++)
            {
                float* ap = Job.A.Panel(group, mp) + k0 * MR;
                int row0 = mp * MR;
                int mValid = Math.Min(MR, Job.M - row0);
                // One store description per row of tiles; only C and the residual move from tile to tile.
                float* cRow = cBase + (long)row0 * Job.Ldc + n0;
                float* rRow = last && rBase != null ? rBase + (long)row0 * Job.Ldc + n0 : null;
                var st = new TileStore
                {
                    Ldc = Job.Ldc,
                    Accumulate = !first,
                    Bias = last && bias != null ? bias + row0 : null,
                    Ldr = Job.Ldc,
                    Clamp = last && clamp,
                    Min = Job.Activation.Min,
                    Max = Job.Activation.Max,
                };
                for (int jp = 0; jp < nPanels; jp++)
                {
                    int col0 = n0 + jp * NR;
                    int nValid = Math.Min(NR, Job.N - col0);
                    st.C = cRow + jp * NR;
                    st.Residual = rRow == null ? null : rRow + jp * NR;
                    if (last && PackedGemm.PrefetchTiles) PrefetchNextTile(cBase, rBase, mp, jp, nPanels, mp1, n0, MR, NR);
                    bool strided = inPlace && jp != partialPanel;
                    float* bp = strided ? Source.Row(batch, group, k0, col0, NR, null) : bPack + (inPlace ? 0 : jp * kc * NR);
                    long bStride = strided ? ldb : NR;
                    if (mValid == MR && nValid == NR)
                    {
                        fn(ap, bp, kc, bStride, ref st);
                    }
                    else if (mValid == MR && kr.MaskedFor(nValid) is var tail && tail != null)
                    {
                        // The last column panel: only the vectors its columns need, the last one masked.
                        st.LastColumns = nValid - (nValid - 1) / kr.Lanes * kr.Lanes;
                        tail(ap, bp, kc, bStride, ref st);
                    }
                    else if (nValid == NR && kr.PartialRowsFor(mValid) is var partialRows && partialRows != null)
                    {
                        // The last row panel: only its valid rows are computed and stored.
                        partialRows(ap, bp, kc, bStride, ref st);
                    }
                    else
                    {
                        // Edge tile: same kernel into a scratch tile, then the scalar epilogue merges the valid corner.
                        var raw = new TileStore { C = tileTmp, Ldc = NR };
                        fn(ap, bp, kc, bStride, ref raw);
                        st.MergePartial(tileTmp, NR, mValid, nValid);
                    }
                }
            }
        }
    }

    /// <summary>
    /// In the last K block every micro-tile reads MR residual row pieces and writes MR C row pieces: rows Ldc apart,
    /// so a shallow GEMM (ResNet's 64→256 1×1: 64 FMAs per output) stalls on those misses more than it computes. The
    /// next tile's lines are requested now, while this tile's FMAs run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly void PrefetchNextTile(float* cBase, float* rBase, int mp, int jp, int nPanels, int mp1, int n0, int MR, int NR)
    {
        int nextRow, nextCol;
        if (jp + 1 < nPanels) { nextRow = mp * MR; nextCol = n0 + (jp + 1) * NR; }
        else if (mp + 1 < mp1) { nextRow = (mp + 1) * MR; nextCol = n0; }
        else return;
        int rows = Math.Min(MR, Job.M - nextRow);
        int cols = Math.Min(NR, Job.N - nextCol);
        if (rows <= 0 || cols <= 0) return;
        long off = (long)nextRow * Job.Ldc + nextCol;
        for (int i = 0; i < rows; i++, off += Job.Ldc)
            for (int j = 0; j < cols; j += 16)
            {
                if (rBase != null) Sse.Prefetch0(rBase + off + j);
                Sse.Prefetch0(cBase + off + j);
            }
    }

    /// <summary>Copies one B row (nc values) into consecutive panels (stride <paramref name="panelStride"/>),
    /// NR values per panel, zero-filling the tail of the last one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void ScatterRow(float* src, int nc, float* dst, int panelStride, int nr)
    {
        int j = 0;
        for (; j + nr <= nc; j += nr, dst += panelStride) CopyPanel(src + j, dst, nr);
        if (j < nc)
        {
            int rem = nc - j;
            for (int t = 0; t < rem; t++) dst[t] = src[j + t];
            for (int t = rem; t < nr; t++) dst[t] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void CopyPanel(float* src, float* dst, int nr)
    {
        if (Vector512.IsHardwareAccelerated && (nr & 15) == 0)
            for (int t = 0; t < nr; t += 16) Vector512.Store(Vector512.Load(src + t), dst + t);
        else if (Vector256.IsHardwareAccelerated && (nr & 7) == 0)
            for (int t = 0; t < nr; t += 8) Vector256.Store(Vector256.Load(src + t), dst + t);
        else
            for (int t = 0; t < nr; t += 4) Vector128.Store(Vector128.Load(src + t), dst + t);
    }
}
