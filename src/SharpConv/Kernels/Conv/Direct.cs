// Dimension legend: N batch · C in-channels (1–4) · K out-channels · H×W input · P×Q output · R×S kernel.
using System.Numerics;
using System.Runtime.CompilerServices;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// Direct convolution for first layers (C ≤ 4, groups 1), e.g. AlexNet 11×11/4 and ResNet 7×7/2 on RGB.
/// With 3 input channels im2col's depth is tiny (C·R·S = 147…363) while its B matrix is R·S/stride² times the
/// image, so we skip it: the input is copied once into a zero-padded image (no bounds checks afterwards), the
/// weights are packed [c][r][s][K] so a vector holds consecutive output channels, and the register tile is
/// 6 output pixels × 2 vectors of channels: per tap, 2 weight loads + 6 broadcasts feed 12 FMAs.
/// </summary>
internal sealed unsafe class Direct : PreparedConv
{
    private const int PX = 6;                         // pixels per register tile
    private static int KB => 2 * Vector<float>.Count; // channels per register tile
    private readonly float[] _w;                      // [c][r][s][kPad], pinned
    private readonly int _kPad, _hp, _wp;

    public Direct(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act)
        : base(p, ConvAlgorithm.Direct, bias, act)
    {
        _kPad = (p.K + KB - 1) / KB * KB;
        int crs = p.C * p.R * p.S;
        _w = GC.AllocateArray<float>(crs * _kPad, pinned: true);
        for (int k = 0; k < p.K; k++)
            for (int e = 0; e < crs; e++) _w[e * _kPad + k] = weights[k * crs + e];
        // The padded image must cover every tap of every pixel, including the PX-pixel tile overrun at the
        // row end (those pixels are computed and discarded).
        int qPad = (p.Q + PX - 1) / PX * PX;
        _hp = Math.Max(p.H + p.PadTop + p.PadBottom, (p.P - 1) * p.StrideH + (p.R - 1) * p.DilationH + 1);
        _wp = Math.Max(p.W + p.PadLeft + p.PadRight, (qPad - 1) * p.StrideW + (p.S - 1) * p.DilationW + 1);
    }

    private long PaddedImage => (long)Params.C * _hp * _wp;

    public override int ScratchElements(int batch, int threads) => checked((int)(batch * PaddedImage + threads * (KB * PX + 16)));

    private protected override void Run(float* input, int batch, float* output, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        float* padded = scratch;
        // Phase 1: zero-padded copies (cheap: ≤ 4 channels).
        scheduler.For(batch * p.C, new PadBody { X = input, Dst = padded, P = p, Hp = _hp, Wp = _wp });
        // Phase 2: items = (image, output row, channel block): batch 1 has P·K/KB items for both cores.
        int kBlocks = _kPad / KB;
        fixed (float* w = _w)
            scheduler.For(batch * p.P * kBlocks, new Body
            {
                Conv = this, X = padded, W = w, Y = output, Residual = residual, KBlocks = kBlocks,
                Tmp = padded + batch * PaddedImage,
            });
    }

    private struct PadBody : IParallelBody
    {
        public float* X, Dst;
        public ConvParams P;
        public int Hp, Wp;

        public void Run(int begin, int end, int thread)
        {
            for (int plane = begin; plane < end; plane++)
            {
                float* d = Dst + (long)plane * Hp * Wp;
                new Span<float>(d, Hp * Wp).Clear();
                float* s = X + (long)plane * P.H * P.W;
                for (int y = 0; y < P.H; y++)
                    new ReadOnlySpan<float>(s + (long)y * P.W, P.W).CopyTo(new Span<float>(d + (long)(y + P.PadTop) * Wp + P.PadLeft, P.W));
            }
        }
    }

    private struct Body : IParallelBody
    {
        public Direct Conv;
        public float* X, W, Y, Residual, Tmp;
        public int KBlocks;

        public void Run(int begin, int end, int thread)
        {
            float* tile = Tmp + thread * (KB * PX + 16);
            for (int item = begin; item < end; item++) Conv.Row(this, item, tile);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private void Row(in Body job, int item, float* tile)
    {
        var p = Params;
        int kb = item % job.KBlocks, rest = item / job.KBlocks;
        int op = rest % p.P, n = rest / p.P;
        int VL = Vector<float>.Count, k0 = kb * KB, kCount = Math.Min(KB, p.K - k0);
        long plane = (long)_hp * _wp;
        float* xImg = job.X + n * PaddedImage;
        long pq = (long)p.P * p.Q;
        bool clamp = !Activation.IsIdentity;
        int sw = p.StrideW;

        for (int q0 = 0; q0 < p.Q; q0 += PX)
        {
            Vector<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default,
                d0 = default, d1 = default, e0 = default, e1 = default, f0 = default, f1 = default;
            float* w = job.W + k0;
            for (int c = 0; c < p.C; c++)
            for (int r = 0; r < p.R; r++)
            {
                float* x = xImg + c * plane + (long)(op * p.StrideH + r * p.DilationH) * _wp + q0 * sw;
                for (int s = 0; s < p.S; s++, w += _kPad, x += p.DilationW)
                {
                    var w0 = Vector.Load(w); var w1 = Vector.Load(w + VL);
                    var v = new Vector<float>(x[0]); a0 = Vector.FusedMultiplyAdd(v, w0, a0); a1 = Vector.FusedMultiplyAdd(v, w1, a1);
                    v = new Vector<float>(x[sw]); b0 = Vector.FusedMultiplyAdd(v, w0, b0); b1 = Vector.FusedMultiplyAdd(v, w1, b1);
                    v = new Vector<float>(x[2 * sw]); c0 = Vector.FusedMultiplyAdd(v, w0, c0); c1 = Vector.FusedMultiplyAdd(v, w1, c1);
                    v = new Vector<float>(x[3 * sw]); d0 = Vector.FusedMultiplyAdd(v, w0, d0); d1 = Vector.FusedMultiplyAdd(v, w1, d1);
                    v = new Vector<float>(x[4 * sw]); e0 = Vector.FusedMultiplyAdd(v, w0, e0); e1 = Vector.FusedMultiplyAdd(v, w1, e1);
                    v = new Vector<float>(x[5 * sw]); f0 = Vector.FusedMultiplyAdd(v, w0, f0); f1 = Vector.FusedMultiplyAdd(v, w1, f1);
                }
            }
            // tile[pixel][channel]; then transpose-store into the NCHW planes with the epilogue.
            Vector.Store(a0, tile); Vector.Store(a1, tile + VL);
            Vector.Store(b0, tile + KB); Vector.Store(b1, tile + KB + VL);
            Vector.Store(c0, tile + 2 * KB); Vector.Store(c1, tile + 2 * KB + VL);
            Vector.Store(d0, tile + 3 * KB); Vector.Store(d1, tile + 3 * KB + VL);
            Vector.Store(e0, tile + 4 * KB); Vector.Store(e1, tile + 4 * KB + VL);
            Vector.Store(f0, tile + 5 * KB); Vector.Store(f1, tile + 5 * KB + VL);
            int px = Math.Min(PX, p.Q - q0);
            for (int kk = 0; kk < kCount; kk++)
            {
                int k = k0 + kk;
                float bias = Bias[k];
                long o = (n * (long)p.K + k) * pq + (long)op * p.Q + q0;
                for (int j = 0; j < px; j++)
                {
                    float v = tile[j * KB + kk] + bias;
                    if (job.Residual != null) v += job.Residual[o + j];
                    if (clamp) v = MathF.Min(MathF.Max(v, Activation.Min), Activation.Max);
                    job.Y[o + j] = v;
                }
            }
        }
    }
}
