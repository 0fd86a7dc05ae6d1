using ILGPU;

namespace SharpConv.Gpu.Kernels;

// Dimension legend: N batch · C channels · H×W spatial · "area" = H·W (or everything after the channel axis).
// One thread per output element throughout; these ops are memory-bound, so the only goal is coalesced access.

/// <summary>Which unary function <see cref="ElementwiseKernels.Unary"/> applies.</summary>
internal enum UnaryCode
{
    Copy = 0, Relu = 1, Clamp = 2, LeakyRelu = 3, Sigmoid = 4, Tanh = 5, Affine = 6, Pow = 7,
}

/// <summary>Which binary function <see cref="ElementwiseKernels.Binary"/> applies.</summary>
internal enum BinaryCode
{
    Add = 0, Sub = 1, Mul = 2, Div = 3,
}

/// <summary>A unary function and its two parameters (clamp bounds, leaky slope, affine multiplier and offset).</summary>
internal struct UnaryArgs
{
    public int Code;
    public float A, B;
}

/// <summary>
/// NumPy broadcasting over at most 6 axes: the output's dims (right-aligned, padded with 1s in front) and each
/// operand's element strides in the output's index space (0 on broadcast axes). <see cref="Same"/> marks the common
/// case of equal shapes, which skips the index arithmetic.
/// </summary>
internal struct BinaryArgs
{
    public int Code, Same;
    public int D0, D1, D2, D3, D4, D5;
    public long A0, A1, A2, A3, A4, A5;
    public long B0, B1, B2, B3, B4, B5;
}

/// <summary>Where <see cref="ElementwiseKernels.CopyBlocks"/> puts each block of its input (concatenation).</summary>
internal struct CopyArgs
{
    /// <summary>Contiguous elements of the input per outer index.</summary>
    public int Block;
    /// <summary>Elements of the output per outer index.</summary>
    public long OutStride;
    /// <summary>Where this input's block starts inside each output row.</summary>
    public long Offset;
}

/// <summary>ResNet's option-A shortcut geometry.</summary>
internal struct ZeroPadArgs
{
    public int C, H, W, OutC, P, Q, Before, Stride;
}

/// <summary>Unary, binary, per-channel affine, concatenation copies, the zero-pad shortcut and the n-ary mean.</summary>
internal static class ElementwiseKernels
{
    /// <summary><c>y[i] = f(x[i])</c> for the function in <paramref name="p"/>; each case matches its op's <c>Apply</c>, NaN handling included.</summary>
    public static void Unary(Index1D i, UnaryArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        float v = x[i];
        float r;
        if (p.Code == (int)UnaryCode.Relu) r = v > 0f ? v : (float.IsNaN(v) ? v : 0f);
        else if (p.Code == (int)UnaryCode.Clamp) r = Epilog.Clamp(v, p.A, p.B);
        else if (p.Code == (int)UnaryCode.LeakyRelu) r = v >= 0f ? v : p.A * v;
        else if (p.Code == (int)UnaryCode.Sigmoid) r = 1f / (1f + MathF.Exp(-v));
        else if (p.Code == (int)UnaryCode.Tanh) r = MathF.Tanh(v);
        else if (p.Code == (int)UnaryCode.Affine) r = p.A * v + p.B;
        else if (p.Code == (int)UnaryCode.Pow) r = p.A == 2f ? v * v : p.A == 1f ? v : MathF.Pow(v, p.A);
        else r = v;
        y[i] = r;
    }

    /// <summary><c>y[i] = f(a[i'], b[i''])</c> with broadcasting (see <see cref="BinaryArgs"/>).</summary>
    public static void Binary(Index1D i, BinaryArgs p, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y)
    {
        long ia, ib;
        if (p.Same != 0) { ia = i; ib = i; }
        else
        {
            long rest = i;
            int i5 = (int)(rest % p.D5); rest /= p.D5;
            int i4 = (int)(rest % p.D4); rest /= p.D4;
            int i3 = (int)(rest % p.D3); rest /= p.D3;
            int i2 = (int)(rest % p.D2); rest /= p.D2;
            int i1 = (int)(rest % p.D1); rest /= p.D1;
            int i0 = (int)rest;
            ia = i0 * p.A0 + i1 * p.A1 + i2 * p.A2 + i3 * p.A3 + i4 * p.A4 + i5 * p.A5;
            ib = i0 * p.B0 + i1 * p.B1 + i2 * p.B2 + i3 * p.B3 + i4 * p.B4 + i5 * p.B5;
        }
        float va = a[ia], vb = b[ib];
        float r;
        if (p.Code == (int)BinaryCode.Add) r = va + vb;
        else if (p.Code == (int)BinaryCode.Sub) r = va - vb;
        else if (p.Code == (int)BinaryCode.Mul) r = va * vb;
        else r = va / vb;
        y[i] = r;
    }

    /// <summary>Unfolded BatchNorm: <c>y = scale[c]·x + shift[c]</c>, c = (i / area) mod channels.</summary>
    public static void ChannelAffine(Index1D i, int channels, int area, ArrayView<float> x, ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> y)
    {
        int c = i / area % channels;
        y[i] = scale[c] * x[i] + shift[c];
    }

    /// <summary>Concatenation: input element i lands at <c>(i / Block)·OutStride + Offset + i mod Block</c>.</summary>
    public static void CopyBlocks(Index1D i, CopyArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        long outer = i / p.Block, inner = i % p.Block;
        y[outer * p.OutStride + p.Offset + inner] = x[i];
    }

    /// <summary>The zero-pad shortcut: subsample by Stride, zeros in the Before/After channels.</summary>
    public static void ChannelZeroPad(Index1D i, ZeroPadArgs p, ArrayView<float> x, ArrayView<float> y)
    {
        int q = i % p.Q, oy = i / p.Q % p.P, oc = i / (p.Q * p.P) % p.OutC, n = i / (p.Q * p.P * p.OutC);
        int c = oc - p.Before;
        y[i] = c >= 0 && c < p.C ? x[(((long)n * p.C + c) * p.H + oy * p.Stride) * p.W + q * p.Stride] : 0f;
    }

    /// <summary>One term of the n-ary mean: the first call copies, later calls add, the last also divides by <paramref name="count"/>.</summary>
    public static void MeanTerm(Index1D i, int first, int last, float count, ArrayView<float> x, ArrayView<float> y)
    {
        float v = first != 0 ? x[i] : y[i] + x[i];
        y[i] = last != 0 ? v / count : v;
    }
}
