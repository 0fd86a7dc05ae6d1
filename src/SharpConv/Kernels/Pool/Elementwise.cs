// Dimension legend: N batch · C channels · HW spatial size (H·W) of one plane.
using System.Numerics.Tensors;

namespace SharpConv.Kernels.Pool;

/// <summary>
/// Element-wise kernels on spans, built on <see cref="TensorPrimitives"/> (vectorised to the widest accelerated
/// width, tails handled): activations, batch-norm statistics folded to a scale and shift, softmax. All may run in place.
/// The per-channel scale-and-shift pass itself is <see cref="ParallelElementwise.ScaleShift(ReadOnlySpan{float}, Span{float}, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Activation, SharpConv.Runtime.Scheduler)"/>.
/// </summary>
public static class Elementwise
{
    /// <summary><c>y = max(x, 0)</c>.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary><c>y = min(max(x, act.Min), act.Max)</c>.</summary>
    public static void Apply(Activation act, ReadOnlySpan<float> x, Span<float> y)
    {
        if (act.IsIdentity) { if (!x.Overlaps(y)) x.CopyTo(y); return; }
        TensorPrimitives.Max(x, act.Min, y);
        if (!float.IsPositiveInfinity(act.Max)) TensorPrimitives.Min(y, act.Max, y);
    }

    /// <summary>Folds batch-norm statistics into <paramref name="scale"/> and <paramref name="shift"/> (per channel).</summary>
    public static void FoldBatchNorm(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> variance, float epsilon, Span<float> scale, Span<float> shift)
    {
        for (int c = 0; c < gamma.Length; c++)
        {
            float s = gamma[c] / MathF.Sqrt(variance[c] + epsilon);
            scale[c] = s;
            shift[c] = beta[c] - mean[c] * s;
        }
    }

    /// <summary>Softmax over each of <paramref name="rows"/> consecutive rows of <paramref name="length"/> values,
    /// stabilised by subtracting the row maximum (so large logits do not overflow).</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int rows, int length)
    {
        for (int r = 0; r < rows; r++)
        {
            var src = x.Slice(r * length, length);
            var dst = y.Slice(r * length, length);
            float max = TensorPrimitives.Max(src);
            TensorPrimitives.Subtract(src, max, dst);
            TensorPrimitives.Exp(dst, dst);
            float sum = TensorPrimitives.Sum(dst);
            TensorPrimitives.Divide(dst, sum, dst);
        }
    }
}
