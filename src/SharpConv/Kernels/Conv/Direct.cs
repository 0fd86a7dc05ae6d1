// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel.
// σ = stride, δ = dilation; MR output pixels × NR output channels per register tile; Hp×Wp the zero-padded input.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// Direct convolution with no im2col: the register tile is MR consecutive output pixels of one row × NR output
/// channels (14 × 32 with Vector512). Per tap k = (c, r, s) it loads the NR channels' weights as two vectors and
/// broadcasts the MR input values those pixels see — read in place from a zero-padded copy of the image, σ columns
/// apart — so each input value is fetched from L1 once per tap instead of being copied R·S times into an im2col
/// matrix. That copy is what makes im2col slow on RGB stems (3→64 7×7/2: depth 147, the B matrix 12× the image) and
/// on thin-output layers (DenseNet's 128→32 3×3: 32 multiply-adds per copied value).
/// <para>
/// Life of a call, per image: (1) the image is copied into a zero-padded buffer (Hp×Wp per channel, wide enough for
/// the last tile's overhang); (2) items = (output row, MR-pixel tile): for each NR-channel panel the generated
/// micro-kernel <c>Direct*_s{σ}</c> runs all C·R·S taps in one FMA chain per output (offsets of the taps are a table
/// made once), and the tile is stored transposed into NCHW with bias, residual and clamp. Any padding, vertical stride
/// and dilation; horizontal stride 1, 2 or 4 (the kernels are unrolled per stride); groups 1.
/// </para>
/// </summary>
internal sealed unsafe class Direct : PreparedConv
{
    private readonly PackedMatrix _w;    // weights as right operand: NR-channel panels, k = (c, r, s) major
    private readonly delegate*<float*, int*, float*, int, ref readonly TileStore, void> _fn;
    private readonly int _mr, _nr, _tilesPerRow, _wp, _hp, _depth;
    private readonly int[] _offsets;     // pinned: tap k's offset in the padded image from the tile's first input

    public Direct(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act, SimdWidth width)
        : base(p, ConvAlgorithm.Direct, bias, act)
    {
        var kr = GemmKernel.For(width);
        _mr = kr.MR; _nr = kr.NR;
        _depth = p.C * p.R * p.S;
        _w = PackedMatrix.PackAsRightOperand(weights, p.K, _depth, 1, kr);
        _fn = (kr.Shape, p.StrideW) switch
        {
            (MicroKernelShape.V512_14x2, 1) => &MicroKernels.Direct512_14x2_s1,
            (MicroKernelShape.V512_14x2, 2) => &MicroKernels.Direct512_14x2_s2,
            (MicroKernelShape.V512_14x2, _) => &MicroKernels.Direct512_14x2_s4,
            (MicroKernelShape.V256_6x2, 1) => &MicroKernels.Direct256_6x2_s1,
            (MicroKernelShape.V256_6x2, 2) => &MicroKernels.Direct256_6x2_s2,
            (MicroKernelShape.V256_6x2, _) => &MicroKernels.Direct256_6x2_s4,
            (_, 1) => &MicroKernels.Direct128_6x2_s1,
            (_, 2) => &MicroKernels.Direct128_6x2_s2,
            _ => &MicroKernels.Direct128_6x2_s4,
        };
        _tilesPerRow = (p.Q + _mr - 1) / _mr;
        (_hp, _wp) = PaddedPlane(p, _mr);
        long plane = (long)_hp * _wp;
        if (plane * p.C > int.MaxValue) throw new ArgumentException($"conv {p}: the padded image is too large for the direct kernel.");
        _offsets = GC.AllocateArray<int>(_depth, pinned: true);
        for (int c = 0, k = 0; c < p.C; c++)
            for (int r = 0; r < p.R; r++)
                for (int s = 0; s < p.S; s++, k++)
                    _offsets[k] = (int)(c * plane + (long)r * p.DilationH * _wp + s * p.DilationW);
    }

    /// <summary>The zero-padded plane: whole tiles are computed (pixels past Q are dropped), so it reaches the last
    /// tile's farthest tap.</summary>
    private static (int Hp, int Wp) PaddedPlane(in ConvParams p, int mr)
    {
        long tilesPerRow = (p.Q + mr - 1) / mr;
        long wp = Math.Max((long)p.W + p.PadLeft + p.PadRight, (tilesPerRow * mr - 1) * p.StrideW + (long)(p.S - 1) * p.DilationW + 1);
        long hp = Math.Max((long)p.H + p.PadTop + p.PadBottom, (long)(p.P - 1) * p.StrideH + (long)(p.R - 1) * p.DilationH + 1);
        return ((int)Math.Min(hp, int.MaxValue), (int)Math.Min(wp, int.MaxValue));
    }

    /// <summary>Whether the padded image (C planes, the widest tile of any vector width) has at most 2³¹ − 1 floats,
    /// which the tap offsets address.</summary>
    internal static bool PaddedImageFits(in ConvParams p)
    {
        var (hp, wp) = PaddedPlane(p, 14);
        return (long)hp * wp * p.C <= int.MaxValue;
    }

    private long PaddedImage => (long)Params.C * _hp * _wp;
    private int TileFloats => _tilesPerRow * _mr * _nr + 16;

    private protected override bool ReadsStridedInput => true;

    /// <summary>Taps per block: 64 channels of a 3×3 kernel; a block's input rows for a whole output row fit L1.</summary>
    private const int TapBlock = 576;

    public override int ScratchElements(int batch, int threads) => checked((int)(PaddedImage + 64 + (long)threads * TileFloats));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        float* padded = (float*)(((nint)scratch + 63) & ~(nint)63);
        float* tiles = padded + PaddedImage;
        for (int b = 0; b < batch; b++)
        {
            scheduler.For(p.C, new PadBody { Conv = this, X = input + b * inStride, Dst = padded });
            scheduler.For(p.P * _w.Panels, new TileBody
            {
                Conv = this, Padded = padded, Tiles = tiles,
                Y = output + b * outStride, Residual = residual == null ? null : residual + b * outStride,
            });
        }
    }

    /// <summary>Item = channel: its plane copied into the zero-padded buffer.</summary>
    private struct PadBody : IParallelBody
    {
        public Direct Conv;
        public float* X, Dst;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            var p = Conv.Params;
            int wp = Conv._wp, hp = Conv._hp;
            var map = Conv.InputMap;   // the normalised image; padding (were there any) stays zero, as the layer pads after the map
            // Rows as wide as the buffer's with no padding above or left (1×1 layers, wide maps): the plane is one run.
            bool whole = wp == p.W && p.PadLeft == 0 && p.PadTop == 0;
            for (int c = begin; c < end; c++)
            {
                float* dst = Dst + (long)c * hp * wp;
                float* src = X + (long)c * p.H * p.W;
                if (whole)
                {
                    int image = p.H * p.W;
                    if (map != null) map.Apply(c, src, dst, image);
                    else new ReadOnlySpan<float>(src, image).CopyTo(new Span<float>(dst, image));
                    new Span<float>(dst + image, hp * wp - image).Clear();
                    continue;
                }
                new Span<float>(dst, hp * wp).Clear();
                for (int h = 0; h < p.H; h++)
                    if (map != null) map.Apply(c, src + (long)h * p.W, dst + (long)(h + p.PadTop) * wp + p.PadLeft, p.W);
                    else new ReadOnlySpan<float>(src + (long)h * p.W, p.W).CopyTo(new Span<float>(dst + (long)(h + p.PadTop) * wp + p.PadLeft, p.W));
            }
        }
    }

    /// <summary>Item = (output row, channel panel): every pixel tile of the row, taps in blocks.</summary>
    private struct TileBody : IParallelBody
    {
        public Direct Conv;
        public float* Padded, Tiles, Y, Residual;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            var conv = Conv;
            var p = conv.Params;
            int mr = conv._mr, nr = conv._nr, panels = conv._w.Panels, K = p.K;
            long pq = (long)p.P * p.Q;
            float* tile = Tiles + (long)thread * conv.TileFloats;
            tile = (float*)(((nint)tile + 63) & ~(nint)63);
            var fn = conv._fn;
            bool clamp = !conv.Activation.IsIdentity;
            bool vectorStore = Avx512F.IsSupported && mr == 14 && nr == 32;
            bool vectorStore256 = !vectorStore && Avx2.IsSupported && mr == 6 && nr == 16;
            // Rows, stage-2 values, columns: once per call, on 64-byte boundaries (stackalloc gives 16; a vector split
            // over two cache lines costs every load and store of the transposes).
            byte* transposeRaw = stackalloc byte[48 * 64 + 64];
            var transposeBuffers = (Vector512<float>*)(((nint)transposeRaw + 63) & ~(nint)63);
            fixed (int* offsets = conv._offsets)
            fixed (float* bias = conv.Bias)
                for (int item = begin; item < end; item++)
                {
                    int op = item / panels, panel = item % panels;
                    float* xRow = Padded + (long)op * p.StrideH * conv._wp;
                    float* wPanel = conv._w.Panel(0, panel);
                    // Taps in blocks, every tile of the row per block: the block's input lines (TapBlock taps × the
                    // row's width) stay in L1 from one tile to the next, which the whole C·R·S taps would not.
                    for (int k0 = 0; k0 < conv._depth; k0 += TapBlock)
                    {
                        int kc = Math.Min(TapBlock, conv._depth - k0);
                        for (int t = 0; t < conv._tilesPerRow; t++)
                        {
                            var st = new TileStore { C = tile + t * mr * nr, Ldc = nr, Accumulate = k0 > 0 };
                            fn(xRow + (long)t * mr * p.StrideW, offsets + k0, wPanel + (long)k0 * nr, kc, ref st);
                        }
                    }
                    int c0 = panel * nr, channels = Math.Min(nr, K - c0);
                    if (vectorStore256)
                    {
                        StoreRowTransposed256(tile, conv._tilesPerRow * mr, p.Q, c0, channels, pq, (long)op * p.Q, bias, clamp, conv.Activation);
                        continue;
                    }
                    for (int t = 0; t < conv._tilesPerRow; t++)
                    {
                        int q0 = t * mr, pixels = Math.Min(mr, p.Q - q0);
                        long rowOffset = (long)op * p.Q + q0;
                        float* tt = tile + t * mr * nr;
                        if (vectorStore)
                        {
                            StoreTransposed512(tt, pixels, c0, channels, pq, rowOffset, bias, clamp, conv.Activation, transposeBuffers);
                            continue;
                        }
                        for (int c = 0; c < channels; c++)
                        {
                            int k = c0 + c;
                            float* y = Y + k * pq + rowOffset;
                            float* r = Residual == null ? null : Residual + k * pq + rowOffset;
                            float b = bias[k];
                            for (int i = 0; i < pixels; i++)
                            {
                                float v = tt[i * nr + c] + b;
                                if (r != null) v += r[i];
                                if (clamp) v = conv.Activation.Apply(v);
                                y[i] = v;
                            }
                        }
                    }
                }
        }

        /// <summary>
        /// The 14×32 tile (row = pixel) written to 32 NCHW channel rows: two in-register 16×16 transposes (rows 14
        /// and 15 zero) turn pixel rows into channel rows, then bias, residual and clamp run on whole vectors and a
        /// masked store writes the tile's pixels only (the next tile of the row may belong to another thread). Same
        /// operations in the same order as the scalar store.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private readonly void StoreTransposed512(float* tile, int pixels, int k0, int channels, long pq, long rowOffset,
            float* bias, bool clamp, Activation activation, Vector512<float>* buffers)
        {
            var mask = Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(pixels)).AsSingle();
            var lo = Vector512.Create(activation.Min); var hi = Vector512.Create(activation.Max);
            var cols = buffers + 32;
            for (int half = 0; half < 2 && half * 16 < channels; half++)
            {
                Transpose14x16(tile + half * 16, 32, buffers, buffers + 16, cols);
                int count = Math.Min(16, channels - half * 16);
                for (int c = 0; c < count; c++)
                {
                    int k = k0 + half * 16 + c;
                    var v = cols[c] + Vector512.Create(bias[k]);
                    if (Residual != null) v += Avx512F.MaskLoad(Residual + k * pq + rowOffset, mask, Vector512<float>.Zero);
                    if (clamp) v = Activation.Clamp(v, lo, hi);
                    Avx512F.MaskStore(Y + k * pq + rowOffset, mask, v);
                }
            }
        }

        /// <summary>
        /// A whole output row of one 16-channel panel written to its NCHW channel rows with AVX2. The row's 6-pixel tiles
        /// lie one after another (pixel-major, 16 channels each), so the row is taken 8 pixels × 8 channels at a time
        /// through an in-register 8×8 transpose; bias, residual and clamp run on whole vectors and the row's last
        /// block is stored under a mask. Pixels past the computed tiles read as zero and are never stored. Same
        /// operations in the same order as the scalar store (on the 6×16 AVX2 kernel it was the scalar store that
        /// made the direct kernel lose to im2col on RGB stems).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void StoreRowTransposed256(float* tiles, int computed, int q, int k0, int channels, long pq, long rowOffset,
            float* bias, bool clamp, Activation activation)
        {
            var lo = Vector256.Create(activation.Min); var hi = Vector256.Create(activation.Max);
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            for (int q0 = 0; q0 < q; q0 += 8)
            {
                int pixels = Math.Min(8, q - q0);
                var mask = Vector256.LessThan(lanes, Vector256.Create(pixels)).AsSingle();
                for (int half = 0; half < 2 && half * 8 < channels; half++)
                {
                    float* src = tiles + (long)q0 * 16 + half * 8;
                    int avail = Math.Min(8, computed - q0);
                    var r0 = Row(src, 0, avail); var r1 = Row(src, 1, avail); var r2 = Row(src, 2, avail); var r3 = Row(src, 3, avail);
                    var r4 = Row(src, 4, avail); var r5 = Row(src, 5, avail); var r6 = Row(src, 6, avail); var r7 = Row(src, 7, avail);
                    // 8×8 transpose: unpack pairs, 64-bit shuffles, then swap 128-bit halves.
                    var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
                    var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
                    var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
                    var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
                    var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
                    var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
                    var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
                    var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
                    int count = Math.Min(8, channels - half * 8);
                    for (int c = 0; c < count; c++)
                    {
                        // Column c: 128-bit half (c / 4) of u[c % 4] (rows 0–3) and of u[4 + c % 4] (rows 4–7).
                        var (a, b) = (c & 3) switch { 0 => (u0, u4), 1 => (u1, u5), 2 => (u2, u6), _ => (u3, u7) };
                        var v = c < 4 ? Avx.Permute2x128(a, b, 0x20) : Avx.Permute2x128(a, b, 0x31);
                        int k = k0 + half * 8 + c;
                        v += Vector256.Create(bias[k]);
                        float* y = Y + k * pq + rowOffset + q0;
                        if (pixels == 8)
                        {
                            if (Residual != null) v += Vector256.Load(Residual + k * pq + rowOffset + q0);
                            if (clamp) v = Activation.Clamp(v, lo, hi);
                            v.Store(y);
                        }
                        else
                        {
                            if (Residual != null) v += Avx.MaskLoad(Residual + k * pq + rowOffset + q0, mask);
                            if (clamp) v = Activation.Clamp(v, lo, hi);
                            Avx.MaskStore(y, mask, v);
                        }
                    }
                }
            }

            static Vector256<float> Row(float* src, int i, int avail) => i < avail ? Vector256.Load(src + i * 16) : Vector256<float>.Zero;
        }

        /// <summary>cols[c][i] = rows[i][c] for 14 rows (stride <paramref name="stride"/>) of 16 values; lanes 14–15 are 0.
        /// Unpack, 64-bit shuffle, then two 128-bit-lane shuffles: the standard 16×16 transpose.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Transpose14x16(float* rows, int stride, Vector512<float>* r, Vector512<float>* u, Vector512<float>* cols)
        {
            for (int i = 0; i < 14; i++) r[i] = Vector512.Load(rows + i * stride);
            r[14] = Vector512<float>.Zero; r[15] = Vector512<float>.Zero;
            for (int g = 0; g < 4; g++)
            {
                var t0 = Avx512F.UnpackLow(r[4 * g], r[4 * g + 1]);
                var t1 = Avx512F.UnpackHigh(r[4 * g], r[4 * g + 1]);
                var t2 = Avx512F.UnpackLow(r[4 * g + 2], r[4 * g + 3]);
                var t3 = Avx512F.UnpackHigh(r[4 * g + 2], r[4 * g + 3]);
                // u[4g + m], 128-bit lane l: column 4l + m of rows 4g … 4g+3.
                u[4 * g + 0] = Avx512F.Shuffle(t0, t2, 0x44);
                u[4 * g + 1] = Avx512F.Shuffle(t0, t2, 0xEE);
                u[4 * g + 2] = Avx512F.Shuffle(t1, t3, 0x44);
                u[4 * g + 3] = Avx512F.Shuffle(t1, t3, 0xEE);
            }
            for (int m = 0; m < 4; m++)
            {
                var x0 = Avx512F.Shuffle4x128(u[m], u[4 + m], 0x88);
                var x1 = Avx512F.Shuffle4x128(u[m], u[4 + m], 0xDD);
                var y0 = Avx512F.Shuffle4x128(u[8 + m], u[12 + m], 0x88);
                var y1 = Avx512F.Shuffle4x128(u[8 + m], u[12 + m], 0xDD);
                cols[m] = Avx512F.Shuffle4x128(x0, y0, 0x88);
                cols[8 + m] = Avx512F.Shuffle4x128(x0, y0, 0xDD);
                cols[4 + m] = Avx512F.Shuffle4x128(x1, y1, 0x88);
                cols[12 + m] = Avx512F.Shuffle4x128(x1, y1, 0xDD);
            }
        }
    }
}
