using ILGPU;

namespace SharpConv.Gpu.Kernels;

// Dimension legend: N batch · C channels · "area" = elements after the channel axis · for softmax: outer × len × inner.

/// <summary>Local response normalisation's parameters.</summary>
internal struct LrnArgs
{
    public int Channels, Area, Before, After;
    public float K, AlphaOverSize, Beta;
}

/// <summary>The softmax geometry: rows of <c>Len</c> values spaced <c>Inner</c> apart.</summary>
internal struct SoftmaxArgs
{
    public int Len, Inner;
    /// <summary>Non-zero: log-softmax, <c>x − max − log Σ exp(x − max)</c>.</summary>
    public int Log;
}

/// <summary>Normalisations: LRN across channels and (log-)softmax along an axis.</summary>
internal static class NormKernels
{
    /// <summary>LRN: <c>y_c = x_c / (k + α/n·Σ x_j²)^β</c> over the clipped channel window; one thread per element.</summary>
    public static void Lrn(Index1D i, LrnArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        int pos = i % p.Area, c = i / p.Area % p.Channels, b = i / (p.Area * p.Channels);
        int lo = c - p.Before < 0 ? 0 : c - p.Before;
        int hi = c + p.After > p.Channels - 1 ? p.Channels - 1 : c + p.After;
        float sum = 0f;
        for (int j = lo; j <= hi; j++)
        {
            float v = x[((long)b * p.Channels + j) * p.Area + pos];
            sum += v * v;
        }
        y[i] = x[i] / MathF.Pow(p.K + p.AlphaOverSize * sum, p.Beta);
    }

    /// <summary>
    /// Softmax along one axis; thread <paramref name="row"/> = (outer, inner) handles one row of <c>Len</c> values:
    /// max, sum of exp(x − max), then the quotients (subtracting the max keeps exp from overflowing).
    /// </summary>
    public static void Softmax(Index1D row, SoftmaxArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        int inner = row % p.Inner, outer = row / p.Inner;
        long at = (long)outer * p.Len * p.Inner + inner;
        float max = float.NegativeInfinity;
        for (int j = 0; j < p.Len; j++) { float v = x[at + (long)j * p.Inner]; if (v > max) max = v; }
        float sum = 0f;
        for (int j = 0; j < p.Len; j++) sum += MathF.Exp(x[at + (long)j * p.Inner] - max);
        if (p.Log != 0)
        {
            float log = MathF.Log(sum);
            for (int j = 0; j < p.Len; j++) y[at + (long)j * p.Inner] = x[at + (long)j * p.Inner] - max - log;
        }
        else
            for (int j = 0; j < p.Len; j++) y[at + (long)j * p.Inner] = MathF.Exp(x[at + (long)j * p.Inner] - max) / sum;
    }
}
