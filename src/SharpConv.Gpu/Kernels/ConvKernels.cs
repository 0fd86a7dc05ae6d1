using ILGPU;

namespace SharpConv.Gpu.Kernels;

// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups
//                   (Cg = C/G, Kg = K/G per group) · T Winograd tiles.

/// <summary>The geometry of one convolution, shared by the im2col, direct and Winograd kernels.</summary>
internal struct ConvArgs
{
    public int N, C, H, W, K, P, Q, R, S;
    public int StrideH, StrideW, PadTop, PadLeft, DilationH, DilationW;
    public int Groups, Cg, Kg;
    /// <summary>First image of the chunk being processed (im2col and Winograd chunk the batch to bound scratch).</summary>
    public int ImageStart;
    /// <summary>Images in the chunk.</summary>
    public int Images;
    /// <summary>Non-zero: a bias per output channel.</summary>
    public int HasBias;
    /// <summary>Non-zero: a residual of the output's shape is added before the clamp.</summary>
    public int HasResidual;
    /// <summary>The epilogue clamp.</summary>
    public float Min, Max;
}

/// <summary>
/// im2col: unrolls the receptive fields of a chunk of images into a <c>(C·R·S) × (Images·P·Q)</c> matrix, so the
/// convolution becomes one GEMM per group (group g owns rows <c>g·Cg·R·S …</c>, contiguous because its input channels
/// are). Taps in the zero padding are written as 0 — the GEMM then needs no bounds logic. One thread per element.
/// </summary>
internal static class Im2ColKernel
{
    /// <summary>Element <paramref name="index"/> of the column matrix.</summary>
    public static void Run(Index1D index, ConvArgs p, ArrayView<float> x, ArrayView<float> col)
    {
        int cols = p.Images * p.P * p.Q;
        int row = index / cols, j = index % cols;
        int s = row % p.S, r = row / p.S % p.R, c = row / (p.S * p.R);
        int q = j % p.Q, oy = j / p.Q % p.P, b = j / (p.Q * p.P) + p.ImageStart;
        int iy = oy * p.StrideH - p.PadTop + r * p.DilationH;
        int ix = q * p.StrideW - p.PadLeft + s * p.DilationW;
        col[index] = iy >= 0 && iy < p.H && ix >= 0 && ix < p.W ? x[(((long)b * p.C + c) * p.H + iy) * p.W + ix] : 0f;
    }
}

/// <summary>
/// Direct convolution, one thread per output element summing its group's <c>Cg·R·S</c> taps. For depthwise and
/// narrow grouped convolutions (Cg or Kg of a few channels) the GEMM would be a sliver; here every thread does all its
/// work from the input directly, with no scratch. Also the fallback any convolution can be forced onto in tests.
/// </summary>
internal static class DirectConvKernel
{
    /// <summary>Output element <paramref name="index"/> (NCHW order).</summary>
    public static void Run(Index1D index, ConvArgs p, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias,
        ArrayView<float> residual, ArrayView<float> y)
    {
        int q = index % p.Q, oy = index / p.Q % p.P, k = index / (p.Q * p.P) % p.K, b = index / (p.Q * p.P * p.K);
        int g = k / p.Kg;
        float sum = 0f;
        for (int ic = 0; ic < p.Cg; ic++)
        {
            long xPlane = ((long)b * p.C + g * p.Cg + ic) * p.H;
            long wRow = ((long)k * p.Cg + ic) * p.R;
            for (int r = 0; r < p.R; r++)
            {
                int iy = oy * p.StrideH - p.PadTop + r * p.DilationH;
                if (iy < 0 || iy >= p.H) continue;
                for (int s = 0; s < p.S; s++)
                {
                    int ix = q * p.StrideW - p.PadLeft + s * p.DilationW;
                    if (ix < 0 || ix >= p.W) continue;
                    sum += x[(xPlane + iy) * p.W + ix] * weight[(wRow + r) * p.S + s];
                }
            }
        }
        if (p.HasBias != 0) sum += bias[k];
        if (p.HasResidual != 0) sum += residual[index];
        y[index] = Epilog.Clamp(sum, p.Min, p.Max);
    }
}

/// <summary>
/// Winograd F(2×2, 3×3) for 3×3 stride-1 undilated ungrouped convolutions (Lavin &amp; Gray, 2015): each 2×2 output tile
/// comes from a 4×4 input tile with 16 multiplies per channel instead of 36. The weights are transformed once at load
/// (<c>U = G·g·Gᵀ</c>, on the host); per run the input tiles are transformed (<c>V = Bᵀ·d·B</c>), the 16 products
/// <c>M[ξ] = U[ξ]·V[ξ]</c> run as one batched GEMM, and the output transform <c>Y = Aᵀ·M·A</c> applies bias, residual
/// and clamp in its store. Scratch layout: V as <c>16 × C × T</c>, M as <c>16 × K × T</c>, T = Images·⌈P/2⌉·⌈Q/2⌉.
/// </summary>
internal static class WinogradKernels
{
    /// <summary>The weight transform of one K×C×3×3 filter bank into <c>16 × K × C</c> (done once, on the host).</summary>
    public static float[] TransformWeights(ReadOnlySpan<float> w, int k, int c)
    {
        // G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]; U = G·g·Gᵀ, computed in double and rounded once.
        var u = new float[16 * k * c];
        Span<double> t = stackalloc double[12];
        for (int ko = 0; ko < k; ko++)
            for (int ci = 0; ci < c; ci++)
            {
                var g = w.Slice((ko * c + ci) * 9, 9);
                for (int j = 0; j < 3; j++) // t = G·g (4×3)
                {
                    double g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                    t[j] = g0; t[3 + j] = 0.5 * (g0 + g1 + g2); t[6 + j] = 0.5 * (g0 - g1 + g2); t[9 + j] = g2;
                }
                for (int i = 0; i < 4; i++) // U = t·Gᵀ (4×4)
                {
                    double t0 = t[i * 3], t1 = t[i * 3 + 1], t2 = t[i * 3 + 2];
                    u[((long)(i * 4 + 0) * k + ko) * c + ci] = (float)t0;
                    u[((long)(i * 4 + 1) * k + ko) * c + ci] = (float)(0.5 * (t0 + t1 + t2));
                    u[((long)(i * 4 + 2) * k + ko) * c + ci] = (float)(0.5 * (t0 - t1 + t2));
                    u[((long)(i * 4 + 3) * k + ko) * c + ci] = (float)t2;
                }
            }
        return u;
    }

    /// <summary>Input transform: thread <paramref name="index"/> = (channel, tile) writes the 16 values of <c>Bᵀ·d·B</c>.</summary>
    public static void Input(Index1D index, ConvArgs p, ArrayView<float> x, ArrayView<float> v)
    {
        int tilesP = (p.P + 1) / 2, tilesQ = (p.Q + 1) / 2;
        int tiles = p.Images * tilesP * tilesQ;
        int c = index / tiles, t = index % tiles;
        int tq = t % tilesQ, tp = t / tilesQ % tilesP, b = t / (tilesQ * tilesP) + p.ImageStart;
        int y0 = tp * 2 - p.PadTop, x0 = tq * 2 - p.PadLeft;
        long plane = ((long)b * p.C + c) * p.H;

        // d: the 4×4 input tile (zeros outside the image); rows first: e = Bᵀ·d, then columns: V = e·B.
        float d00 = Tap(p, x, plane, y0, x0), d01 = Tap(p, x, plane, y0, x0 + 1), d02 = Tap(p, x, plane, y0, x0 + 2), d03 = Tap(p, x, plane, y0, x0 + 3);
        float d10 = Tap(p, x, plane, y0 + 1, x0), d11 = Tap(p, x, plane, y0 + 1, x0 + 1), d12 = Tap(p, x, plane, y0 + 1, x0 + 2), d13 = Tap(p, x, plane, y0 + 1, x0 + 3);
        float d20 = Tap(p, x, plane, y0 + 2, x0), d21 = Tap(p, x, plane, y0 + 2, x0 + 1), d22 = Tap(p, x, plane, y0 + 2, x0 + 2), d23 = Tap(p, x, plane, y0 + 2, x0 + 3);
        float d30 = Tap(p, x, plane, y0 + 3, x0), d31 = Tap(p, x, plane, y0 + 3, x0 + 1), d32 = Tap(p, x, plane, y0 + 3, x0 + 2), d33 = Tap(p, x, plane, y0 + 3, x0 + 3);

        // Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]
        float e00 = d00 - d20, e01 = d01 - d21, e02 = d02 - d22, e03 = d03 - d23;
        float e10 = d10 + d20, e11 = d11 + d21, e12 = d12 + d22, e13 = d13 + d23;
        float e20 = d20 - d10, e21 = d21 - d11, e22 = d22 - d12, e23 = d23 - d13;
        float e30 = d10 - d30, e31 = d11 - d31, e32 = d12 - d32, e33 = d13 - d33;

        long stride = (long)p.C * tiles, at = (long)c * tiles + t;
        Put4(v, at, stride, 0, e00 - e02, e01 + e02, e02 - e01, e01 - e03);
        Put4(v, at, stride, 4, e10 - e12, e11 + e12, e12 - e11, e11 - e13);
        Put4(v, at, stride, 8, e20 - e22, e21 + e22, e22 - e21, e21 - e23);
        Put4(v, at, stride, 12, e30 - e32, e31 + e32, e32 - e31, e31 - e33);
    }

    private static float Tap(ConvArgs p, ArrayView<float> x, long plane, int iy, int ix) =>
        iy >= 0 && iy < p.H && ix >= 0 && ix < p.W ? x[(plane + iy) * p.W + ix] : 0f;

    private static void Put4(ArrayView<float> v, long at, long stride, int xi, float a, float b, float c, float d)
    {
        v[at + xi * stride] = a; v[at + (xi + 1) * stride] = b; v[at + (xi + 2) * stride] = c; v[at + (xi + 3) * stride] = d;
    }

    /// <summary>Output transform: thread <paramref name="index"/> = (out-channel, tile) writes up to 2×2 outputs of <c>Aᵀ·M·A</c> with the epilogue.</summary>
    public static void Output(Index1D index, ConvArgs p, ArrayView<float> m, ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> y)
    {
        int tilesP = (p.P + 1) / 2, tilesQ = (p.Q + 1) / 2;
        int tiles = p.Images * tilesP * tilesQ;
        int k = index / tiles, t = index % tiles;
        int tq = t % tilesQ, tp = t / tilesQ % tilesP, b = t / (tilesQ * tilesP);
        long stride = (long)p.K * tiles, at = (long)k * tiles + t;

        // Aᵀ = [[1,1,1,0],[0,1,−1,−1]]: first combine the 4 rows into 2, then the 4 columns into 2.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, u0 = 0, u1 = 0, u2 = 0, u3 = 0;
        for (int j = 0; j < 4; j++)
        {
            float m0 = m[at + j * stride], m1 = m[at + (4 + j) * stride], m2 = m[at + (8 + j) * stride], m3 = m[at + (12 + j) * stride];
            float top = m0 + m1 + m2, bottom = m1 - m2 - m3;
            if (j == 0) { s0 = top; u0 = bottom; }
            else if (j == 1) { s1 = top; u1 = bottom; }
            else if (j == 2) { s2 = top; u2 = bottom; }
            else { s3 = top; u3 = bottom; }
        }
        float bk = p.HasBias != 0 ? bias[k] : 0f;
        // The residual and output views start at the chunk's first image, so b is local to the chunk here.
        long localPlane = ((long)b * p.K + k) * p.P;
        int oy = tp * 2, ox = tq * 2;
        StoreOut(p, y, residual, localPlane, oy, ox, s0 + s1 + s2 + bk);
        StoreOut(p, y, residual, localPlane, oy, ox + 1, s1 - s2 - s3 + bk);
        StoreOut(p, y, residual, localPlane, oy + 1, ox, u0 + u1 + u2 + bk);
        StoreOut(p, y, residual, localPlane, oy + 1, ox + 1, u1 - u2 - u3 + bk);
    }

    private static void StoreOut(ConvArgs p, ArrayView<float> y, ArrayView<float> residual, long plane, int oy, int ox, float v)
    {
        if (oy >= p.P || ox >= p.Q) return;
        long at = (plane + oy) * p.Q + ox;
        if (p.HasResidual != 0) v += residual[at];
        y[at] = Epilog.Clamp(v, p.Min, p.Max);
    }
}
