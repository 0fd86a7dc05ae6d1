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
    private readonly PackedMatrix _w;
    private readonly PackedMatrix? _wt;   // the weights as right operand, for one image with few pixels (TransposedGemm)

    /// <summary>Whether single images run on <see cref="TransposedGemm"/> (small maps).</summary>
    internal bool Transposed => _wt != null;

    public Pointwise(in ConvParams p, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation act, SimdWidth width)
        : base(p, ConvAlgorithm.Pointwise, bias, act)
    {
        int m = p.K / p.Groups, k = p.C / p.Groups;
        _w = PackedMatrix.Pack(weights, m, k, p.Groups, width);
        if (TransposedGemm.Choose(m, p.P * p.Q, k, p.Groups, _w.Kernel, width) is { } kr)
            _wt = PackedMatrix.PackAsRightOperand(weights, m, k, p.Groups, kr);
    }

    public override int ScratchElements(int batch, int threads) => BatchFold.Pays(Params, batch, _w.Kernel.NR)
        ? (int)BatchFold.ScratchElements(Params, batch, threads)
        : _wt != null ? (int)TransposedGemm.ScratchElements(_wt, Params.P * Params.Q, threads) : PackedGemm.ScratchElements(threads);

    private protected override void Run(float* input, int batch, float* output, float* residual, Scheduler scheduler, float* scratch)
    {
        var p = Params;
        int hw = p.H * p.W;
        var src = new MatrixSource { B = input, Ldb = hw, GroupStride = (long)(p.C / p.Groups) * hw, BatchStride = (long)p.C * hw };
        if (BatchFold.Pays(p, batch, _w.Kernel.NR))
        {
            BatchFold.Run(_w, p, src, batch, output, residual, (float*)Unsafe.AsPointer(ref Bias[0]), Activation, scheduler, scratch);
            return;
        }
        if (_wt != null)
        {
            long image = (long)p.K * hw;
            for (int b = 0; b < batch; b++)
                TransposedGemm.Run(_wt, src, b, hw, output + b * image, residual == null ? null : residual + b * image,
                    (float*)Unsafe.AsPointer(ref Bias[0]), Activation, scheduler, scratch);
            return;
        }
        var job = new GemmJob
        {
            Batch = batch, N = hw,
            C = output, Ldc = hw, CGroupStride = (long)(p.K / p.Groups) * hw, CBatchStride = (long)p.K * hw,
            Bias = (float*)Unsafe.AsPointer(ref Bias[0]), Residual = residual, Activation = Activation, Scratch = scratch,
        };
        PackedGemm.Run(_w, ref job, src, scheduler);
    }
}
