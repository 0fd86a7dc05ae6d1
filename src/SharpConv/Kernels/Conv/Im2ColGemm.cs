// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups.
// As a GEMM per image and group: M = K/G (output channels) · N = P·Q (pixels) · depth = C/G·R·S.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// The general convolution: <c>out_g = W_g · im2col(x)_g</c> with W packed once. There is no whole-image im2col
/// buffer: the GEMM asks <see cref="Im2ColSource"/> for one row of B (a (c, r, s) tap) over a KC×NC block at a time
/// and packs it straight into its panel, so the extra memory is the GEMM's per-thread L2-sized block (small maps fold
/// the batch or run transposed instead: <see cref="GemmConv"/>). Handles any stride, padding (asymmetric too),
/// dilation and groups.
/// </summary>
internal sealed unsafe class Im2ColGemm : PreparedConv
{
    private readonly GemmConv _gemm;

    /// <summary>Whether single images run on <see cref="TransposedGemm"/> (small maps).</summary>
    internal bool Transposed => _gemm.Transposed;

    public Im2ColGemm(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act, SimdWidth width)
        : base(p, ConvAlgorithm.Im2ColGemm, bias, act)
        => _gemm = new GemmConv(p, weights, p.C / p.Groups * p.R * p.S, width);

    public override int ScratchElements(int batch, int threads) => _gemm.ScratchElements(batch, threads);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch)
        => _gemm.Run(new Im2ColSource(input, Params), batch, output, outStride, residual, (float*)Unsafe.AsPointer(ref Bias[0]), Activation, scheduler, scratch);
}

/// <summary>Rows of the im2col matrix, produced on demand: row k = tap (c, r, s), column n = pixel (p, q).</summary>
internal unsafe struct Im2ColSource : IBSource
{
    private readonly float* _x;
    private readonly int _c, _h, _w, _cg, _r, _s, _p, _q, _sh, _sw, _pt, _pl, _dh, _dw;

    public Im2ColSource(float* x, in ConvParams p)
    {
        _x = x; _c = p.C; _h = p.H; _w = p.W; _cg = p.C / p.Groups; _r = p.R; _s = p.S; _p = p.P; _q = p.Q;
        _sh = p.StrideH; _sw = p.StrideW; _pt = p.PadTop; _pl = p.PadLeft; _dh = p.DilationH; _dw = p.DilationW;
    }

    /// <summary>No hint: a tap's row is mostly the same input row as its neighbours', already in cache.</summary>
    public readonly void Prefetch(int batch, int group, int k, int n0, int nc) { }

    public readonly long InPlaceRowStride => 0;   // rows are built on demand

    private static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Off: whole rows are built by <see cref="Row"/> too (a measurement knob; the values are the same).</summary>
    internal static bool VectorRows = true;

    /// <summary>
    /// Whole im2col rows of small maps (the batch-folded and transposed GEMMs of 7×7 and 14×14 layers). Row by row,
    /// <see cref="Row"/> pays a few span copies and clears per output row, for 7 or 14 values each: ResNet-50's 3×3
    /// 512→512 @7 at batch 1 spent 0.28 of its 1.55 ms there. With stride 1 or 2 and output rows of at most 16 pixels,
    /// each output row of a tap is one masked load (two and a permute at stride 2; the lanes of the left and right
    /// padding masked off read as 0) and one masked store; which lanes are padding depends only on the tap's column,
    /// so the masks are made once per row of B.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void CopyRows(int batch, int group, int k0, int k1, int n, float* dst, long ldd)
    {
        bool avx512 = Avx512F.IsSupported && _sw <= 2, avx2 = !Avx512F.IsSupported && Avx2.IsSupported && _sw == 1;
        if (!VectorRows || !(avx512 || avx2) || _q > 16 || n != _p * _q)
        {
            for (int k = k0; k < k1; k++)
            {
                float* d = dst + (k - k0) * ldd;
                float* row = Row(batch, group, k, 0, n, d);
                if (row != d) new ReadOnlySpan<float>(row, n).CopyTo(new Span<float>(d, n));
            }
            return;
        }
        if (avx2)
        {
            CopyRows256(batch, group, k0, k1, dst, ldd);
            return;
        }
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var store = Vector512.LessThan(lanes, Vector512.Create(_q)).AsSingle();
        int rs = _r * _s;
        for (int k = k0; k < k1; k++)
        {
            int c = k / rs, r = k / _s % _r, s = k % _s;
            float* plane = _x + ((long)batch * _c + group * _cg + c) * _h * _w;
            int iw0 = s * _dw - _pl;   // input column of output column 0
            // Input columns iw0 + t, t in [lo, hi), are inside the row and read by an output column (t = σ·j).
            int lo = Math.Clamp(-iw0, 0, _sw * _q), hi = Math.Clamp(_w - iw0, lo, _sw * _q);
            var load0 = (Vector512.GreaterThanOrEqual(lanes, Vector512.Create(lo)) & Vector512.LessThan(lanes, Vector512.Create(hi))).AsSingle();
            var lanes1 = lanes + Vector512.Create(16);
            var load1 = (Vector512.GreaterThanOrEqual(lanes1, Vector512.Create(lo)) & Vector512.LessThan(lanes1, Vector512.Create(hi))).AsSingle();
            float* d = dst + (k - k0) * ldd;
            for (int op = 0; op < _p; op++, d += _q)
            {
                int ih = op * _sh - _pt + r * _dh;
                var v = Vector512<float>.Zero;
                if ((uint)ih < (uint)_h)
                {
                    float* src = plane + (long)ih * _w + iw0;
                    v = Avx512F.MaskLoad(src, load0, Vector512<float>.Zero);
                    // Stride 2: the even columns of 32, picked out of two vectors.
                    if (_sw == 2) v = Avx512F.PermuteVar16x32x2(v, Even, Avx512F.MaskLoad(src + 16, load1, Vector512<float>.Zero));
                }
                Avx512F.MaskStore(d, store, v);
            }
        }
    }

    /// <summary><see cref="CopyRows"/> with AVX2 at stride 1: output rows of up to 16 pixels as two 8-lane masked
    /// loads and stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void CopyRows256(int batch, int group, int k0, int k1, float* dst, long ldd)
    {
        var lanes0 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var lanes1 = lanes0 + Vector256.Create(8);
        var store0 = Vector256.LessThan(lanes0, Vector256.Create(_q)).AsSingle();
        var store1 = Vector256.LessThan(lanes1, Vector256.Create(_q)).AsSingle();
        bool two = _q > 8;
        int rs = _r * _s;
        for (int k = k0; k < k1; k++)
        {
            int c = k / rs, r = k / _s % _r, s = k % _s;
            float* plane = _x + ((long)batch * _c + group * _cg + c) * _h * _w;
            int iw0 = s * _dw - _pl;
            int lo = Math.Clamp(-iw0, 0, _q), hi = Math.Clamp(_w - iw0, lo, _q);
            var load0 = (Vector256.GreaterThanOrEqual(lanes0, Vector256.Create(lo)) & Vector256.LessThan(lanes0, Vector256.Create(hi))).AsSingle();
            var load1 = (Vector256.GreaterThanOrEqual(lanes1, Vector256.Create(lo)) & Vector256.LessThan(lanes1, Vector256.Create(hi))).AsSingle();
            float* d = dst + (k - k0) * ldd;
            for (int op = 0; op < _p; op++, d += _q)
            {
                int ih = op * _sh - _pt + r * _dh;
                bool inside = (uint)ih < (uint)_h;
                float* src = plane + (long)ih * _w + iw0;
                Avx.MaskStore(d, store0, inside ? Avx.MaskLoad(src, load0) : Vector256<float>.Zero);
                if (two) Avx.MaskStore(d + 8, store1, inside ? Avx.MaskLoad(src + 8, load1) : Vector256<float>.Zero);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly float* Row(int batch, int group, int k, int n0, int nc, float* tmp)
    {
        int rs = _r * _s;
        int c = k / rs, r = k / _s % _r, s = k % _s;
        float* plane = _x + ((long)batch * _c + group * _cg + c) * _h * _w;
        int op = n0 / _q, oq = n0 - op * _q;
        int colOff = s * _dw - _pl, rowOff = r * _dh - _pt;

        // Whole request inside one in-bounds stretch of an input row (stride 1): read it in place, no copy.
        if (_sw == 1 && oq + nc <= _q)
        {
            int ih = op * _sh + rowOff, iw = oq + colOff;
            if ((uint)ih < (uint)_h && iw >= 0 && iw + nc <= _w) return plane + (long)ih * _w + iw;
        }

        float* d = tmp;
        int left = nc;
        while (left > 0)
        {
            int len = Math.Min(_q - oq, left);
            int ih = op * _sh + rowOff;
            if ((uint)ih >= (uint)_h)
            {
                new Span<float>(d, len).Clear();
            }
            else
            {
                float* row = plane + (long)ih * _w;
                int iw0 = oq * _sw + colOff;
                if (_sw == 1)
                {
                    int lo = Math.Clamp(-iw0, 0, len), hi = Math.Clamp(_w - iw0, lo, len);
                    new Span<float>(d, lo).Clear();
                    new ReadOnlySpan<float>(row + iw0 + lo, hi - lo).CopyTo(new Span<float>(d + lo, hi - lo));
                    new Span<float>(d + hi, len - hi).Clear();
                }
                else
                {
                    // Columns j in [lo, hi) read inside the row; the rest are padding (in long: a hostile stride
                    // near 2^31 must not wrap the bounds).
                    long start = iw0, sw = _sw;
                    int lo = start >= 0 ? 0 : (int)Math.Min(len, (-start + sw - 1) / sw);
                    int hi = (int)Math.Max(lo, Math.Min(len, _w - start <= 0 ? 0 : (_w - start + sw - 1) / sw));
                    new Span<float>(d, lo).Clear();
                    StridedGather.Copy(row + iw0 + (long)lo * _sw, _sw, d + lo, hi - lo, row + _w);
                    new Span<float>(d + hi, len - hi).Clear();
                }
            }
            d += len; left -= len; oq = 0; op++;
        }
        return tmp;
    }
}
