// Dimension legend: N batch · C in-channels = G groups · K = C·multiplier out-channels · H×W input · P×Q output · R×S kernel.
using System.Runtime.CompilerServices;
using System.Numerics;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// Depthwise convolution (groups == C; output channel k reads input channel k / multiplier). There is no
/// reduction over channels, so GEMM has nothing to block: each (image, output channel) item copies its input plane
/// into a zero-padded per-thread buffer (no bounds checks after that) and, for stride 1, slides vectors of
/// Vector&lt;float&gt; output pixels along each row, one FMA per tap; other strides use a scalar loop.
/// </summary>
internal sealed unsafe class Depthwise : PreparedConv
{
    private readonly float[] _w;   // K × R × S
    private readonly int _hp, _wp;

    public Depthwise(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act)
        : base(p, ConvAlgorithm.Depthwise, bias, act)
    {
        _w = weights.ToArray();
        _hp = Math.Max(p.H + p.PadTop + p.PadBottom, (p.P - 1) * p.StrideH + (p.R - 1) * p.DilationH + 1);
        // + a vector of slack so the stride-1 path may read a whole vector past the last output pixel.
        _wp = Math.Max(p.W + p.PadLeft + p.PadRight, (p.Q - 1) * p.StrideW + (p.S - 1) * p.DilationW + 1) + Vector<float>.Count;
    }

    private int PerThread => _hp * _wp + 2 * Vector<float>.Count;

    public override int ScratchElements(int batch, int threads) => threads * PerThread;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch)
    {
        fixed (float* w = _w)
            scheduler.For(batch * Params.K, new Body { Conv = this, X = input, W = w, Y = output, OutStride = outStride, Residual = residual, Scratch = scratch });
    }

    private struct Body : IParallelBody
    {
        public Depthwise Conv;
        public float* X, W, Y, Residual, Scratch;
        public long OutStride;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            float* pad = Scratch + (long)thread * Conv.PerThread;
            for (int item = begin; item < end; item++) Conv.Plane(this, item, pad);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Plane(in Body job, int item, float* pad)
    {
        var p = Params;
        int k = item % p.K, n = item / p.K, c = k / (p.K / p.C);
        int P = p.P, Q = p.Q, R = p.R, S = p.S, VL = Vector<float>.Count;
        new Span<float>(pad, _hp * _wp).Clear();
        float* src = job.X + ((long)n * p.C + c) * p.H * p.W;
        for (int y = 0; y < p.H; y++)
            new ReadOnlySpan<float>(src + (long)y * p.W, p.W).CopyTo(new Span<float>(pad + (long)(y + p.PadTop) * _wp + p.PadLeft, p.W));

        float* w = job.W + (long)k * R * S;
        long plane = n * job.OutStride + (long)k * P * Q;
        float* y0 = job.Y + plane;
        float* r0 = job.Residual == null ? null : job.Residual + plane;
        float bias = Bias[k];
        bool clamp = !Activation.IsIdentity;
        var vb = new Vector<float>(bias);
        var vmin = new Vector<float>(Activation.Min); var vmax = new Vector<float>(Activation.Max);

        for (int op = 0; op < P; op++)
        {
            float* yr = y0 + (long)op * Q;
            float* rr = r0 == null ? null : r0 + (long)op * Q;
            float* xr = pad + (long)op * p.StrideH * _wp;
            int oq = 0;
            if (p.StrideW == 1)
            {
                for (; oq + VL <= Q; oq += VL)
                {
                    var acc = Vector<float>.Zero;
                    for (int r = 0; r < R; r++)
                    {
                        float* x = xr + (long)r * p.DilationH * _wp + oq;
                        for (int s = 0; s < S; s++)
                            acc = Vector.FusedMultiplyAdd(new Vector<float>(w[r * S + s]), Vector.Load(x + s * p.DilationW), acc);
                    }
                    acc += vb;
                    if (rr != null) acc += Vector.Load(rr + oq);
                    if (clamp) acc = Activation.Clamp(acc, vmin, vmax);
                    Vector.Store(acc, yr + oq);
                }
            }
            for (; oq < Q; oq++)
            {
                float acc = 0f;
                for (int r = 0; r < R; r++)
                {
                    float* x = xr + (long)r * p.DilationH * _wp + oq * p.StrideW;
                    for (int s = 0; s < S; s++) acc = MathF.FusedMultiplyAdd(w[r * S + s], x[s * p.DilationW], acc);
                }
                acc += bias;
                if (rr != null) acc += rr[oq];
                if (clamp) acc = Activation.Apply(acc);
                yr[oq] = acc;
            }
        }
    }
}
