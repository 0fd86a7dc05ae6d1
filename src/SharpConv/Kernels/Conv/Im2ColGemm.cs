// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups.
// As a GEMM per image and group: M = K/G (output channels) · N = P·Q (pixels) · depth = C/G·R·S.
using System.Runtime.CompilerServices;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// The general convolution: <c>out_g = W_g · im2col(x)_g</c> with W packed once. There is no whole-image im2col
/// buffer: the GEMM asks <see cref="Im2ColSource"/> for one row of B (a (c, r, s) tap) over a KC×NC block at a time
/// and packs it straight into its panel, so the extra memory is the GEMM's per-thread L2-sized block.
/// Handles any stride, padding (asymmetric too), dilation and groups.
/// </summary>
internal sealed unsafe class Im2ColGemm : PreparedConv
{
    private readonly PackedMatrix _w;

    public Im2ColGemm(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act, SimdWidth width)
        : base(p, ConvAlgorithm.Im2ColGemm, bias, act)
        => _w = PackedMatrix.Pack(weights, p.K / p.Groups, p.C / p.Groups * p.R * p.S, p.Groups, width);

    public override int ScratchElements(int batch, int threads) => PackedGemm.ScratchElements(threads);

    private protected override void Run(float* input, int batch, float* output, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        int pq = p.P * p.Q;
        var job = new GemmJob
        {
            Batch = batch, N = pq,
            C = output, Ldc = pq, CGroupStride = (long)(p.K / p.Groups) * pq, CBatchStride = (long)p.K * pq,
            Bias = PinnedBias, Residual = residual, Activation = Activation, Scratch = scratch,
        };
        PackedGemm.Run(_w, ref job, new Im2ColSource(input, p), scheduler);
    }

    private float* PinnedBias => (float*)Unsafe.AsPointer(ref Bias[0]);   // Bias is allocated pinned
}

/// <summary>Rows of the im2col matrix, produced on demand: row k = tap (c, r, s), column n = pixel (p, q).</summary>
internal unsafe struct Im2ColSource : IBSource
{
    private readonly float* _x;
    private readonly int _c, _h, _w, _cg, _r, _s, _q, _sh, _sw, _pt, _pl, _dh, _dw;

    public Im2ColSource(float* x, in ConvParams p)
    {
        _x = x; _c = p.C; _h = p.H; _w = p.W; _cg = p.C / p.Groups; _r = p.R; _s = p.S; _q = p.Q;
        _sh = p.StrideH; _sw = p.StrideW; _pt = p.PadTop; _pl = p.PadLeft; _dh = p.DilationH; _dw = p.DilationW;
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
                    for (int j = 0, iw = iw0; j < len; j++, iw += _sw)
                        d[j] = (uint)iw < (uint)_w ? row[iw] : 0f;
                }
            }
            d += len; left -= len; oq = 0; op++;
        }
        return tmp;
    }
}
