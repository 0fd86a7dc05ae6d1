// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · r×r kernel, stride 1.
// Winograd F(m×m, r×r): m = output tile (2 or 4), r = kernel (3 or 5), α = m + r − 1 = input tile (4 or 6). T tiles
// per block, ξ = one of the α² transform-domain positions. MR×NR: the GEMM micro-tile.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// Winograd convolution for 3×3 and 5×5 stride-1 dilation-1 layers (any padding): per tile,
/// <c>Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A</c>. F(4,3) does 36 multiplies per 16 outputs instead of 144 (4×); F(2,3) 16 per 4
/// instead of 36 (2.25×) but is more accurate and wastes less on small maps; F(2,5) 36 per 4 instead of 100 (2.8×).
/// F(2,5) has F(4,3)'s 6×6 input tile on the same points (0, ±1, ±2, ∞), so it shares its input transform Bᵀ; only the
/// tile step (2), G (6×5) and Aᵀ (2×6) differ.
/// <para>
/// Life of a call: (1) the kernel transform <c>U = G g Gᵀ</c> was done once at construction and packed as α²
/// K×C matrices; (2) per block of T tiles and per channel, the input rows under each run of tiles are staged
/// (<see cref="StageRows"/>), deinterleaved into the tiles' patches by permutes and transformed, <c>V = Bᵀ d B</c>,
/// vectorised across 16 (AVX-512) or 8 (AVX2) tiles, straight into the GEMM's packed-B panel layout (no packing pass);
/// (3) α² GEMMs <c>M_ξ = U_ξ · V_ξ</c> (K×C times C×T) run on the same micro-kernels as <see cref="PackedGemm"/>;
/// (4) the output transform <c>Aᵀ M A</c> adds bias and residual, clamps, and stores the m×m tiles into NCHW as masked
/// runs of consecutive tiles (<see cref="ScatterRows"/>).
/// Work items are (tile block × output-channel slice), tiles counted across the whole batch, so batch 1 still
/// fills both cores and small maps with batch 8 still fill whole panels. Block size depends only on the shape,
/// so results are bit-identical for any thread count.
/// </para>
/// </summary>
internal sealed unsafe class Winograd : PreparedConv
{
    private readonly int _m, _a;             // output tile m, input tile α = m + r − 1
    private readonly int _chunks;            // m-column pieces of an input tile row: ⌈α / m⌉ (2, or 3 for F(2,5))
    private readonly PackedMatrix _u;        // α² groups of K × C
    private readonly GemmKernel _kr;
    private readonly int _t;                 // tiles per block (multiple of NR)
    private readonly int _kPad;              // K rounded up to MR (the GEMM writes whole panels)
    private readonly int _outH, _outW;       // P and Q, which ConvParams computes (with divisions) on each read

    /// <param name="algorithm">Winograd23, Winograd43 or Winograd25, one that supports <paramref name="p"/>
    /// (<see cref="ConvAlgorithmChooser.Supports"/>): the kernel size r is the layer's.</param>
    public Winograd(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act, SimdWidth width, ConvAlgorithm algorithm)
        : base(p, algorithm, bias, act)
    {
        int r = p.R, m = algorithm == ConvAlgorithm.Winograd43 ? 4 : 2;
        _m = m; _a = m + r - 1;
        _chunks = (_a + m - 1) / m;
        _outH = p.P; _outW = p.Q;
        // The transforms run on Vector<float> across NR tiles, so NR must be a multiple of its lane count
        // (only the 8-wide Vector128 kernel with 512-bit Vector<T> misses; use the 256-bit kernel there).
        if (GemmKernel.For(width).NR % Vector<float>.Count != 0) width = SimdWidth.Vector256;
        int a = _a, K = p.K, C = p.C;
        // Kernel transform U_ξ[k, c] = (G g Gᵀ)[i, j] with ξ = i·α + j, laid out as α² stacked K×C matrices.
        var g = r == 5 ? G25 : m == 4 ? G43 : G23;
        var u = new float[a * a * K * C];
        for (int k = 0; k < K; k++)
        for (int c = 0; c < C; c++)
        {
            int w0 = (k * C + c) * r * r;
            for (int i = 0; i < a; i++)
            for (int j = 0; j < a; j++)
            {
                double sum = 0;   // in double: the transform is done once, its rounding should not add to the error
                for (int y = 0; y < r; y++)
                for (int x = 0; x < r; x++)
                    sum += g[i, y] * (double)weights[w0 + y * r + x] * g[j, x];
                u[((i * a + j) * K + k) * C + c] = (float)sum;
            }
        }
        _u = PackedMatrix.Pack(u, K, C, a * a, width);
        _kr = _u.Kernel;
        _kPad = _u.Panels * _kr.MR;
        // T: a block's V and M buffers (α²·(C + K)·T floats) sized to stay around L2 (2 MiB here), at least one
        // panel, at most 4: more tiles per block reuse each U_ξ panel more.
        long perPanel = (long)a * a * (C + _kPad) * _kr.NR * sizeof(float);
        _t = _kr.NR * (int)Math.Clamp((2L << 20) / perPanel, 1, 4);
    }

    /// <summary>Off: the scalar tile gather and scatter only (a measurement knob for perf probes and the exactness
    /// test: the vector paths move the same values).</summary>
    internal static bool VectorTileMoves = true;
    /// <summary>Off: no software prefetch of the next channel's rows (a measurement knob for perf probes).</summary>
    internal static bool PrefetchNextPlane = true;

    private int VecLanes => Vector<float>.Count;

    /// <summary>
    /// The distance between two ξ planes of V or M, in floats: the plane size rounded up to an odd number of cache
    /// lines. The transforms touch all α² planes at the same offset in turn; with a plane size that is a multiple of
    /// 4 KiB (128 channels × 48 tiles is 24 KiB) those 36 lines all fall in one L1 set and evict each other, which made
    /// the input transform of DenseNet's 128→32 layers cost 3× its arithmetic. An odd line count walks the sets.
    /// </summary>
    private static long SpreadStride(long floats)
    {
        long lines = (floats + 15) / 16;
        return (lines | 1) * 16;
    }

    private int PerThread => (int)(_a * _a * (SpreadStride((long)Params.C * _t) + SpreadStride((long)_kPad * _t)))    // V and M
                             + PatchFloats                           // gathered patches (scalar path) / transform rows
                             + 2 * _a * _a * VecLanes                // transform temporaries
                             + 2 * _t                                // tile table (ints)
                             + _chunks * _a * StagedRow + 32         // staged input rows; one interleaved output row
                             + 128;

    public override int ScratchElements(int batch, int threads) => threads * PerThread;

    /// <summary>The patch buffer D: α² values per tile of a panel for the scalar gather, and α² + α vectors of 16
    /// lanes for the staged transforms (more than the first when NR is 16).</summary>
    private int PatchFloats => Math.Max(_a * _a * _kr.NR, (_a * _a + _a) * 16);

    /// <summary>One staged input row: m columns per tile lane of a panel, plus a vector of slack.</summary>
    private int StagedRow => _m * _kr.NR + 16;

    private int TilesH => (_outH + _m - 1) / _m;
    private int TilesW => (_outW + _m - 1) / _m;

    private protected override void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch)
    {
        int total = batch * TilesH * TilesW;
        int tilesPerBlock = _t;
        int blocks = (total + tilesPerBlock - 1) / tilesPerBlock;
        int threads = scheduler.ThreadCount;
        // Few blocks (small maps at batch 1): first try one-panel blocks, which leave every thread whole blocks of its
        // own; only if that still cannot feed the threads, split the output channels too, which repeats the input
        // transform (a third of the time for 64-channel layers: ResNet's 56×56 F(4,3) scaled 1.25× on 2 threads that
        // way). The block size only groups tiles — each tile's arithmetic is the same — so the bits do not change.
        if (threads > 1 && blocks < 2 * threads && (total + _kr.NR - 1) / _kr.NR >= 2 * threads)
        {
            tilesPerBlock = _kr.NR;
            blocks = (total + tilesPerBlock - 1) / tilesPerBlock;
        }
        else if (threads > 1 && blocks < 4 * threads)
        {
            // A few blocks: the block size that balances the threads best. SqueezeNet's 16→64 @55 at batch 1 has 196
            // tiles: blocks of 64 gave one thread 128 tiles and the other 68 (2 threads ran 1.56× one).
            tilesPerBlock = BalancedBlock(total, threads);
            blocks = (total + tilesPerBlock - 1) / tilesPerBlock;
        }
        int kSplit = threads > 1 && blocks % threads != 0 && blocks < 4 * threads && tilesPerBlock == _t ? Math.Min(_u.Panels, threads) : 1;
        scheduler.For(blocks * kSplit, new Body
        {
            Conv = this, X = input, Y = output, OutStride = outStride, Residual = residual, Scratch = scratch, Batch = batch,
            Total = total, KSplit = kSplit, TilesPerBlock = tilesPerBlock,
        });
    }

    /// <summary>
    /// Tiles per block (a multiple of NR, at most the L2-sized <c>_t</c>) whose blocks, claimed in order by
    /// <paramref name="threads"/> threads, leave the busiest thread the fewest tiles; ties go to the larger block
    /// (each block reuses its U panels over more tiles).
    /// </summary>
    private int BalancedBlock(int total, int threads)
    {
        int best = _t;
        long bestSpan = long.MaxValue;
        Span<long> load = stackalloc long[Math.Min(threads, 64)];
        for (int size = _t; size >= _kr.NR; size -= _kr.NR)
        {
            load.Clear();
            for (int start = 0; start < total; start += size)
            {
                int least = 0;
                for (int t = 1; t < load.Length; t++) if (load[t] < load[least]) least = t;
                load[least] += Math.Min(size, total - start);
            }
            long span = 0;
            foreach (long l in load) span = Math.Max(span, l);
            if (span < bestSpan) { bestSpan = span; best = size; }
        }
        return best;
    }

    private struct Body : IParallelBody
    {
        public Winograd Conv;
        public float* X, Y, Residual, Scratch;
        public long OutStride;
        public int Batch, Total, KSplit, TilesPerBlock;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            float* s = Scratch + (long)thread * Conv.PerThread;
            s = (float*)(((nint)s + 63) & ~(nint)63);
            for (int item = begin; item < end; item++)
                Conv.Block(this, item / KSplit, item % KSplit, s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block(in Body job, int block, int kPart, float* scratch)
    {
        var p = Params;
        int a = _a, a2 = a * a, m = _m, C = p.C, K = p.K, T = job.TilesPerBlock, NR = _kr.NR, MR = _kr.MR;
        int tilesW = TilesW, tilesPerImage = TilesH * tilesW;
        int t0 = block * T, tValid = Math.Min(T, job.Total - t0);
        int nPanels = (tValid + NR - 1) / NR;   // the last block transforms and multiplies only the panels it fills

        float* V = scratch;                         // [ξ][panel][c][NR]
        long vStride = SpreadStride((long)C * T), mStride = SpreadStride((long)_kPad * T);
        float* M = V + a2 * vStride;                // [ξ][kPad][T]
        float* D = M + a2 * mStride;                // [i·α + j][NR]: patches of NR tiles
        float* tmp = D + PatchFloats;               // 2 · α² · lanes
        int* tileIn = (int*)(tmp + 2 * a2 * VecLanes);  // per tile: input offset of its (0,0) corner within image n … 
        int* tileOut = tileIn + T;                        // … and the output offset; image index folded in below
        float* E = (float*)(((nint)(tileOut + T) + 63) & ~(nint)63);   // staged rows: [chunk][i][StagedRow]

        // Tile table: where each tile starts in the input (may be negative/off-image at the borders) and output.
        for (int t = 0; t < T; t++)
        {
            int tg = t0 + t;
            if (tg >= job.Total) { tileIn[t] = int.MinValue; continue; }
            int n = tg / tilesPerImage, r = tg - n * tilesPerImage, ty = r / tilesW, tx = r - ty * tilesW;
            tileIn[t] = n;  // image index; corner computed on the fly (needs ty, tx too)
            tileOut[t] = (ty << 16) | tx;
        }

        // (2) Input transform, NR tiles at a time, into packed-B panels.
        long hw = (long)p.H * p.W;
        // Staged rows deinterleaved by permutes, 16 lanes (AVX-512) or 8 (AVX2, where Vector<float> has 8 lanes).
        bool staged = VectorTileMoves && (NR & 15) == 0 && Avx512F.IsSupported;
        bool staged8 = VectorTileMoves && !staged && (NR & 7) == 0 && VecLanes == 8 && Avx2.IsSupported;
        for (int jp = 0; jp < nPanels; jp++)
        for (int c = 0; c < C; c++)
        {
            if (staged || staged8)
            {
                StageRows(job.X, c, tileIn, tileOut, jp * NR, E);
                float* dstPanel = V + (long)jp * C * NR + (long)c * NR;
                if (staged)
                    for (int g = 0; g < NR; g += 16) TransformStaged16(E + m * g, D, dstPanel + g, vStride);
                else
                    for (int g = 0; g < NR; g += 8) TransformStaged8(E + m * g, D, dstPanel + g, vStride);
                continue;
            }
            // Scalar gather (no AVX2, or the knob off): one tile at a time.
            for (int lane = 0; lane < NR; lane++)
            {
                int t = jp * NR + lane;
                if (tileIn[t] == int.MinValue) { for (int e = 0; e < a2; e++) D[e * NR + lane] = 0f; continue; }
                int ty = tileOut[t] >> 16, tx = tileOut[t] & 0xFFFF;
                int ih0 = ty * m - p.PadTop, iw0 = tx * m - p.PadLeft;
                float* plane = job.X + (tileIn[t] * (long)C + c) * hw;
                if (ih0 >= 0 && iw0 >= 0 && ih0 + a <= p.H && iw0 + a <= p.W)
                {
                    float* src = plane + (long)ih0 * p.W + iw0;
                    for (int i = 0; i < a; i++, src += p.W)
                        for (int j = 0; j < a; j++) D[(i * a + j) * NR + lane] = src[j];
                }
                else
                {
                    for (int i = 0; i < a; i++)
                    {
                        int ih = ih0 + i;
                        for (int j = 0; j < a; j++)
                        {
                            int iw = iw0 + j;
                            D[(i * a + j) * NR + lane] = (uint)ih < (uint)p.H && (uint)iw < (uint)p.W ? plane[(long)ih * p.W + iw] : 0f;
                        }
                    }
                }
            }
            float* dst = V + (long)jp * C * NR + (long)c * NR;
            long xiStride = vStride;
            for (int l = 0; l < NR; l += VecLanes)
            {
                // rows: tmp[i][j'] = Σ_j Bᵀ[j'][j] d[i][j];  columns: V[i'][j'] = Σ_i Bᵀ[i'][i] tmp[i][j']
                for (int i = 0; i < a; i++) InputTransform1D(D + i * a * NR + l, NR, tmp + i * a * VecLanes, VecLanes);
                for (int j = 0; j < a; j++) InputTransform1D(tmp + j * VecLanes, a * VecLanes, dst + l + j * xiStride, a * xiStride);
            }
        }

        // (3) α² GEMMs on this item's slice of output-channel panels: M_ξ[kPad × T] = U_ξ · V_ξ.
        int mp0 = kPart * _u.Panels / job.KSplit, mp1 = (kPart + 1) * _u.Panels / job.KSplit;
        var fn = _kr.Fn;
        for (int xi = 0; xi < a2; xi++)
        {
            float* vXi = V + xi * vStride;
            float* mXi = M + xi * mStride;
            for (int k0 = 0; k0 < C; k0 += GemmKernel.KC)
            {
                int kc = Math.Min(GemmKernel.KC, C - k0);
                for (int mp = mp0; mp < mp1; mp++)
                {
                    float* ap = _u.Panel(xi, mp) + k0 * MR;
                    for (int jp = 0; jp < nPanels; jp++)
                    {
                        var st = new TileStore { C = mXi + (long)mp * MR * T + jp * NR, Ldc = T, Accumulate = k0 > 0 };
                        fn(ap, vXi + (long)jp * C * NR + k0 * NR, kc, NR, ref st);
                    }
                }
            }
        }

        // (4) Output transform + bias + residual + clamp, scattered into NCHW.
        int kLo = mp0 * MR, kHi = Math.Min(mp1 * MR, K);
        float* tmp2 = tmp + a2 * VecLanes;
        long pq = (long)_outH * _outW;
        bool clamp = !Activation.IsIdentity;
        bool vectorScatter = VectorTileMoves && VecLanes == 8 && Avx2.IsSupported;
        float* rowBuffer = E + _chunks * a * StagedRow;
        for (int k = kLo; k < kHi; k++)
        {
            float bias = Bias[k];
            for (int l = 0; l < tValid; l += VecLanes)
            {
                float* src = M + (long)k * T + l;
                long xiStride = mStride;
                // rows: tmp[i][j'] (α × m) = Σ_j M[i][j] A[j][j'];  columns: Y[i'][j'] (m × m)
                for (int i = 0; i < a; i++) OutputTransform1D(src + i * a * xiStride, xiStride, tmp + i * m * VecLanes, VecLanes);
                for (int j = 0; j < m; j++) OutputTransform1D(tmp + j * VecLanes, m * VecLanes, tmp2 + j * VecLanes, m * VecLanes);
                int lanes = Math.Min(VecLanes, tValid - l);
                if (vectorScatter)
                {
                    ScatterRows(job, tmp2, rowBuffer, tileIn + l, tileOut + l, lanes, k, bias, clamp);
                    continue;
                }
                for (int lane = 0; lane < lanes; lane++)
                {
                    int t = l + lane;
                    int ty = tileOut[t] >> 16, tx = tileOut[t] & 0xFFFF;
                    long o = tileIn[t] * job.OutStride + k * pq;
                    int rows = Math.Min(m, _outH - ty * m), cols = Math.Min(m, _outW - tx * m);
                    for (int i = 0; i < rows; i++)
                    {
                        long ro = o + (long)(ty * m + i) * _outW + tx * m;
                        for (int j = 0; j < cols; j++)
                        {
                            float v = tmp2[(i * m + j) * VecLanes + lane] + bias;
                            if (job.Residual != null) v += job.Residual[ro + j];
                            if (clamp) v = Activation.Apply(v);
                            job.Y[ro + j] = v;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Copies, for channel <paramref name="c"/>, the input rows under the NR tiles of the panel starting at tile
    /// <paramref name="first"/> into <paramref name="e"/>: row i of chunk h (h &lt; ⌈α/m⌉) holds, for tile lane L, the input columns
    /// <c>m·tx + h·m + (0..m−1) − padLeft</c> of input row <c>m·ty + i − padTop</c> at <c>m·L</c>. Padding and missing
    /// tiles read as 0. Consecutive tiles of one tile row are one contiguous run of input columns, so this is a few
    /// masked vector copies per run, and afterwards element (i, j) of every tile sits at a fixed stride m — which the
    /// permutes of <see cref="TransformStaged16"/> read, where hardware gathers were the input transform's main cost.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StageRows(float* x, int c, int* tileIn, int* tileOut, int first, float* e)
    {
        var p = Params;
        int m = _m, a = _a, nr = _kr.NR, row = StagedRow;
        long hw = (long)p.H * p.W;
        for (int lane = 0; lane < nr;)
        {
            int t = first + lane, n = tileIn[t];
            if (n == int.MinValue)
            {
                // Missing tiles only end a batch's last panel: zero the rest.
                for (int r = 0; r < _chunks * a; r++) new Span<float>(e + r * row + m * lane, m * (nr - lane)).Clear();
                return;
            }
            int len = RunLength(tileIn + t, tileOut + t, nr - lane);
            int ty = tileOut[t] >> 16, tx = tileOut[t] & 0xFFFF;
            float* plane = x + (n * (long)p.C + c) * hw;
            for (int i = 0; i < a; i++)
            {
                int ih = ty * m + i - p.PadTop;
                float* src = (uint)ih < (uint)p.H ? plane + (long)ih * p.W : null;
                for (int h = 0; h < _chunks; h++)
                    CopyClipped(src, p.W, tx * m - p.PadLeft + h * m, m * len, e + (h * a + i) * row + m * lane);
                // The next channel reads the same rows one plane on: fetch them now. Channel planes are kilobytes apart,
                // so the hardware prefetcher sees no stream and each row would otherwise wait on L3.
                if (src != null && c + 1 < p.C && PrefetchNextPlane && Sse.IsSupported)
                {
                    int from = Math.Max(0, tx * m - p.PadLeft), to = Math.Min(p.W, tx * m - p.PadLeft + m * len + (_chunks - 1) * m);
                    for (int col = from; col < to; col += 16) Sse.Prefetch0(src + hw + col);
                    Sse.Prefetch0(src + hw + to - 1);
                }
            }
            lane += len;
        }
    }

    /// <summary>How many of the first <paramref name="limit"/> tiles from the first one are consecutive tiles of one
    /// tile row of one image (same image, same tile row, next column): one contiguous run of pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int RunLength(int* tileIn, int* tileOut, int limit)
    {
        int len = 1;
        while (len < limit && tileIn[len] == tileIn[0] && tileOut[len] == tileOut[0] + len) len++;
        return len;
    }

    /// <summary><c>dst[0..count) = row[col0 ..)</c> with columns outside [0, width) — or a missing row — as 0, in whole
    /// masked vector loads and stores (the destination has a Vector512 of slack; a later run overwrites the spill).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CopyClipped(float* row, int width, int col0, int count, float* dst)
    {
        if (row == null)
        {
            new Span<float>(dst, count).Clear();
            return;
        }
        if (Avx512F.IsSupported)
        {
            var lo = Vector512.Create(-col0); var hi = Vector512.Create(width - col0);
            var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            for (int x = 0; x < count; x += 16)
            {
                var at = lanes + Vector512.Create(x);
                var inside = (Vector512.GreaterThanOrEqual(at, lo) & Vector512.LessThan(at, hi)).AsSingle();
                Avx512F.MaskLoad(row + col0 + x, inside, Vector512<float>.Zero).Store(dst + x);
            }
        }
        else
        {
            var lo = Vector256.Create(-col0); var hi = Vector256.Create(width - col0);
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            for (int x = 0; x < count; x += 8)
            {
                var at = lanes + Vector256.Create(x);
                var inside = (Vector256.GreaterThanOrEqual(at, lo) & Vector256.LessThan(at, hi)).AsSingle();
                Avx.MaskLoad(row + col0 + x, inside).Store(dst + x);   // masked-off lanes read as 0 and never fault
            }
        }
    }

    /// <summary>The input transform of 16 tile lanes straight from their staged rows (<paramref name="e"/>: the group's
    /// first lane), in Vector512: element (i, j) of lane L is <c>e[j / m][i][m·L + j mod m]</c>, a stride-m read done with
    /// permutes; each patch row is transformed as soon as it is gathered, then the columns go to V's α² planes.
    /// <paramref name="work"/>: α² + α vectors of scratch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void TransformStaged16(float* e, float* work, float* dst, long xiStride)
    {
        int a = _a, m = _m, row = StagedRow;
        float* rows = work;                 // [i][j'] after the row transform
        float* patch = work + a * a * 16;   // one gathered patch row: [j]
        for (int i = 0; i < a; i++)
        {
            for (int h = 0; h < _chunks; h++)
            {
                float* q = e + (h * a + i) * row;
                if (m == 4)
                {
                    var by4 = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
                    var halves = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
                    var v0 = Vector512.Load(q); var v1 = Vector512.Load(q + 16);
                    var v2 = Vector512.Load(q + 32); var v3 = Vector512.Load(q + 48);
                    int columns = Math.Min(m, a - h * m);
                    for (int jj = 0; jj < columns; jj++)
                    {
                        var at = by4 + Vector512.Create(jj);
                        var lo = Avx512F.PermuteVar16x32x2(v0, at, v1);
                        var hi = Avx512F.PermuteVar16x32x2(v2, at, v3);
                        Avx512F.PermuteVar16x32x2(lo, halves, hi).Store(patch + (h * m + jj) * 16);
                    }
                }
                else
                {
                    var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                    var v0 = Vector512.Load(q); var v1 = Vector512.Load(q + 16);
                    for (int jj = 0; jj < 2; jj++)
                        Avx512F.PermuteVar16x32x2(v0, even + Vector512.Create(jj), v1).Store(patch + (h * m + jj) * 16);
                }
            }
            InputTransform512(patch, 16, rows + i * a * 16, 16);
        }
        for (int j = 0; j < a; j++) InputTransform512(rows + j * 16, a * 16, dst + j * xiStride, a * xiStride);
    }

    /// <summary><see cref="InputTransform1D"/> on 16 lanes: the same operations in the same order, so the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void InputTransform512(float* s, long ss, float* d, long ds)
    {
        if (_a == 6)
        {
            Vector512<float> d0 = Vector512.Load(s), d1 = Vector512.Load(s + ss), d2 = Vector512.Load(s + 2 * ss),
                d3 = Vector512.Load(s + 3 * ss), d4 = Vector512.Load(s + 4 * ss), d5 = Vector512.Load(s + 5 * ss);
            var f4 = Vector512.Create(4f); var f5 = Vector512.Create(5f); var f2 = Vector512.Create(2f);
            Vector512<float> t1 = d4 - f4 * d2, t2 = d3 - f4 * d1;
            Vector512<float> t3 = d4 - d2, t4 = f2 * (d3 - d1);
            (f4 * d0 - f5 * d2 + d4).Store(d);
            (t1 + t2).Store(d + ds);
            (t1 - t2).Store(d + 2 * ds);
            (t3 + t4).Store(d + 3 * ds);
            (t3 - t4).Store(d + 4 * ds);
            (f4 * d1 - f5 * d3 + d5).Store(d + 5 * ds);
        }
        else
        {
            Vector512<float> d0 = Vector512.Load(s), d1 = Vector512.Load(s + ss), d2 = Vector512.Load(s + 2 * ss), d3 = Vector512.Load(s + 3 * ss);
            (d0 - d2).Store(d);
            (d1 + d2).Store(d + ds);
            (d2 - d1).Store(d + 2 * ds);
            (d1 - d3).Store(d + 3 * ds);
        }
    }

    /// <summary><see cref="TransformStaged16"/> for 8 lanes with AVX2: the stride-m reads become 4×4 transposes within
    /// 128-bit lanes (m = 4) or even/odd shuffles (m = 2), the transforms run on Vector&lt;float&gt; (8 lanes here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void TransformStaged8(float* e, float* work, float* dst, long xiStride)
    {
        int a = _a, m = _m, row = StagedRow;
        float* rows = work;                // [i][j'] after the row transform
        float* patch = work + a * a * 8;   // one gathered patch row: [j]
        var tileOrder = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        for (int i = 0; i < a; i++)
        {
            for (int h = 0; h < _chunks; h++)
            {
                float* q = e + (h * a + i) * row;
                float* o = patch + h * m * 8;
                if (m == 4)
                {
                    // v_k holds tiles 2k and 2k+1 (4 columns each); a 4×4 transpose per 128-bit lane leaves column j of
                    // tiles 0,2,4,6,1,3,5,7, which one permute puts in tile order.
                    var v0 = Vector256.Load(q); var v1 = Vector256.Load(q + 8); var v2 = Vector256.Load(q + 16); var v3 = Vector256.Load(q + 24);
                    var t0 = Avx.UnpackLow(v0, v1); var t1 = Avx.UnpackHigh(v0, v1);
                    var t2 = Avx.UnpackLow(v2, v3); var t3 = Avx.UnpackHigh(v2, v3);
                    Avx2.PermuteVar8x32(Avx.Shuffle(t0, t2, 0x44), tileOrder).Store(o);
                    Avx2.PermuteVar8x32(Avx.Shuffle(t0, t2, 0xEE), tileOrder).Store(o + 8);
                    if (a - h * m >= 4)
                    {
                        Avx2.PermuteVar8x32(Avx.Shuffle(t1, t3, 0x44), tileOrder).Store(o + 16);
                        Avx2.PermuteVar8x32(Avx.Shuffle(t1, t3, 0xEE), tileOrder).Store(o + 24);
                    }
                }
                else
                {
                    // Even and odd columns of 8 two-column tiles; the shuffle interleaves 128-bit halves, Permute4x64 fixes it.
                    var v0 = Vector256.Load(q); var v1 = Vector256.Load(q + 8);
                    Avx2.Permute4x64(Avx.Shuffle(v0, v1, 0x88).AsDouble(), 0xD8).AsSingle().Store(o);
                    Avx2.Permute4x64(Avx.Shuffle(v0, v1, 0xDD).AsDouble(), 0xD8).AsSingle().Store(o + 8);
                }
            }
            InputTransform1D(patch, 8, rows + i * a * 8, 8);
        }
        for (int j = 0; j < a; j++) InputTransform1D(rows + j * 8, a * 8, dst + j * xiStride, a * xiStride);
    }

    /// <summary>
    /// Stores the m×m outputs of 8 tile lanes (<paramref name="y"/>: <c>y[(i·m + j)·8 + lane]</c>) for output channel
    /// <paramref name="k"/>: each output row of the 8 tiles is interleaved into tile order (position m·lane + j of
    /// <paramref name="row"/>) with permutes, then every run of consecutive tiles of one tile row is stored with masked
    /// vectors (bias, residual and clamp in the same order as the scalar scatter, so the bits are the same).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void ScatterRows(in Body job, float* y, float* row, int* tileIn, int* tileOut, int lanes, int k, float bias, bool clamp)
    {
        int m = _m, P = _outH, Q = _outW, K = Params.K;
        long pq = (long)P * Q;
        for (int i = 0; i < m; i++)
        {
            InterleaveRow(y + i * m * 8, row, bias);
            for (int s = 0; s < lanes;)
            {
                int n = tileIn[s], len = RunLength(tileIn + s, tileOut + s, lanes - s);
                int ty = tileOut[s] >> 16, tx = tileOut[s] & 0xFFFF;
                if (ty * m + i < P)
                {
                    // Position pos of the interleaved row goes to `at + pos`; this run owns positions [m·s, m·s + cols).
                    long at = n * job.OutStride + k * pq + (long)(ty * m + i) * Q + tx * m - m * s;
                    int from = m * s, to = from + Math.Min(m * len, Q - tx * m);
                    StoreRun(job, row, at, from, to, clamp);
                    // The next output channel writes the same rows one plane on (and reads its residual there): fetch
                    // those lines now, or every store waits for its line from L3.
                    if (k + 1 < K && PrefetchNextPlane && Sse.IsSupported)
                    {
                        Sse.Prefetch0(job.Y + at + pq + from); Sse.Prefetch0(job.Y + at + pq + to - 1);
                        if (job.Residual != null) { Sse.Prefetch0(job.Residual + at + pq + from); Sse.Prefetch0(job.Residual + at + pq + to - 1); }
                    }
                }
                s += len;
            }
        }
    }

    /// <summary><c>row[m·lane + j] = y[j·8 + lane] + bias</c> for the m vectors of one output row of 8 tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void InterleaveRow(float* y, float* row, float bias)
    {
        if (Avx512F.IsSupported)
        {
            var b = Vector512.Create(bias);
            var lo = Vector512.Load(y); var hi = Vector512.Load(y + 16);
            if (_m == 4)
            {
                (Avx512F.PermuteVar16x32x2(lo, Vector512.Create(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27), hi) + b).Store(row);
                (Avx512F.PermuteVar16x32x2(lo, Vector512.Create(4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31), hi) + b).Store(row + 16);
            }
            else
                (Avx512F.PermuteVar16x32(lo, Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15)) + b).Store(row);
            return;
        }
        var bb = Vector256.Create(bias);
        if (_m == 4)
        {
            // The transpose of a 4×8 block: [tile 0 | tile 4], [1 | 5], [2 | 6], [3 | 7], then 128-bit halves regrouped.
            var q0 = Vector256.Load(y); var q1 = Vector256.Load(y + 8); var q2 = Vector256.Load(y + 16); var q3 = Vector256.Load(y + 24);
            var a = Avx.UnpackLow(q0, q1); var b = Avx.UnpackHigh(q0, q1);
            var c = Avx.UnpackLow(q2, q3); var d = Avx.UnpackHigh(q2, q3);
            var e0 = Avx.Shuffle(a, c, 0x44); var e1 = Avx.Shuffle(a, c, 0xEE);
            var e2 = Avx.Shuffle(b, d, 0x44); var e3 = Avx.Shuffle(b, d, 0xEE);
            (Avx.Permute2x128(e0, e1, 0x20) + bb).Store(row);
            (Avx.Permute2x128(e2, e3, 0x20) + bb).Store(row + 8);
            (Avx.Permute2x128(e0, e1, 0x31) + bb).Store(row + 16);
            (Avx.Permute2x128(e2, e3, 0x31) + bb).Store(row + 24);
        }
        else
        {
            var q0 = Vector256.Load(y); var q1 = Vector256.Load(y + 8);
            var lo = Avx.UnpackLow(q0, q1); var hi = Avx.UnpackHigh(q0, q1);
            (Avx.Permute2x128(lo, hi, 0x20) + bb).Store(row);
            (Avx.Permute2x128(lo, hi, 0x31) + bb).Store(row + 8);
        }
    }

    /// <summary>Stores positions [<paramref name="from"/>, <paramref name="to"/>) of an interleaved row to
    /// <c>Y[at + position]</c>, adding the residual and clamping, with masked vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void StoreRun(in Body job, float* row, long at, int from, int to, bool clamp)
    {
        if (Avx512F.IsSupported)
        {
            var min = Vector512.Create(Activation.Min); var max = Vector512.Create(Activation.Max);
            var positions = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            for (int first = from & ~15; first < to; first += 16)
            {
                var pos = positions + Vector512.Create(first);
                var mask = (Vector512.GreaterThanOrEqual(pos, Vector512.Create(from)) & Vector512.LessThan(pos, Vector512.Create(to))).AsSingle();
                var v = Vector512.Load(row + first);
                if (job.Residual != null) v += Avx512F.MaskLoad(job.Residual + at + first, mask, Vector512<float>.Zero);
                if (clamp) v = Activation.Clamp(v, min, max);
                Avx512F.MaskStore(job.Y + at + first, mask, v);
            }
            return;
        }
        var min8 = Vector256.Create(Activation.Min); var max8 = Vector256.Create(Activation.Max);
        var positions8 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (int first = from & ~7; first < to; first += 8)
        {
            var v = Vector256.Load(row + first);
            float* dst = job.Y + at + first;
            if (first >= from && first + 8 <= to && WholeVectorStores)
            {
                // A whole vector of the run: plain loads and stores. AVX2's masked store is microcoded on Zen 1 (tens
                // of micro-ops), and storing every vector under a mask was a large part of the output transform.
                if (job.Residual != null) v += Vector256.Load(job.Residual + at + first);
                if (clamp) v = Activation.Clamp(v, min8, max8);
                v.Store(dst);
                continue;
            }
            var pos = positions8 + Vector256.Create(first);
            var mask = (Vector256.GreaterThanOrEqual(pos, Vector256.Create(from)) & Vector256.LessThan(pos, Vector256.Create(to))).AsSingle();
            if (job.Residual != null) v += Avx.MaskLoad(job.Residual + at + first, mask);
            if (clamp) v = Activation.Clamp(v, min8, max8);
            Avx.MaskStore(dst, mask, v);
        }
    }

    /// <summary>Off: every vector of an AVX2 output run is stored under a mask, not just the partial ones at its ends
    /// (a measurement knob; the values are the same).</summary>
    internal static bool WholeVectorStores = true;

    /// <summary>α inputs at <paramref name="s"/> (stride <paramref name="ss"/>) → α outputs of Bᵀ·d, each a vector of tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void InputTransform1D(float* s, long ss, float* d, long ds)
    {
        if (_a == 6)
        {
            Vector<float> d0 = Vector.Load(s), d1 = Vector.Load(s + ss), d2 = Vector.Load(s + 2 * ss),
                d3 = Vector.Load(s + 3 * ss), d4 = Vector.Load(s + 4 * ss), d5 = Vector.Load(s + 5 * ss);
            var f4 = new Vector<float>(4f); var f5 = new Vector<float>(5f); var f2 = new Vector<float>(2f);
            Vector<float> t1 = d4 - f4 * d2, t2 = d3 - f4 * d1;      // shared sub-expressions (as in ncnn / Lavin)
            Vector<float> t3 = d4 - d2, t4 = f2 * (d3 - d1);
            Vector.Store(f4 * d0 - f5 * d2 + d4, d);
            Vector.Store(t1 + t2, d + ds);
            Vector.Store(t1 - t2, d + 2 * ds);
            Vector.Store(t3 + t4, d + 3 * ds);
            Vector.Store(t3 - t4, d + 4 * ds);
            Vector.Store(f4 * d1 - f5 * d3 + d5, d + 5 * ds);
        }
        else
        {
            Vector<float> d0 = Vector.Load(s), d1 = Vector.Load(s + ss), d2 = Vector.Load(s + 2 * ss), d3 = Vector.Load(s + 3 * ss);
            Vector.Store(d0 - d2, d);
            Vector.Store(d1 + d2, d + ds);
            Vector.Store(d2 - d1, d + 2 * ds);
            Vector.Store(d1 - d3, d + 3 * ds);
        }
    }

    /// <summary>α inputs → m outputs of Aᵀ·M.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private void OutputTransform1D(float* s, long ss, float* d, long ds)
    {
        if (_m == 4)
        {
            Vector<float> m0 = Vector.Load(s), m1 = Vector.Load(s + ss), m2 = Vector.Load(s + 2 * ss),
                m3 = Vector.Load(s + 3 * ss), m4 = Vector.Load(s + 4 * ss), m5 = Vector.Load(s + 5 * ss);
            Vector<float> a12 = m1 + m2, s12 = m1 - m2, a34 = m3 + m4, s34 = m3 - m4;
            Vector.Store(m0 + a12 + a34, d);
            Vector.Store(s12 + new Vector<float>(2f) * s34, d + ds);
            Vector.Store(a12 + new Vector<float>(4f) * a34, d + 2 * ds);
            Vector.Store(s12 + new Vector<float>(8f) * s34 + m5, d + 3 * ds);
        }
        else if (_a == 6)
        {
            // F(2,5): the first two rows of F(4,3)'s Aᵀ, with the ∞ point moved to the last output.
            Vector<float> m0 = Vector.Load(s), m1 = Vector.Load(s + ss), m2 = Vector.Load(s + 2 * ss),
                m3 = Vector.Load(s + 3 * ss), m4 = Vector.Load(s + 4 * ss), m5 = Vector.Load(s + 5 * ss);
            Vector<float> a12 = m1 + m2, s12 = m1 - m2, a34 = m3 + m4, s34 = m3 - m4;
            Vector.Store(m0 + a12 + a34, d);
            Vector.Store(s12 + new Vector<float>(2f) * s34 + m5, d + ds);
        }
        else
        {
            Vector<float> m0 = Vector.Load(s), m1 = Vector.Load(s + ss), m2 = Vector.Load(s + 2 * ss), m3 = Vector.Load(s + 3 * ss);
            Vector.Store(m0 + m1 + m2, d);
            Vector.Store(m1 - m2 - m3, d + ds);
        }
    }

    // G for F(4,3) and F(2,3) (Lavin & Gray 2015): the kernel-transform matrices, α × 3.
    private static readonly double[,] G43 =
    {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };

    private static readonly double[,] G23 =
    {
        { 1, 0, 0 },
        { 0.5, 0.5, 0.5 },
        { 0.5, -0.5, 0.5 },
        { 0, 0, 1 },
    };

    // G for F(2,5), 6 × 5: row ξ is F(4,3)'s scale for point p_ξ (which Bᵀ fixes) times (1, p, p², p³, p⁴); the ∞ point
    // picks the last tap. Checked in exact arithmetic against the direct 1-D correlation (the tests check the 2-D one).
    private static readonly double[,] G25 =
    {
        { 1.0 / 4, 0, 0, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 2.0 / 24, 4.0 / 24, 8.0 / 24, 16.0 / 24 },
        { 1.0 / 24, -2.0 / 24, 4.0 / 24, -8.0 / 24, 16.0 / 24 },
        { 0, 0, 0, 0, 1 },
    };
}
