// Dimension legend: M rows of C (output channels) · N columns (pixels) · K reduction length · G groups.
namespace SharpConv.Kernels.Gemm;

/// <summary>
/// The naive GEMM, the oracle for <see cref="PackedGemm"/>: a triple loop summing in double, then the same
/// epilogue (bias, residual, activation) in the same order. Slow on purpose; obviously right.
/// </summary>
public static class GemmReference
{
    /// <summary><c>C_g = act(A_g·B_g + bias + residual)</c> per group, all row-major with groups stacked
    /// (A is G·M×K, B is G·K×N, C is G·M×N).</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Activation activation, int groups = 1)
    {
        for (int g = 0; g < groups; g++)
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
                sum += (double)a[(g * m + i) * k + p] * b[(g * k + p) * n + j];
            float v = (float)sum;
            if (!bias.IsEmpty) v += bias[g * m + i];
            if (!residual.IsEmpty) v += residual[(g * m + i) * n + j];
            c[(g * m + i) * n + j] = activation.Apply(v);
        }
    }
}
