using System.Runtime.CompilerServices;
// Dimension legend: N batch · K out-channels · P×Q output · G groups; M = K/G rows, depth = the GEMM's K (C/G·R·S).
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// The weights of a convolution computed as a GEMM (<see cref="Pointwise"/>, <see cref="Im2ColGemm"/>) and the one
/// place that decides how a call runs: batch folding for several images of a small map (<see cref="BatchFold"/>),
/// the transposed GEMM for single images with few pixels (<see cref="TransposedGemm"/>), else one GEMM per image and
/// group over the row source the layer provides. All three sum every output in the same order (bit-identical).
/// </summary>
internal sealed unsafe class GemmConv
{
    private readonly ConvParams _p;
    private readonly PackedMatrix _w;
    private readonly PackedMatrix? _wt;   // the weights as right operand, for one image with few pixels

    public GemmConv(in ConvParams p, ReadOnlySpan<float> weights, int depth, SimdWidth width)
    {
        _p = p;
        int m = p.K / p.Groups;
        _w = PackedMatrix.Pack(weights, m, depth, p.Groups, width);
        if (TransposedGemm.Choose(m, p.P * p.Q, depth, p.Groups, _w.Kernel, width) is { } kr)
            _wt = PackedMatrix.PackAsRightOperand(weights, m, depth, p.Groups, kr);
    }

    /// <summary>Whether single images run on <see cref="TransposedGemm"/> (small maps).</summary>
    public bool Transposed => _wt != null;

    private bool Folds(int batch) => BatchFold.Pays(_p, batch, _w.Kernel.ColumnStep);

    public int ScratchElements(int batch, int threads) => Folds(batch)
        ? (int)BatchFold.ScratchElements(_p, batch, threads)
        : _wt != null ? (int)TransposedGemm.ScratchElements(_wt, _p.P * _p.Q, threads) : PackedGemm.ScratchElements(threads);

    /// <summary><c>out = act(W · B + bias + residual)</c> for <paramref name="batch"/> images whose B rows come from
    /// <paramref name="source"/>; output image n (and its residual) starts at <paramref name="outStride"/>·n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run<TB>(TB source, int batch, float* output, long outStride, float* residual, float* bias, Activation activation,
        Scheduler scheduler, float* scratch) where TB : struct, IBSource
    {
        var p = _p;
        int pq = p.P * p.Q;
        if (Folds(batch))
        {
            BatchFold.Run(_w, p, source, batch, output, outStride, residual, bias, activation, scheduler, scratch);
            return;
        }
        if (_wt != null)
        {
            for (int b = 0; b < batch; b++)
                TransposedGemm.Run(_wt, source, b, pq, output + b * outStride, residual == null ? null : residual + b * outStride,
                    bias, activation, scheduler, scratch);
            return;
        }
        var job = new GemmJob
        {
            Batch = batch, N = pq,
            C = output, Ldc = pq, CGroupStride = (long)(p.K / p.Groups) * pq, CBatchStride = outStride,
            Bias = bias, Residual = residual, Activation = activation, Scratch = scratch,
        };
        PackedGemm.Run(_w, ref job, source, scheduler);
    }
}
