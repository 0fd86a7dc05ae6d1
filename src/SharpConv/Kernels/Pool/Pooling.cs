// Dimension legend: N batch · C channels · H×W input · P×Q output · R×S window.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;
using System.Numerics;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Pool;

/// <summary>
/// A 2-D pooling window over NCHW (PyTorch/ONNX semantics): padding, ceil mode (the last window may overhang the
/// bottom/right padding but must start inside the input or the top/left padding) and, for average pooling,
/// <see cref="CountIncludePad"/>.
/// </summary>
public readonly record struct PoolParams
{
    /// <summary>Symmetric window, stride and padding.</summary>
    public PoolParams(int c, int h, int w, int r, int s, int stride, int pad = 0, bool ceilMode = false, bool countIncludePad = false)
    {
        C = c; H = h; W = w; R = r; S = s; StrideH = StrideW = stride;
        PadTop = PadLeft = PadBottom = PadRight = pad; CeilMode = ceilMode; CountIncludePad = countIncludePad;
    }
    /// <summary>Channels.</summary>
    public int C { get; init; }
    /// <summary>Input height.</summary>
    public int H { get; init; }
    /// <summary>Input width.</summary>
    public int W { get; init; }
    /// <summary>Window height.</summary>
    public int R { get; init; }
    /// <summary>Window width.</summary>
    public int S { get; init; }
    /// <summary>Vertical stride.</summary>
    public int StrideH { get; init; }
    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; init; }
    /// <summary>Padding above.</summary>
    public int PadTop { get; init; }
    /// <summary>Padding left.</summary>
    public int PadLeft { get; init; }
    /// <summary>Padding below.</summary>
    public int PadBottom { get; init; }
    /// <summary>Padding right.</summary>
    public int PadRight { get; init; }
    /// <summary>Round the output size up instead of down.</summary>
    public bool CeilMode { get; init; }
    /// <summary>Average pooling divides by the whole window including padding (not the part beyond it).</summary>
    public bool CountIncludePad { get; init; }

    /// <summary>Output height.</summary>
    public int P => OutSize(H, R, StrideH, PadTop, PadBottom);
    /// <summary>Output width.</summary>
    public int Q => OutSize(W, S, StrideW, PadLeft, PadRight);

    private int OutSize(int n, int k, int stride, int padA, int padB)
    {
        int span = n + padA + padB - k;
        int o = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (CeilMode && (o - 1) * stride >= n + padA) o--;   // the last window must start inside input or leading pad
        return o;
    }

    /// <summary>Checks the sizes.</summary>
    /// <exception cref="InvalidLayerException">A size is not positive or the window does not fit.</exception>
    public void Validate(string layer = "pool")
    {
        if (C <= 0 || H <= 0 || W <= 0 || R <= 0 || S <= 0 || StrideH <= 0 || StrideW <= 0)
            throw new InvalidLayerException(layer, $"sizes must be positive (C {C}, H {H}, W {W}, window {R}×{S}, stride {StrideH}×{StrideW}).");
        if (PadTop < 0 || PadLeft < 0 || PadBottom < 0 || PadRight < 0 || PadTop >= R || PadLeft >= S || PadBottom >= R || PadRight >= S)
            throw new InvalidLayerException(layer, $"padding must be in [0, window) (window {R}×{S}).");
        if (H + PadTop + PadBottom < R || W + PadLeft + PadRight < S)
            throw new InvalidLayerException(layer, $"the {R}×{S} window is larger than the padded {H}×{W} input.");
    }
}

/// <summary>
/// Max and average pooling. Separable: for each output row, a vectorised vertical pass reduces the R input rows of
/// the window into one row (contiguous loads, any stride), then a short horizontal pass reduces S neighbours per
/// output. Work items are (image, channel) planes.
/// </summary>
public static unsafe class Pooling
{
    /// <summary>Scratch floats for <paramref name="threads"/> threads: one reduced row, or for max pooling of planes
    /// up to <see cref="MaxFlatPlane"/> values the padded plane and its row maxima.</summary>
    public static int ScratchElements(in PoolParams p, int threads) => threads * PerThread(p);

    /// <summary>Largest padded plane (floats) stride-1 max pooling handles whole: two copies stay in L2.</summary>
    internal const int MaxFlatPlane = 64 * 1024;

    private static int PaddedW(in PoolParams p) => p.PadLeft + Math.Max(p.W, (p.Q - 1) * p.StrideW + p.S - p.PadLeft);
    private static int PaddedH(in PoolParams p) => p.PadTop + Math.Max(p.H, (p.P - 1) * p.StrideH + p.R - p.PadTop);
    // Stride 1 only: with stride 2 the flat passes compute 4× the outputs needed and lose to the row path (measured:
    // GoogLeNet's 3×3/1 pools on 7–28 maps 1.4–2× faster flat, the 3×3/2 stems 2.5× slower).
    // Below 14 columns the vectorised row path is faster (GoogLeNet's 7×7 pools: 0.80 vs 1.02 ms at batch 8).
    // With AVX2 (8-lane rows) the row path wins at stride 1 too (`KernelProbe pools`, batch 8, one thread, AVX2-only Zen 1:
    // 480@14 2.86 vs 3.19 ms, 192@28 2.99 vs 3.20, 832@7 2.26 vs 2.27), so there the flat path is AVX-512's only.
    private static bool Flat(in PoolParams p) => FlatMax && (Avx512F.IsSupported || !Avx2.IsSupported) && p.StrideH == 1 && p.StrideW == 1 && p.W >= 14 && (long)PaddedW(p) * PaddedH(p) <= MaxFlatPlane;

    /// <summary>The whole-plane max path on or off (a measurement knob; results are the same).</summary>
    internal static bool FlatMax = true;

    /// <summary>Ragged row ends of the AVX2 max pool are an overlapping whole vector instead of a masked load or
    /// store (a measurement knob; the values are the same). On the AVX2-only Zen 1 a masked store is microcoded:
    /// the masked tails were a fifth of SqueezeNet's 3×3/2 pools.</summary>
    internal static bool OverlappedTails = true;

    /// <summary>Widest row, in 16-lane chunks, of the register path for small planes.</summary>
    private const int SmallChunks = 6;

    // Max pooling of small planes kept in registers (see Body.SmallMax). The S horizontal taps must reach at most one
    // chunk to either side, and the stride-1 positions an output row needs must fit SmallChunks chunks. Stride 2
    // computes every stride-1 position and keeps half, which pays up to 32 columns (`KernelProbe pools`, batch 8, one
    // thread: 256@27 0.55 vs 0.79 ms on the row path) but not at 55–56 (1.38 vs 0.94 ms); stride 1 pays up to 64
    // (480@14 0.73 vs 1.42 ms, 192@28 1.14 vs 1.21 ms, 832@7 0.59 vs 0.82 ms).
    private static bool SmallPlanes(in PoolParams p) => SmallMax && Avx512F.IsSupported && p.StrideW is 1 or 2 && p.W <= 64 / p.StrideW
        && p.PadLeft <= 16 && p.S - 1 - p.PadLeft <= 16 && p.StrideW * ((p.Q + 15) / 16) <= SmallChunks;

    /// <summary>The register path for small planes on or off (a measurement knob; results are the same).</summary>
    internal static bool SmallMax = true;
    private static int PerThread(in PoolParams p) => Math.Max(RowFloats(p), Flat(p) ? 2 * (PaddedW(p) * PaddedH(p) + 32) + PaddedW(p) + 32 : 0);

    /// <summary>The vector row path's buffer: −∞ for the left padding, the row, and −∞ after it as far as the last
    /// output vector's windows reach; the scalar row path needs the row alone.</summary>
    private static int RowFloats(in PoolParams p) => VectorRows(p)
        ? p.PadLeft + Math.Max(p.W, (p.Q + 16) * p.StrideW + p.S) + 32   // stride ≤ 2 here: no overflow
        : p.W + 16;

    // Max pooling of rows with every output vectorised (16 at a time with AVX-512, 8 with AVX2; masked tail):
    // horizontal stride 1 or 2. Without the AVX2 path SqueezeNet 1.1's 128@55 3×3/2 pool on an AVX2-only Zen 1 ran its
    // horizontal windows one scalar output at a time: 0.36 ms at batch 1 on 2 threads against ONNX Runtime's 0.06.
    private static bool VectorRows(in PoolParams p) => (Avx512F.IsSupported || Avx2.IsSupported) && p.StrideW is 1 or 2;

    /// <summary>Max pooling of <paramref name="batch"/> NCHW images into batch × C × P × Q.</summary>
    public static void Max(ReadOnlySpan<float> input, int batch, in PoolParams p, Span<float> output, Scheduler? scheduler, Span<float> scratch)
        => Run(input, batch, p, output, (long)p.C * p.P * p.Q, scheduler, scratch, isMax: true);

    /// <summary>Max pooling with output image n at <c>output[n · outputImageStride …]</c> (a slice of a wider
    /// concatenation written in place).</summary>
    public static void Max(ReadOnlySpan<float> input, int batch, in PoolParams p, Span<float> output, long outputImageStride, Scheduler? scheduler, Span<float> scratch)
        => Run(input, batch, p, output, outputImageStride, scheduler, scratch, isMax: true);

    /// <summary>Average pooling of <paramref name="batch"/> NCHW images into batch × C × P × Q.</summary>
    public static void Average(ReadOnlySpan<float> input, int batch, in PoolParams p, Span<float> output, Scheduler? scheduler, Span<float> scratch)
        => Run(input, batch, p, output, (long)p.C * p.P * p.Q, scheduler, scratch, isMax: false);

    /// <summary>Average pooling with output image n at <c>output[n · outputImageStride …]</c>.</summary>
    public static void Average(ReadOnlySpan<float> input, int batch, in PoolParams p, Span<float> output, long outputImageStride, Scheduler? scheduler, Span<float> scratch)
        => Run(input, batch, p, output, outputImageStride, scheduler, scratch, isMax: false);

    private static void Run(ReadOnlySpan<float> input, int batch, in PoolParams p, Span<float> output, long outStride, Scheduler? scheduler, Span<float> scratch, bool isMax)
    {
        p.Validate();
        scheduler ??= Scheduler.Inline;
        long image = (long)p.C * p.P * p.Q;
        if (outStride < image) throw new ArgumentException($"pool: the output image stride {outStride} is smaller than an image ({image}).");
        if (input.Length < (long)batch * p.C * p.H * p.W) throw new ArgumentException($"pool: input needs {(long)batch * p.C * p.H * p.W} values, got {input.Length}.");
        if (output.Length < (batch - 1) * outStride + image) throw new ArgumentException($"pool: output needs {(batch - 1) * outStride + image} values, got {output.Length}.");
        if (scratch.Length < ScratchElements(p, scheduler.ThreadCount)) throw new ArgumentException($"pool: scratch needs {ScratchElements(p, scheduler.ThreadCount)} floats, got {scratch.Length}.");
        bool small = isMax && SmallPlanes(p), flat = isMax && Flat(p), vectorRows = isMax && VectorRows(p);
        fixed (float* x = input) fixed (float* y = output) fixed (float* s = scratch)
            scheduler.For(batch * p.C, new Body
            {
                X = x, Y = y, OutStride = outStride, Scratch = s, P = p, OutH = p.P, OutW = p.Q, IsMax = isMax,
                Small = small, Flat = flat, VectorRows = vectorRows, PerThread = PerThread(p),
            });
    }

    /// <summary>
    /// Max pooling of one image's <c>p.C</c> planes on the calling thread, plane c written at
    /// <c>output + c · <paramref name="planeStride"/></c> (the pooled rows of a band of a larger output, as
    /// <see cref="Conv.PooledConv"/> produces them). <paramref name="rowScratch"/> needs <see cref="ScratchElements"/>(p, 1)
    /// floats.
    /// </summary>
    internal static void MaxPlanes(float* input, in PoolParams p, float* output, long planeStride, float* rowScratch)
    {
        var body = new Body
        {
            X = input, Y = output, OutStride = 0, PlaneStride = planeStride, Scratch = rowScratch, P = p, OutH = p.P, OutW = p.Q,
            IsMax = true, Small = SmallPlanes(p), Flat = Flat(p), VectorRows = VectorRows(p), PerThread = PerThread(p),
        };
        body.Run(0, p.C, 0);
    }

    private struct Body : IParallelBody
    {
        public float* X, Y, Scratch;
        public long OutStride;
        public long PlaneStride;   // 0: P·Q (planes packed); else the distance between output planes
        public PoolParams P;
        public int OutH, OutW;     // P.P and P.Q, which PoolParams computes with divisions on each read
        public bool IsMax, Small, Flat, VectorRows;
        public int PerThread;

        /// <summary>Plane <paramref name="plane"/> (image · C + channel) of the input.</summary>
        private readonly float* InputPlane(int plane) => X + (long)plane * P.H * P.W;

        /// <summary>Where plane <paramref name="plane"/>'s result goes: output images lie <see cref="OutStride"/> apart
        /// (wider than an image when the output is a slice of a concatenation).</summary>
        private readonly float* OutputPlane(int plane) => Y + plane / P.C * OutStride + (long)(plane % P.C) * (PlaneStride != 0 ? PlaneStride : (long)OutH * OutW);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            float* row = Scratch + (long)thread * PerThread;
            if (Small)
            {
                // Per call, not per plane: the −∞ chunks around a row, each chunk's load mask, the shift indices. On
                // 64-byte boundaries: stackalloc gives 16, and a chunk split over two cache lines made the path 1.5×
                // slower in some runs.
                byte* raw = stackalloc byte[(2 * SmallChunks + 4 + SmallChunks + 16) * 64 + 64];
                var chunks = (Vector512<float>*)(((nint)raw + 63) & ~(nint)63);
                var masks = chunks + 2 * SmallChunks + 4;
                var shifts = (Vector512<int>*)(masks + SmallChunks);
                var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                for (int i = 0; i < 2 * SmallChunks + 4; i++) chunks[i] = Vector512.Create(float.NegativeInfinity);
                for (int c = 0; c < SmallChunks; c++) masks[c] = Vector512.LessThan(lanes, Vector512.Create(P.W - 16 * c)).AsSingle();
                for (int o = 0; o < 16; o++) shifts[o] = lanes + Vector512.Create(o);
                for (int plane = begin; plane < end; plane++) SmallMax(plane, chunks, masks, shifts);
                return;
            }
            if (VectorRows && !Flat)
            {
                // The reduced row's −∞ margins: the vertical pass writes only the row between them.
                new Span<float>(row, P.PadLeft).Fill(float.NegativeInfinity);
                new Span<float>(row + P.PadLeft + P.W, RowFloats(P) - P.PadLeft - P.W).Fill(float.NegativeInfinity);
                for (int plane = begin; plane < end; plane++) RowsMax(plane, row);
                return;
            }
            for (int plane = begin; plane < end; plane++)
                if (Flat) FlatMax(plane, row);
                else Plane(plane, row);
        }

        /// <summary>
        /// Max pooling of a plane at most 64 wide with everything in registers (GoogLeNet's 3×3/1 branch pools on 7–28
        /// maps and the 3×3/2 pools on 13–56 maps spent most of their time copying rows and filling buffers). For each
        /// output row: the window's input rows are reduced as 16-lane chunks loaded under a mask, with −∞ past the row's
        /// end. Output chunk j's tap s is the 16 lanes starting at 16j + s − PadLeft, a two-source permute of adjacent
        /// chunks. The −∞ chunks on both sides stand for the padding and the ceil-mode overhang. Stride 2 keeps the even
        /// lanes of two chunks, and one masked store writes each 16 outputs. Max ignores −∞ exactly as the reference
        /// ignores the cells outside the input.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void SmallMax(int plane, Vector512<float>* chunks, Vector512<float>* masks, Vector512<int>* shifts)
        {
            var p = P;
            int H = p.H, W = p.W, OP = p.P, OQ = p.Q;
            float* x = InputPlane(plane), y = OutputPlane(plane);
            int inChunks = (W + 15) >> 4, outChunks = (OQ + 15) >> 4;
            int positions = p.StrideW * outChunks;         // stride-1 chunks the outputs pick from
            var negInf = Vector512.Create(float.NegativeInfinity);
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var v = chunks + 1;                            // v[a] = input chunk a of the reduced row; v[−1], v[≥ inChunks] are −∞
            var h = chunks + SmallChunks + 3;              // stride-1 maxima of the taps
            for (int op = 0; op < OP; op++)
            {
                int hs = Math.Max(op * p.StrideH - p.PadTop, 0), he = Math.Min(op * p.StrideH - p.PadTop + p.R, H);
                for (int c = 0; c < inChunks; c++)
                {
                    float* src = x + (long)hs * W + 16 * c;
                    var acc = Avx512F.MaskLoad(src, masks[c], negInf);
                    for (int ih = hs + 1; ih < he; ih++) acc = Vector512.Max(acc, Avx512F.MaskLoad(src + (long)(ih - hs) * W, masks[c], negInf));
                    v[c] = acc;
                }
                for (int j = 0; j < positions; j++)
                {
                    var m = negInf;
                    for (int s = 0; s < p.S; s++)
                    {
                        int start = 16 * j + s - p.PadLeft;           // ≥ −16
                        int a = ((start + 16) >> 4) - 1, o = start - 16 * a;
                        m = Vector512.Max(m, Avx512F.PermuteVar16x32x2(v[a], shifts[o], v[a + 1]));
                    }
                    h[j] = m;
                }
                float* yr = y + (long)op * OQ;
                for (int t = 0; t < outChunks; t++)
                {
                    var outv = p.StrideW == 1 ? h[t] : Avx512F.PermuteVar16x32x2(h[2 * t], even, h[2 * t + 1]);
                    if (16 * t + 16 <= OQ) outv.Store(yr + 16 * t);
                    else Avx512F.MaskStore(yr + 16 * t, Vector512.LessThan(lanes, Vector512.Create(OQ - 16 * t)).AsSingle(), outv);
                }
            }
        }

        /// <summary>
        /// Max pooling row by row with no scalar outputs: the window's rows are reduced into a buffer that has −∞
        /// before and after the input row (the padding and the ceil-mode overhang), so every output — borders
        /// included — is the max of S vector loads (stride 2: the even lanes of two loads), 16 at a time with AVX-512
        /// and 8 with AVX2; a row's last vector is stored under a mask (AVX-512) or overlaps the one before (AVX2), as
        /// the next cells belong to the next row or another thread's plane. The caller has filled the buffer's
        /// −∞ margins.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RowsMax(int plane, float* buffer)
        {
            var p = P;
            int H = p.H, W = p.W, OQ = OutW;
            float* x = InputPlane(plane), y = OutputPlane(plane);
            float* row = buffer + p.PadLeft;
            bool wide = Avx512F.IsSupported;
            for (int op = 0; op < OutH; op++)
            {
                int hs = Math.Max(op * p.StrideH - p.PadTop, 0), he = Math.Min(op * p.StrideH - p.PadTop + p.R, H);
                ReduceRows(x, W, hs, he, row, isMax: true);
                float* yr = y + (long)op * OQ;
                if (wide) HorizontalMax512(buffer, yr, OQ, p.StrideW, p.S);
                else HorizontalMax256(buffer, yr, OQ, p.StrideW, p.S);
            }
        }

        /// <summary>The outputs of one reduced row (<paramref name="padded"/> starts at the left padding), 16 a vector.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void HorizontalMax512(float* padded, float* yr, int OQ, int strideW, int S)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (int q = 0; q < OQ; q += 16)
            {
                float* base0 = padded + q * strideW;
                Vector512<float> mv;
                if (strideW == 1)
                {
                    mv = Vector512.Load(base0);
                    for (int s = 1; s < S; s++) mv = Vector512.Max(mv, Vector512.Load(base0 + s));
                }
                else
                {
                    mv = Avx512F.PermuteVar16x32x2(Vector512.Load(base0), even, Vector512.Load(base0 + 16));
                    for (int s = 1; s < S; s++)
                        mv = Vector512.Max(mv, Avx512F.PermuteVar16x32x2(Vector512.Load(base0 + s), even, Vector512.Load(base0 + s + 16)));
                }
                if (q + 16 <= OQ) mv.Store(yr + q);
                else Avx512F.MaskStore(yr + q, Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(OQ - q)).AsSingle(), mv);
            }
        }

        /// <summary>
        /// <c>row[w]</c> = max over input rows [<paramref name="hs"/>, <paramref name="he"/>) in one pass of 8-lane
        /// vectors: <see cref="ReduceRows"/>'s max with AVX. Copying the first row and then maxing the others in, with a
        /// scalar tail, was most of a 3×3/2 pool's time on 55-wide rows (128@55 at batch 1: 0.32 ms on one thread
        /// against ORT's 0.06 on two). A ragged end is one more vector ending at column W, overlapping the one before:
        /// it recomputes a few maxima from the same rows, so the same values, and leaves the −∞ past the row alone.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void VerticalMax256(float* x, int W, int hs, int he, float* row)
        {
            float* first = x + (long)hs * W;
            int rows = he - hs, w = 0;
            for (; w + 8 <= W; w += 8) VerticalMax8(first, W, rows, w, row);
            if (w == W) return;
            if (W >= 8 && OverlappedTails)
            {
                VerticalMax8(first, W, rows, W - 8, row);
                return;
            }
            var mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(W - w)).AsSingle();
            var m = Avx.MaskLoad(first + w, mask);
            for (int r = 1; r < rows; r++) m = MaxNaN(m, Avx.MaskLoad(first + (long)r * W + w, mask));
            Avx.MaskStore(row + w, mask, m);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void VerticalMax8(float* first, int W, int rows, int w, float* row)
        {
            var m = Vector256.Load(first + w);
            for (int r = 1; r < rows; r++) m = MaxNaN(m, Vector256.Load(first + (long)r * W + w));
            m.Store(row + w);
        }

        /// <summary>The outputs of one reduced row with AVX2, 8 a vector (stride 2: even lanes of two loads by a
        /// shuffle within 128-bit halves and a 64-bit permute; the odd lanes of the same loads are the next tap). A
        /// ragged end is an overlapping last vector, as in <see cref="VerticalMax256"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void HorizontalMax256(float* padded, float* yr, int OQ, int strideW, int S)
        {
            int q = 0;
            for (; q + 8 <= OQ; q += 8) HorizontalMax8(padded, q, strideW, S).Store(yr + q);
            if (q == OQ) return;
            if (OQ >= 8 && OverlappedTails)
                HorizontalMax8(padded, OQ - 8, strideW, S).Store(yr + OQ - 8);
            else
                Avx.MaskStore(yr + q, Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(OQ - q)).AsSingle(),
                    HorizontalMax8(padded, q, strideW, S));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> HorizontalMax8(float* padded, int q, int strideW, int S)
        {
            float* base0 = padded + q * strideW;
            Vector256<float> mv;
            if (strideW == 1)
            {
                mv = Vector256.Load(base0);
                for (int s = 1; s < S; s++) mv = MaxNaN(mv, Vector256.Load(base0 + s));
                return mv;
            }
            var lo = Vector256.Load(base0);
            var hi = Vector256.Load(base0 + 8);
            mv = StridedGather.Even8(lo, hi);
            if (S > 1) mv = MaxNaN(mv, StridedGather.Odd8(lo, hi));
            for (int s = 2; s < S; s++) mv = MaxNaN(mv, StridedGather.Even8(base0 + s));
            return mv;
        }

        /// <summary>
        /// The larger of each pair, NaN where either is NaN (as <see cref="Math.Max(double, double)"/>), in three AVX
        /// instructions: <c>maxps</c> returns its second operand when either is NaN, and a blend restores a NaN of the
        /// first. <c>Vector256.Max</c> spends eight on AVX2 (its IEEE ±0 rule), which made up most of a 3×3/2 pool's
        /// time on an AVX2-only Zen 1. Where both are zeros of opposite sign, either zero may come out (they compare equal).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> MaxNaN(Vector256<float> a, Vector256<float> b) =>
            Avx.IsSupported ? Avx.BlendVariable(Avx.Max(a, b), a, Avx.CompareUnordered(a, a)) : Vector256.Max(a, b);

        /// <summary><see cref="MaxNaN(Vector256{float}, Vector256{float})"/> for <see cref="Vector{T}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector<float> MaxNaN(Vector<float> a, Vector<float> b) =>
            Vector<float>.Count == 8 && Avx.IsSupported ? MaxNaN(a.AsVector256(), b.AsVector256()).AsVector() : Vector.Max(a, b);

        /// <summary>
        /// Max pooling of a whole small plane with no per-row bookkeeping (GoogLeNet's 3×3 branch pools on 14×14 and
        /// 7×7 maps spent most of their time on it): the plane is copied into a buffer padded with −∞ (padding and the
        /// ceil-mode overhang), so one flat vector pass takes the max of S neighbours — row ends never mix, the
        /// padding columns sit between rows — and a second takes the max of R rows; the strided outputs are then
        /// picked out. Max ignores −∞ exactly as the reference ignores the cells outside the input.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FlatMax(int plane, float* scratch)
        {
            var p = P;
            int H = p.H, W = p.W, OP = p.P, OQ = p.Q, VL = Vector<float>.Count;
            int wp = PaddedW(p), hp = PaddedH(p), area = wp * hp;
            float* a = scratch;                 // padded plane (+ slack for the shifted loads)
            float* m = a + area + 32;           // maxima of S neighbours
            float* line = m + area + 32;        // one output row before striding
            float* x = InputPlane(plane), y = OutputPlane(plane);

            new Span<float>(a, area + 32).Fill(float.NegativeInfinity);
            for (int ih = 0; ih < H; ih++)
                new ReadOnlySpan<float>(x + (long)ih * W, W).CopyTo(new Span<float>(a + (p.PadTop + ih) * wp + p.PadLeft, W));

            int span = area - p.S + 1;
            int t = 0;
            for (; t + VL <= span; t += VL)
            {
                var v = Vector.Load(a + t);
                for (int s = 1; s < p.S; s++) v = MaxNaN(v, Vector.Load(a + t + s));
                v.Store(m + t);
            }
            for (; t < span; t++)
            {
                float v = a[t];
                for (int s = 1; s < p.S; s++) v = MathF.Max(v, a[t + s]);
                m[t] = v;
            }

            int width = (OQ - 1) * p.StrideW + 1;   // columns of m an output row reads
            for (int op = 0; op < OP; op++)
            {
                float* src = m + op * p.StrideH * wp;
                float* dst = p.StrideW == 1 ? y + (long)op * OQ : line;
                int j = 0;
                for (; j + VL <= width; j += VL)
                {
                    var v = Vector.Load(src + j);
                    for (int r = 1; r < p.R; r++) v = MaxNaN(v, Vector.Load(src + r * wp + j));
                    v.Store(dst + j);
                }
                for (; j < width; j++)
                {
                    float v = src[j];
                    for (int r = 1; r < p.R; r++) v = MathF.Max(v, src[r * wp + j]);
                    dst[j] = v;
                }
                if (p.StrideW != 1) StridedGather.Copy(line, p.StrideW, y + (long)op * OQ, OQ, line + width);
            }
        }

        /// <summary>Vertical pass: <c>row[w]</c> = max (or sum) over input rows [<paramref name="hs"/>,
        /// <paramref name="he"/>) of the plane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void ReduceRows(float* x, int W, int hs, int he, float* row, bool isMax)
        {
            if (isMax && Avx.IsSupported)
            {
                VerticalMax256(x, W, hs, he, row);
                return;
            }
            int VL = Vector<float>.Count;
            new ReadOnlySpan<float>(x + (long)hs * W, W).CopyTo(new Span<float>(row, W));
            for (int ih = hs + 1; ih < he; ih++)
            {
                float* src = x + (long)ih * W;
                int w = 0;
                if (isMax)
                {
                    for (; w + VL <= W; w += VL) Vector.Store(MaxNaN(Vector.Load(row + w), Vector.Load(src + w)), row + w);
                    for (; w < W; w++) row[w] = MathF.Max(row[w], src[w]);
                }
                else
                {
                    for (; w + VL <= W; w += VL) Vector.Store(Vector.Load(row + w) + Vector.Load(src + w), row + w);
                    for (; w < W; w++) row[w] += src[w];
                }
            }
        }

        /// <summary>Average pooling, and max pooling where the vector row path does not apply (no AVX-512, horizontal
        /// stride above 2): per output row a vertical pass, then each window of the reduced row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Plane(int plane, float* row)
        {
            var p = P;
            int H = p.H, W = p.W, OP = p.P, OQ = p.Q;
            float* x = InputPlane(plane), y = OutputPlane(plane);
            for (int op = 0; op < OP; op++)
            {
                int hs = op * p.StrideH - p.PadTop, he = Math.Min(hs + p.R, H + p.PadBottom);
                int poolH = he - hs;
                hs = Math.Max(hs, 0); he = Math.Min(he, H);
                ReduceRows(x, W, hs, he, row, IsMax);
                // Horizontal pass over the reduced row, window by window.
                float* yr = y + (long)op * OQ;
                for (int oq = 0; oq < OQ; oq++)
                {
                    int ws = oq * p.StrideW - p.PadLeft, we = Math.Min(ws + p.S, W + p.PadRight);
                    int poolW = we - ws;
                    ws = Math.Max(ws, 0); we = Math.Min(we, W);
                    if (IsMax)
                    {
                        float m = row[ws];
                        for (int w = ws + 1; w < we; w++) m = MathF.Max(m, row[w]);
                        yr[oq] = m;
                    }
                    else
                    {
                        float sum = 0f;
                        for (int w = ws; w < we; w++) sum += row[w];
                        int count = p.CountIncludePad ? poolH * poolW : (he - hs) * (we - ws);
                        yr[oq] = sum / count;
                    }
                }
            }
        }
    }

    /// <summary>Global average pooling: <c>y[n, c] = mean over H·W of x[n, c]</c>.</summary>
    public static void GlobalAverage(ReadOnlySpan<float> input, int batch, int channels, int spatial, Span<float> output)
        => GlobalAverage(input, batch, channels, spatial, output, null);

    /// <summary>Global average pooling with the planes split over <paramref name="scheduler"/>'s threads (each plane's
    /// sum is the same whoever computes it).</summary>
    public static void GlobalAverage(ReadOnlySpan<float> input, int batch, int channels, int spatial, Span<float> output, Scheduler? scheduler)
    {
        long planes = (long)batch * channels;
        if (input.Length < planes * spatial || output.Length < planes)
            throw new ArgumentException($"global average: {batch}×{channels}×{spatial} needs that many values and {planes} outputs.");
        scheduler ??= Scheduler.Inline;
        fixed (float* x = input) fixed (float* y = output)
            scheduler.For((int)planes, new GlobalAverageBody { X = x, Y = y, Spatial = spatial });
    }

    private struct GlobalAverageBody : IParallelBody
    {
        public float* X, Y;
        public int Spatial;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int begin, int end, int thread)
        {
            for (int i = begin; i < end; i++)
                Y[i] = System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(X + (long)i * Spatial, Spatial)) / Spatial;
        }
    }
}

/// <summary>The readable pooling loops, the oracle for <see cref="Pooling"/>.</summary>
public static class PoolingReference
{
    /// <summary>Max (<paramref name="isMax"/>) or average pooling, one window at a time, PyTorch semantics.</summary>
    public static void Run(ReadOnlySpan<float> input, int batch, in PoolParams p, Span<float> output, bool isMax)
    {
        p.Validate();
        for (int plane = 0; plane < batch * p.C; plane++)
        for (int op = 0; op < p.P; op++)
        for (int oq = 0; oq < p.Q; oq++)
        {
            int hs = op * p.StrideH - p.PadTop, ws = oq * p.StrideW - p.PadLeft;
            int he = Math.Min(hs + p.R, p.H + p.PadBottom), we = Math.Min(ws + p.S, p.W + p.PadRight);
            int poolSize = (he - hs) * (we - ws);
            hs = Math.Max(hs, 0); ws = Math.Max(ws, 0); he = Math.Min(he, p.H); we = Math.Min(we, p.W);
            double acc = isMax ? double.NegativeInfinity : 0;
            for (int ih = hs; ih < he; ih++)
            for (int iw = ws; iw < we; iw++)
            {
                float v = input[(plane * p.H + ih) * p.W + iw];
                acc = isMax ? Math.Max(acc, v) : acc + v;
            }
            output[(plane * p.P + op) * p.Q + oq] = isMax ? (float)acc : (float)(acc / (p.CountIncludePad ? poolSize : (he - hs) * (we - ws)));
        }
    }
}
