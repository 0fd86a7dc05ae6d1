// Dimension legend: C in-channels · k one row of the GEMM's B (an input channel, for a 1×1 convolution).
using System.Runtime.CompilerServices;
using SharpConv.Kernels.Gemm;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// A per-input-channel affine map and clamp applied to the input as a convolution reads it:
/// <c>x' = clamp(x · scale[c] + shift[c])</c>. This is an unfolded BatchNorm (+ReLU) in front of the layer, such as
/// DenseNet's norm → relu → conv 1×1. The map runs while the kernel packs or pads its input, so the normalised tensor is
/// never written out and read back. Each value gets one fused multiply-add and the clamp, exactly as the separate
/// BatchNorm pass computes it, so the result is bit-identical to running that pass first.
/// </summary>
public sealed class InputAffine
{
    /// <summary>Makes the map for <paramref name="scale"/>.Length channels.</summary>
    public InputAffine(ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Activation activation)
    {
        if (scale.Length != shift.Length) throw new ArgumentException($"input affine: {scale.Length} scales but {shift.Length} shifts.");
        Scale = scale.ToArray();
        Shift = shift.ToArray();
        Activation = activation;
    }

    internal float[] Scale { get; }
    internal float[] Shift { get; }
    /// <summary>The clamp after the affine map.</summary>
    public Activation Activation { get; }
    /// <summary>Channels.</summary>
    public int Channels => Scale.Length;

    /// <summary><c>dst[i] = clamp(src[i] · scale[c] + shift[c])</c> for <paramref name="count"/> values of channel
    /// <paramref name="c"/>: the BatchNorm pass's own arithmetic (<see cref="Pool.ParallelElementwise"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal unsafe void Apply(int c, float* src, float* dst, int count)
        => Pool.ParallelElementwise.ScaleShiftRun(src, dst, count, Scale[c], Shift[c], Activation);
}

/// <summary>B rows of a 1×1 convolution (groups 1) passed through an <see cref="InputAffine"/>: each row is one input
/// channel, mapped into the caller's buffer as it is read.</summary>
internal unsafe struct AffineSource : IBSource
{
    public MatrixSource Inner;
    public InputAffine Affine;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly float* Row(int batch, int group, int k, int n0, int nc, float* tmp)
    {
        Affine.Apply(k, Inner.Row(batch, group, k, n0, nc, null), tmp, nc);
        return tmp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Prefetch(int batch, int group, int k, int n0, int nc) => Inner.Prefetch(batch, group, k, n0, nc);

    public readonly long InPlaceRowStride => 0;   // the map is applied while packing

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void CopyRows(int batch, int group, int k0, int k1, int n, float* dst, long ldd)
    {
        for (int k = k0; k < k1; k++) Row(batch, group, k, 0, n, dst + (k - k0) * ldd);
    }
}
