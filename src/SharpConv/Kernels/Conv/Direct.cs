// Dimension legend: N batch · C in-channels (1–4) · K out-channels · H×W input · P×Q output · R×S kernel.
// σ = horizontal stride, δ = horizontal dilation; VL = Vector<float>.Count pixels per vector.
using System.Numerics;
using System.Runtime.CompilerServices;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// Direct convolution for first layers (C ≤ 4, groups 1), e.g. AlexNet 11×11/4 and ResNet 7×7/2 on RGB.
/// With 3 input channels im2col's depth is tiny (C·R·S = 147…363) while its B matrix is R·S/stride² times the
/// image, so we skip it.
/// <para>
/// Vectors run along output pixels, so results land in NCHW rows with plain vector stores (bias, residual and clamp
/// fused). A strided row is made contiguous once: phase 1 copies each input plane into a zero-padded image whose
/// columns are split into σ phases (column x goes to phase x mod σ, slot x / σ). Tap (r, s) of output pixels
/// q … q+VL−1 then reads VL consecutive floats of phase (s·δ) mod σ from slot q + (s·δ) / σ: one vector load.
/// The register tile is 4 output channels × 3 vectors of pixels: per tap, 3 loads + 4 weight broadcasts feed 12 FMAs.
/// </para>
/// </summary>
internal sealed unsafe class Direct : PreparedConv
{
    private const int KT = 4;                       // output channels per register tile
    private const int NV = 3;                       // pixel vectors per register tile
    private static int VL => Vector<float>.Count;
    private readonly float[] _w;                    // [K/KT blocks][c][r][s][KT], zero-padded channels, pinned
    private readonly int _kBlocks, _hp, _phases, _slots;
    private readonly int[] _tapOffset;              // per s: where tap s starts in a phase-split row, pinned

    public Direct(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act)
        : base(p, ConvAlgorithm.Direct, bias, act)
    {
        _kBlocks = (p.K + KT - 1) / KT;
        int crs = p.C * p.R * p.S;
        _w = GC.AllocateArray<float>(_kBlocks * crs * KT, pinned: true);
        for (int k = 0; k < p.K; k++)
            for (int e = 0; e < crs; e++) _w[((k / KT) * crs + e) * KT + k % KT] = weights[k * crs + e];
        _phases = p.StrideW;
        // Every vector of pixels is computed whole (pixels past Q are computed and dropped), so the padded image must
        // cover the last vector's farthest tap: slot (qRounded − 1) + (S−1)·δ/σ of its phase.
        int qRounded = (p.Q + VL - 1) / VL * VL;
        int wp = p.W + p.PadLeft + p.PadRight;
        _slots = Math.Max((wp + _phases - 1) / _phases, qRounded + (p.S - 1) * p.DilationW / _phases + 1);
        _hp = Math.Max(p.H + p.PadTop + p.PadBottom, (p.P - 1) * p.StrideH + (p.R - 1) * p.DilationH + 1);
        _tapOffset = GC.AllocateArray<int>(p.S, pinned: true);
        for (int s = 0; s < p.S; s++) _tapOffset[s] = s * p.DilationW % _phases * _slots + s * p.DilationW / _phases;
    }

    private long RowFloats => (long)_phases * _slots;       // one padded, phase-split row
    private long PlaneFloats => _hp * RowFloats;
    private long PaddedImage => Params.C * PlaneFloats;

    public override int ScratchElements(int batch, int threads) => checked((int)(batch * PaddedImage + 16));

    private protected override void Run(float* input, int batch, float* output, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        float* padded = (float*)(((nint)scratch + 63) & ~(nint)63);
        // Phase 1: zero-padded, phase-split copies (cheap: ≤ 4 channels).
        scheduler.For(batch * p.C, new PadBody { Conv = this, X = input, Dst = padded });
        // Phase 2: items = (image, output row, channel block): batch 1 has P·K/KT items for every core.
        fixed (float* w = _w)
            scheduler.For(batch * p.P * _kBlocks, new Body { Conv = this, X = padded, W = w, Y = output, Residual = residual });
    }

    private struct PadBody : IParallelBody
    {
        public Direct Conv;
        public float* X, Dst;

        public void Run(int begin, int end, int thread)
        {
            var p = Conv.Params;
            int phases = Conv._phases, slots = Conv._slots;
            for (int plane = begin; plane < end; plane++)
            {
                float* d = Dst + plane * Conv.PlaneFloats;
                new Span<float>(d, (int)Conv.PlaneFloats).Clear();
                float* s = X + (long)plane * p.H * p.W;
                for (int y = 0; y < p.H; y++)
                {
                    float* src = s + (long)y * p.W;
                    float* row = d + (y + p.PadTop) * Conv.RowFloats;
                    if (phases == 1)
                    {
                        new ReadOnlySpan<float>(src, p.W).CopyTo(new Span<float>(row + p.PadLeft, p.W));
                        continue;
                    }
                    for (int x = 0; x < p.W; x++)
                    {
                        int px = x + p.PadLeft;
                        row[(px % phases) * slots + px / phases] = src[x];
                    }
                }
            }
        }
    }

    private struct Body : IParallelBody
    {
        public Direct Conv;
        public float* X, W, Y, Residual;

        public void Run(int begin, int end, int thread)
        {
            for (int item = begin; item < end; item++) Conv.Row(this, item);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row(in Body job, int item)
    {
        var p = Params;
        int kb = item % _kBlocks, rest = item / _kBlocks;
        int op = rest % p.P, n = rest / p.P;
        int k0 = kb * KT, kCount = Math.Min(KT, p.K - k0);
        int crs = p.C * p.R * p.S;
        float* xImg = job.X + n * PaddedImage;
        float* w = job.W + (long)kb * crs * KT;
        long pq = (long)p.P * p.Q;
        float* y0 = job.Y + (n * (long)p.K + k0) * pq + (long)op * p.Q;
        float* r0 = job.Residual == null ? null : job.Residual + (n * (long)p.K + k0) * pq + (long)op * p.Q;
        int vl = VL, q = 0;
        for (; q + NV * vl <= p.Q || (q < p.Q && p.Q - q > (NV - 1) * vl); q += NV * vl)
            Tile3(xImg, w, q, op, y0, r0, pq, kCount, k0);
        for (; q < p.Q; q += vl)
            Tile1(xImg, w, q, op, y0, r0, pq, kCount, k0);
    }

    // 4 channels × 3 vectors of pixels starting at q.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Tile3(float* xImg, float* w, int q, int op, float* y0, float* r0, long pq, int kCount, int k0)
    {
        var p = Params;
        int vl = VL;
        int* taps = (int*)Unsafe.AsPointer(ref _tapOffset[0]);   // pinned
        Vector<float> a0 = default, a1 = default, a2 = default, b0 = default, b1 = default, b2 = default,
            c0 = default, c1 = default, c2 = default, d0 = default, d1 = default, d2 = default;
        for (int c = 0; c < p.C; c++)
        for (int r = 0; r < p.R; r++)
        {
            float* row = xImg + c * PlaneFloats + (op * p.StrideH + r * p.DilationH) * RowFloats;
            for (int s = 0; s < p.S; s++, w += KT)
            {
                float* x = row + taps[s] + q;
                var x0 = Vector.Load(x); var x1 = Vector.Load(x + vl); var x2 = Vector.Load(x + 2 * vl);
                var wv = new Vector<float>(w[0]);
                a0 = Vector.FusedMultiplyAdd(wv, x0, a0); a1 = Vector.FusedMultiplyAdd(wv, x1, a1); a2 = Vector.FusedMultiplyAdd(wv, x2, a2);
                wv = new Vector<float>(w[1]);
                b0 = Vector.FusedMultiplyAdd(wv, x0, b0); b1 = Vector.FusedMultiplyAdd(wv, x1, b1); b2 = Vector.FusedMultiplyAdd(wv, x2, b2);
                wv = new Vector<float>(w[2]);
                c0 = Vector.FusedMultiplyAdd(wv, x0, c0); c1 = Vector.FusedMultiplyAdd(wv, x1, c1); c2 = Vector.FusedMultiplyAdd(wv, x2, c2);
                wv = new Vector<float>(w[3]);
                d0 = Vector.FusedMultiplyAdd(wv, x0, d0); d1 = Vector.FusedMultiplyAdd(wv, x1, d1); d2 = Vector.FusedMultiplyAdd(wv, x2, d2);
            }
        }
        Store(a0, 0, q, y0, r0, pq, kCount, k0); Store(a1, 0, q + vl, y0, r0, pq, kCount, k0); Store(a2, 0, q + 2 * vl, y0, r0, pq, kCount, k0);
        Store(b0, 1, q, y0, r0, pq, kCount, k0); Store(b1, 1, q + vl, y0, r0, pq, kCount, k0); Store(b2, 1, q + 2 * vl, y0, r0, pq, kCount, k0);
        Store(c0, 2, q, y0, r0, pq, kCount, k0); Store(c1, 2, q + vl, y0, r0, pq, kCount, k0); Store(c2, 2, q + 2 * vl, y0, r0, pq, kCount, k0);
        Store(d0, 3, q, y0, r0, pq, kCount, k0); Store(d1, 3, q + vl, y0, r0, pq, kCount, k0); Store(d2, 3, q + 2 * vl, y0, r0, pq, kCount, k0);
    }

    // 4 channels × 1 vector of pixels (row tails): the same taps in the same order, so a pixel's sum does not
    // depend on which tile computed it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Tile1(float* xImg, float* w, int q, int op, float* y0, float* r0, long pq, int kCount, int k0)
    {
        var p = Params;
        int* taps = (int*)Unsafe.AsPointer(ref _tapOffset[0]);   // pinned
        Vector<float> a0 = default, b0 = default, c0 = default, d0 = default;
        for (int c = 0; c < p.C; c++)
        for (int r = 0; r < p.R; r++)
        {
            float* row = xImg + c * PlaneFloats + (op * p.StrideH + r * p.DilationH) * RowFloats;
            for (int s = 0; s < p.S; s++, w += KT)
            {
                var x0 = Vector.Load(row + taps[s] + q);
                a0 = Vector.FusedMultiplyAdd(new Vector<float>(w[0]), x0, a0);
                b0 = Vector.FusedMultiplyAdd(new Vector<float>(w[1]), x0, b0);
                c0 = Vector.FusedMultiplyAdd(new Vector<float>(w[2]), x0, c0);
                d0 = Vector.FusedMultiplyAdd(new Vector<float>(w[3]), x0, d0);
            }
        }
        Store(a0, 0, q, y0, r0, pq, kCount, k0); Store(b0, 1, q, y0, r0, pq, kCount, k0);
        Store(c0, 2, q, y0, r0, pq, kCount, k0); Store(d0, 3, q, y0, r0, pq, kCount, k0);
    }

    /// <summary>Bias, residual, clamp, then the valid pixels of one vector into output channel k0 + kk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(Vector<float> v, int kk, int q, float* y0, float* r0, long pq, int kCount, int k0)
    {
        if (kk >= kCount) return;
        int valid = Math.Min(VL, Params.Q - q);
        if (valid <= 0) return;
        float* y = y0 + kk * pq + q;
        v += new Vector<float>(Bias[k0 + kk]);
        if (valid == VL)
        {
            if (r0 != null) v += Vector.Load(r0 + kk * pq + q);
            if (!Activation.IsIdentity) v = Vector.Min(Vector.Max(v, new Vector<float>(Activation.Min)), new Vector<float>(Activation.Max));
            Vector.Store(v, y);
        }
        else
        {
            for (int j = 0; j < valid; j++)
            {
                float s = v[j];
                if (r0 != null) s += r0[kk * pq + q + j];
                if (!Activation.IsIdentity) s = MathF.Min(MathF.Max(s, Activation.Min), Activation.Max);
                y[j] = s;
            }
        }
    }
}
