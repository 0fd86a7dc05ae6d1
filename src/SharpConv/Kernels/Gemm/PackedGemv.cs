// Dimension legend: Out rows of W (output features) · In columns of W (input features, the reduction) ·
//                   N batch columns (few) · RB rows per panel (4 vectors: 64 with Vector512, 32 with Vector256) ·
//                   NB batch columns per pass (4 with Vector512, 2 with Vector256) · KC depth of one K block.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Gemm;

/// <summary>
/// A fully connected layer at small batch, <c>Y[N × Out] = act(X[N × In] · Wᵀ + bias)</c>: matrix–vector products
/// that are bound by memory bandwidth, not FMAs. The weights are packed once into panels of four vectors of rows
/// (64 with Vector512, 32 with Vector256), k-major (RB consecutive values per input feature), so each panel streams
/// contiguously and every loaded weight is used by each of up to NB batch columns at once (4 with Vector512's 32
/// registers, 2 with Vector256's 16: 8 sums + 4 weights + 1 broadcast). X and Y stay row-major (no transposes).
/// A larger batch takes the column groups inside each K block, so a block's weights come from memory once for up to
/// 16 columns: VGG's 25088→4096 at batch 8 on the AVX2-only Zen 1 read its 411 MB four times before, in 76–81 ms on
/// one thread and 48–56 on two; now 68–71 and 36–38.
/// <para>
/// Panels are the parallel items (<see cref="Scheduler"/>). Each output element is summed exactly like
/// <see cref="PackedGemm"/> sums it — a sequential FMA chain over each <see cref="GemmKernel.KC"/> block from zero,
/// blocks added in order, then bias, then the clamp — so results are bit-identical to the GEMM path, for every
/// thread count and every batch size.
/// </para>
/// Used where Vector512 or Vector256 is accelerated (<see cref="IsSupported"/>); elsewhere callers use
/// <see cref="PackedGemm"/>. Without it, AlexNet's 9216→4096 at batch 1 on an AVX2-only Zen 1 ran as a GEMM whose one valid column
/// filled a 16-column tile: 16.8 ms (9 GB/s of weights) against ONNX Runtime's 8.1.
/// </summary>
public sealed unsafe class PackedGemv
{
    /// <summary>Rows per panel: 4 vectors of the width.</summary>
    internal readonly int RB;
    /// <summary>Batch columns handled per pass over a panel's weights.</summary>
    internal readonly int NB;
    /// <summary>Batch columns that share one pass over a panel's weights: each K block of the panel (KC × RB floats,
    /// 32 KiB with Vector256) is loaded from memory once and then serves every column of the chunk from the cache.</summary>
    private const int ColumnsPerChunk = 16;
    /// <summary>Floats of a partial panel's scratch: the widest panel (64 rows) × a chunk's columns.</summary>
    private const int PartialPanelFloats = 64 * ColumnsPerChunk;
    /// <summary>The vector width the kernel runs (and the panels are packed for).</summary>
    public SimdWidth Width { get; }

    private readonly float[] _data;   // pinned
    private readonly float* _base;    // 64-byte aligned

    /// <summary>Output features.</summary>
    public int Rows { get; }
    /// <summary>Input features.</summary>
    public int Cols { get; }
    internal int Panels { get; }

    /// <summary>True where this kernel runs fast (Vector512 or Vector256 accelerated).</summary>
    public static bool IsSupported => SimdSupport.Best != SimdWidth.Vector128;

    /// <summary>Packs row-major <paramref name="w"/> [rows × cols] for the best accelerated width.</summary>
    public PackedGemv(ReadOnlySpan<float> w, int rows, int cols) : this(w, rows, cols, SimdSupport.Best) { }

    /// <summary>Packs row-major <paramref name="w"/> [rows × cols] for <paramref name="width"/> (Vector512 or
    /// Vector256; tests force each, an unaccelerated one runs in software with the same bits).</summary>
    public PackedGemv(ReadOnlySpan<float> w, int rows, int cols, SimdWidth width)
    {
        if (width == SimdWidth.Vector128) throw new ArgumentException("PackedGemv: runs Vector512 or Vector256 only; use PackedGemm.");
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"PackedGemv: sizes must be positive (rows {rows}, cols {cols}).");
        if (w.Length < (long)rows * cols) throw new ArgumentException($"PackedGemv: need {(long)rows * cols} values, got {w.Length}.");
        Width = width;
        RB = width == SimdWidth.Vector512 ? 64 : 32;
        NB = width == SimdWidth.Vector512 ? 4 : 2;
        Rows = rows; Cols = cols;
        Panels = (rows + RB - 1) / RB;
        long total = (long)Panels * RB * cols;
        _data = GC.AllocateArray<float>(checked((int)(total + 16)), pinned: true);
        fixed (float* p = _data) _base = (float*)(((nint)p + 63) & ~(nint)63);
        for (int row = 0; row < rows; row++)
        {
            float* dst = _base + (long)(row / RB) * RB * cols + row % RB;
            var src = w.Slice(row * cols, cols);
            for (int k = 0; k < cols; k++) dst[(long)k * RB] = src[k];
        }
    }

    /// <summary>Bytes held by the packed weights.</summary>
    public long Bytes => (long)_data.Length * sizeof(float);

    /// <summary><c>y[b, o] = act(Σ_i x[b, i]·W[o, i] + bias[o])</c> for b in [0, n).</summary>
    /// <param name="x">n rows of <see cref="Cols"/> values.</param>
    /// <param name="n">Batch.</param>
    /// <param name="y">n rows of <see cref="Rows"/> values.</param>
    /// <param name="bias">Empty or <see cref="Rows"/> values.</param>
    /// <param name="activation">Clamp applied last.</param>
    /// <param name="scheduler">Threads; null runs inline.</param>
    public void Multiply(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, Activation activation, Scheduler? scheduler)
    {
        if (n <= 0) throw new ArgumentException($"PackedGemv: N must be positive, got {n}.");
        if (x.Length < (long)n * Cols) throw new ArgumentException($"PackedGemv: X needs {(long)n * Cols} values, got {x.Length}.");
        if (y.Length < (long)n * Rows) throw new ArgumentException($"PackedGemv: Y needs {(long)n * Rows} values, got {y.Length}.");
        if (!bias.IsEmpty && bias.Length < Rows) throw new ArgumentException($"PackedGemv: bias needs {Rows} values, got {bias.Length}.");
        fixed (float* px = x) fixed (float* py = y) fixed (float* pb = bias)
        {
            var body = new GemvBody
            {
                W = _base, X = px, Y = py, Bias = bias.IsEmpty ? null : pb, In = Cols, Out = Rows, N = n,
                Clamp = !activation.IsIdentity, Min = activation.Min, Max = activation.Max, RB = RB, NB = NB,
                Wide = Width == SimdWidth.Vector512,
            };
            if (scheduler is null || scheduler.ThreadCount == 1 || Panels == 1) body.Run(0, Panels, 0);
            else scheduler.For(Panels, body);
        }
    }

    private struct GemvBody : IParallelBody
    {
        public float* W, X, Y, Bias;
        public int In, Out, N, RB, NB;
        public bool Clamp, Wide;
        public float Min, Max;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int begin, int end, int thread)
        {
            float* tmpRaw = stackalloc float[PartialPanelFloats + 16];
            float* tmp = (float*)(((nint)tmpRaw + 63) & ~(nint)63);   // whole cache lines for the vector stores
            for (int p = begin; p < end; p++)
            {
                float* w = W + (long)p * RB * In;
                int row0 = p * RB;
                int rows = Math.Min(RB, Out - row0);
                for (int c0 = 0; c0 < N; c0 += ColumnsPerChunk)
                {
                    int columns = Math.Min(ColumnsPerChunk, N - c0);
                    // K blocks outside, column groups inside: a block's weights come from memory once for the chunk,
                    // not once per NB columns (4 times at batch 8 with Vector256). Each output still sums its blocks
                    // in order, so the bits are the same.
                    for (int k0 = 0; k0 < In; k0 += GemmKernel.KC)
                        ColumnsOfBlock(w, row0, rows == RB, tmp, c0, columns, k0, Math.Min(In, k0 + GemmKernel.KC));
                    float* bias = Bias == null ? null : Bias + row0;
                    for (int j = 0; j < columns; j++)
                    {
                        float* yr = Y + (long)(c0 + j) * Out + row0;
                        if (rows == RB) Finish(yr, yr, bias, RB);
                        else Finish(tmp + j * RB, yr, bias, rows);
                    }
                }
            }
        }

        /// <summary>Raw sums of the K block [k0, kEnd) of panel <paramref name="w"/> (rows from <paramref name="row0"/>)
        /// for columns [c0, c0 + columns), NB at a time. A full panel stores straight into Y (row-contiguous per
        /// column); a partial one into <paramref name="tmp"/>, column c0 + j at j·RB.</summary>
        private readonly void ColumnsOfBlock(float* w, int row0, bool fullPanel, float* tmp, int c0, int columns, int k0, int kEnd)
        {
            for (int j0 = c0; j0 < c0 + columns; j0 += NB)
            {
                int nb = Math.Min(NB, c0 + columns - j0);
                float* x = X + (long)j0 * In;
                float* yb = fullPanel ? Y + (long)j0 * Out + row0 : tmp + (j0 - c0) * RB;
                int ldy = fullPanel ? Out : RB;
                if (Wide)
                    switch (nb)
                    {
                        case 1: Panel<C1>(w, x, yb, ldy, k0, kEnd); break;
                        case 2: Panel<C2>(w, x, yb, ldy, k0, kEnd); break;
                        case 3: Panel<C3>(w, x, yb, ldy, k0, kEnd); break;
                        default: Panel<C4>(w, x, yb, ldy, k0, kEnd); break;
                    }
                else if (nb == 1) Panel256<C1>(w, x, yb, ldy, k0, kEnd);
                else Panel256<C2>(w, x, yb, ldy, k0, kEnd);
            }
        }

        /// <summary>Bias then clamp, in the order of <see cref="TileStore"/> (scalar ops give the same bits).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private readonly void Finish(float* src, float* dst, float* bias, int rows)
        {
            int i = 0;
            if (rows == RB)
            {
                // Vector256 on either width: the same per-element ops as the scalar tail below, so the same bits.
                for (; i < RB; i += 8)
                {
                    var v = Vector256.Load(src + i);
                    if (bias != null) v += Vector256.Load(bias + i);
                    if (Clamp) v = Activation.Clamp(v, Vector256.Create(Min), Vector256.Create(Max));
                    v.Store(dst + i);
                }
                return;
            }
            for (; i < rows; i++)
            {
                float v = src[i];
                if (bias != null) v += bias[i];
                if (Clamp) v = Activation.Clamp(v, Min, Max);
                dst[i] = v;
            }
        }

        /// <summary>Raw sums of one 64-row Vector512 panel over the K block [k0, kEnd) for TC::Count columns into y
        /// (column j at y + j·ldy): summed from zero, then stored (the first block) or added to y (the later ones), as
        /// <see cref="PackedGemm"/> does.</summary>
        [SkipLocalsInit, MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Panel<TC>(float* w, float* x, float* y, int ldy, int k0, int kEnd) where TC : struct, ICount
        {
            int nc = TC.Count;
            float* x0 = x, x1 = x + In, x2 = x + 2 * In, x3 = x + 3 * In;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
            float* wk = w + (long)k0 * RB;
            for (int k = k0; k < kEnd; k++, wk += RB)
            {
                var w0 = Vector512.Load(wk); var w1 = Vector512.Load(wk + 16);
                var w2 = Vector512.Load(wk + 32); var w3 = Vector512.Load(wk + 48);
                var s = Vector512.Create(x0[k]);
                a0 = Vector512.FusedMultiplyAdd(w0, s, a0); a1 = Vector512.FusedMultiplyAdd(w1, s, a1);
                a2 = Vector512.FusedMultiplyAdd(w2, s, a2); a3 = Vector512.FusedMultiplyAdd(w3, s, a3);
                if (nc > 1)
                {
                    s = Vector512.Create(x1[k]);
                    b0 = Vector512.FusedMultiplyAdd(w0, s, b0); b1 = Vector512.FusedMultiplyAdd(w1, s, b1);
                    b2 = Vector512.FusedMultiplyAdd(w2, s, b2); b3 = Vector512.FusedMultiplyAdd(w3, s, b3);
                }
                if (nc > 2)
                {
                    s = Vector512.Create(x2[k]);
                    c0 = Vector512.FusedMultiplyAdd(w0, s, c0); c1 = Vector512.FusedMultiplyAdd(w1, s, c1);
                    c2 = Vector512.FusedMultiplyAdd(w2, s, c2); c3 = Vector512.FusedMultiplyAdd(w3, s, c3);
                }
                if (nc > 3)
                {
                    s = Vector512.Create(x3[k]);
                    d0 = Vector512.FusedMultiplyAdd(w0, s, d0); d1 = Vector512.FusedMultiplyAdd(w1, s, d1);
                    d2 = Vector512.FusedMultiplyAdd(w2, s, d2); d3 = Vector512.FusedMultiplyAdd(w3, s, d3);
                }
            }
            bool acc = k0 > 0;
            Store(y, acc, a0, a1, a2, a3);
            if (nc > 1) Store(y + ldy, acc, b0, b1, b2, b3);
            if (nc > 2) Store(y + 2 * ldy, acc, c0, c1, c2, c3);
            if (nc > 3) Store(y + 3 * ldy, acc, d0, d1, d2, d3);
        }

        /// <summary><see cref="Panel{TC}"/> for a 32-row Vector256 panel and up to 2 columns (16 registers).</summary>
        [SkipLocalsInit, MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Panel256<TC>(float* w, float* x, float* y, int ldy, int k0, int kEnd) where TC : struct, ICount
        {
            int nc = TC.Count;
            float* x0 = x, x1 = x + In;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
            float* wk = w + (long)k0 * 32;
            for (int k = k0; k < kEnd; k++, wk += 32)
            {
                var w0 = Vector256.Load(wk); var w1 = Vector256.Load(wk + 8);
                var w2 = Vector256.Load(wk + 16); var w3 = Vector256.Load(wk + 24);
                var s = Vector256.Create(x0[k]);
                a0 = Vector256.FusedMultiplyAdd(w0, s, a0); a1 = Vector256.FusedMultiplyAdd(w1, s, a1);
                a2 = Vector256.FusedMultiplyAdd(w2, s, a2); a3 = Vector256.FusedMultiplyAdd(w3, s, a3);
                if (nc > 1)
                {
                    s = Vector256.Create(x1[k]);
                    b0 = Vector256.FusedMultiplyAdd(w0, s, b0); b1 = Vector256.FusedMultiplyAdd(w1, s, b1);
                    b2 = Vector256.FusedMultiplyAdd(w2, s, b2); b3 = Vector256.FusedMultiplyAdd(w3, s, b3);
                }
            }
            bool acc = k0 > 0;
            Store256(y, acc, a0, a1, a2, a3);
            if (nc > 1) Store256(y + ldy, acc, b0, b1, b2, b3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Store256(float* y, bool accumulate, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
        {
            if (accumulate)
            {
                v0 += Vector256.Load(y); v1 += Vector256.Load(y + 8); v2 += Vector256.Load(y + 16); v3 += Vector256.Load(y + 24);
            }
            v0.Store(y); v1.Store(y + 8); v2.Store(y + 16); v3.Store(y + 24);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Store(float* y, bool accumulate, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
        {
            if (accumulate)
            {
                v0 += Vector512.Load(y); v1 += Vector512.Load(y + 16); v2 += Vector512.Load(y + 32); v3 += Vector512.Load(y + 48);
            }
            v0.Store(y); v1.Store(y + 16); v2.Store(y + 32); v3.Store(y + 48);
        }
    }

    private interface ICount { static abstract int Count { get; } }
    private struct C1 : ICount { public static int Count => 1; }
    private struct C2 : ICount { public static int Count => 2; }
    private struct C3 : ICount { public static int Count => 3; }
    private struct C4 : ICount { public static int Count => 4; }
}
