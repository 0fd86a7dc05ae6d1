using ILGPU;

namespace SharpConv.Gpu.Kernels;

// Dimension legend: N batch · C channels · H×W input · P×Q output · R×S window. A "plane" is one (n, c) map.
// Every kernel here is one thread per output element and mirrors its op's RunReference line by line.

/// <summary>The geometry of a windowed pool.</summary>
internal struct PoolArgs
{
    public int H, W, P, Q, R, S;
    public int StrideH, StrideW, PadTop, PadLeft, PadBottom, PadRight, DilationH, DilationW;
    /// <summary>Average pool: non-zero when padded positions count in the divisor.</summary>
    public int CountIncludePad;
}

/// <summary>Max, average, global and adaptive pooling.</summary>
internal static class PoolKernels
{
    /// <summary>Max pool: padding counts as −∞; a NaN under the window wins, as in the reference.</summary>
    public static void Max(Index1D index, PoolArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        int q = index % p.Q, oy = index / p.Q % p.P, plane = index / (p.Q * p.P);
        float max = float.NegativeInfinity;
        for (int r = 0; r < p.R; r++)
        {
            int iy = oy * p.StrideH - p.PadTop + r * p.DilationH;
            if (iy < 0 || iy >= p.H) continue;
            for (int s = 0; s < p.S; s++)
            {
                int ix = q * p.StrideW - p.PadLeft + s * p.DilationW;
                if (ix < 0 || ix >= p.W) continue;
                float v = x[((long)plane * p.H + iy) * p.W + ix];
                if (v > max || float.IsNaN(v)) max = v;
            }
        }
        y[index] = max;
    }

    /// <summary>
    /// Average pool. The window is clipped to the padded input (never counting the ceil-mode overhang); the divisor
    /// counts padded taps when <see cref="PoolArgs.CountIncludePad"/> is set, only real ones otherwise.
    /// </summary>
    public static void Average(Index1D index, PoolArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        int q = index % p.Q, oy = index / p.Q % p.P, plane = index / (p.Q * p.P);
        int y0 = oy * p.StrideH - p.PadTop, x0 = q * p.StrideW - p.PadLeft;
        int yEnd = y0 + (p.R - 1) * p.DilationH + 1, xEnd = x0 + (p.S - 1) * p.DilationW + 1;
        if (yEnd > p.H + p.PadBottom) yEnd = p.H + p.PadBottom;
        if (xEnd > p.W + p.PadRight) xEnd = p.W + p.PadRight;
        float sum = 0f; int valid = 0, padded = 0;
        for (int iy = y0; iy < yEnd; iy += p.DilationH)
            for (int ix = x0; ix < xEnd; ix += p.DilationW)
            {
                padded++;
                if (iy < 0 || iy >= p.H || ix < 0 || ix >= p.W) continue;
                sum += x[((long)plane * p.H + iy) * p.W + ix];
                valid++;
            }
        int divisor = p.CountIncludePad != 0 ? padded : valid;
        y[index] = divisor == 0 ? 0f : sum / divisor;
    }

    /// <summary>Global average (<paramref name="mode"/> 0) or max (1) over each plane of <paramref name="area"/> elements: one thread per plane.</summary>
    public static void Global(Index1D plane, int area, int mode, ArrayView<float> x, ArrayView<float> y)
    {
        long at = (long)plane.X * area;
        if (mode == 0)
        {
            float sum = 0f;
            for (int i = 0; i < area; i++) sum += x[at + i];
            y[plane] = sum / area;
        }
        else
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < area; i++) { float v = x[at + i]; if (v > max || float.IsNaN(v)) max = v; }
            y[plane] = max;
        }
    }

    /// <summary>Adaptive average pool (PyTorch's rule): cell i averages rows ⌊i·H/P⌋ … ⌈(i+1)·H/P⌉ − 1.</summary>
    public static void Adaptive(Index1D index, PoolArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        int q = index % p.Q, oy = index / p.Q % p.P, plane = index / (p.Q * p.P);
        int y0 = oy * p.H / p.P, y1 = ((oy + 1) * p.H + p.P - 1) / p.P;
        int x0 = q * p.W / p.Q, x1 = ((q + 1) * p.W + p.Q - 1) / p.Q;
        float sum = 0f;
        for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++) sum += x[((long)plane * p.H + iy) * p.W + ix];
        y[index] = sum / ((y1 - y0) * (x1 - x0));
    }
}
