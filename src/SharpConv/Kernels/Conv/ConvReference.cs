// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups.
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// The readable convolution, the oracle for every fast algorithm: seven nested loops, sums in double,
/// then bias, residual and activation in that order. No tricks.
/// </summary>
public static class ConvReference
{
    /// <summary><c>out[n,k,p,q] = act(Σ_{c,r,s} in[n, g·C/G + c, p·sh − pt + r·dh, q·sw − pl + s·dw] · w[k,c,r,s]
    /// + bias[k] + residual[n,k,p,q])</c>, out-of-image taps read zero.</summary>
    public static void Run(ReadOnlySpan<float> input, int batch, in ConvParams p, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Activation activation, ReadOnlySpan<float> residual, Span<float> output)
    {
        p.Validate();
        int cg = p.C / p.Groups, kg = p.K / p.Groups, P = p.P, Q = p.Q;
        for (int n = 0; n < batch; n++)
        for (int k = 0; k < p.K; k++)
        {
            int g = k / kg;
            for (int op = 0; op < P; op++)
            for (int oq = 0; oq < Q; oq++)
            {
                double sum = 0;
                for (int c = 0; c < cg; c++)
                for (int r = 0; r < p.R; r++)
                {
                    int ih = op * p.StrideH - p.PadTop + r * p.DilationH;
                    if (ih < 0 || ih >= p.H) continue;
                    for (int s = 0; s < p.S; s++)
                    {
                        int iw = oq * p.StrideW - p.PadLeft + s * p.DilationW;
                        if (iw < 0 || iw >= p.W) continue;
                        sum += (double)input[((n * p.C + g * cg + c) * p.H + ih) * p.W + iw]
                             * weights[((k * cg + c) * p.R + r) * p.S + s];
                    }
                }
                long o = ((long)(n * p.K + k) * P + op) * Q + oq;
                float v = (float)sum;
                if (!bias.IsEmpty) v += bias[k];
                if (!residual.IsEmpty) v += residual[(int)o];
                output[(int)o] = activation.Apply(v);
            }
        }
    }
}

/// <summary><see cref="ConvReference"/> behind the <see cref="PreparedConv"/> interface.</summary>
internal sealed unsafe class ReferenceConv : PreparedConv
{
    private readonly float[] _weights;

    public ReferenceConv(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act)
        : base(p, ConvAlgorithm.Reference, bias, act) => _weights = weights.ToArray();

    public override int ScratchElements(int batch, int threads) => 0;

    // The oracle's loops index dense NCHW; strided calls reach it one image at a time.
    private protected override bool WritesStridedOutput => false;

    private protected override void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        int outLen = checked((int)(p.OutputElements * batch));
        ConvReference.Run(new ReadOnlySpan<float>(input, checked((int)(p.InputElements * batch))), batch, p, _weights, Bias, Activation,
            residual == null ? default : new ReadOnlySpan<float>(residual, outLen), new Span<float>(output, outLen));
    }
}
