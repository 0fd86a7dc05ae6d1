// Dimension legend: N batch · C in-channels · K out-channels · H×W input = P×Q output · G groups.
// As a GEMM per image and group: out_g[K/G × HW] = W_g[K/G × C/G] · x_g[C/G × HW].
using System.Runtime.CompilerServices;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// 1×1 stride-1 unpadded convolution: an NCHW image already <em>is</em> the B matrix (C rows of H·W pixels), so
/// the GEMM reads it directly — no im2col at all.
/// </summary>
internal sealed unsafe class Pointwise : PreparedConv
{
    private readonly GemmConv _gemm;

    /// <summary>Whether single images run on <see cref="TransposedGemm"/> (small maps).</summary>
    internal bool Transposed => _gemm.Transposed;

    public Pointwise(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act, SimdWidth width)
        : base(p, ConvAlgorithm.Pointwise, bias, act)
        => _gemm = new GemmConv(p, weights, p.C / p.Groups, width);

    public override int ScratchElements(int batch, int threads) => _gemm.ScratchElements(batch, threads);

    private protected override bool ReadsStridedInput => true;

    private protected override void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        int hw = p.H * p.W;
        var src = new MatrixSource { B = input, Ldb = hw, GroupStride = (long)(p.C / p.Groups) * hw, BatchStride = inStride };
        float* bias = (float*)Unsafe.AsPointer(ref Bias[0]);
        if (InputMap is { } map) _gemm.Run(new AffineSource { Inner = src, Affine = map }, batch, output, outStride, residual, bias, Activation, scheduler, scratch);
        else _gemm.Run(src, batch, output, outStride, residual, bias, Activation, scheduler, scratch);
    }
}
