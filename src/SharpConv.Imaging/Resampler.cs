namespace SharpConv.Imaging;

/// <summary>
/// Pillow-compatible resampling of interleaved 8-bit images, reproducing libImaging's arithmetic so results are
/// bit-exact with <c>PIL.Image.resize</c>:
/// <list type="bullet">
/// <item>Bilinear (Resample.c): separable two-pass convolution, horizontal first, with a triangle filter whose
/// support grows with the downscale factor (antialiasing), coefficients computed in double, normalised to sum 1,
/// then quantised to 22-bit fixed point; each pass rounds and clamps to 8 bits.</item>
/// <item>Nearest (Geometry.c, ImagingScaleAffine): source coordinate accumulated as
/// <c>scale/2 + i·scale</c> in double and truncated.</item>
/// </list>
/// </summary>
internal static class Resampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static Image Resize(Image src, int outW, int outH, Interpolation mode)
    {
        if (outW == src.Width && outH == src.Height) return src.Clone();
        return mode == Interpolation.Nearest ? Nearest(src, outW, outH) : Bilinear(src, outW, outH);
    }

    private static Image Bilinear(Image src, int outW, int outH)
    {
        int c = src.Channels;
        var (boundsV, kV, ksV) = Coefficients(src.Height, outH);
        byte[] cur = src.Pixels;
        int curW = src.Width, curH = src.Height;

        if (outW != src.Width)
        {
            // Only the source rows the vertical pass reads (as Pillow does; the values are the same either way).
            int first = boundsV[0], last = boundsV[2 * outH - 2] + boundsV[2 * outH - 1];
            if (outH == src.Height) { first = 0; last = src.Height; }
            var (boundsH, kH, ksH) = Coefficients(src.Width, outW);
            int rows = last - first;
            var tmp = new byte[(long)rows * outW * c];
            for (int y = 0; y < rows; y++)
            {
                int rowIn = (first + y) * curW * c, rowOut = y * outW * c;
                for (int x = 0; x < outW; x++)
                {
                    int xmin = boundsH[2 * x], n = boundsH[2 * x + 1], kb = x * ksH;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int ss = 1 << (PrecisionBits - 1);
                        int p = rowIn + xmin * c + ch;
                        for (int i = 0; i < n; i++, p += c) ss += cur[p] * kH[kb + i];
                        tmp[rowOut + x * c + ch] = Clip8(ss);
                    }
                }
            }
            if (outH != src.Height)
                for (int i = 0; i < outH; i++) boundsV[2 * i] -= first;
            cur = tmp; curW = outW; curH = rows;
        }

        if (outH != src.Height)
        {
            var dst = new byte[(long)outH * curW * c];
            int rowLen = curW * c;
            for (int y = 0; y < outH; y++)
            {
                int ymin = boundsV[2 * y], n = boundsV[2 * y + 1], kb = y * ksV;
                int rowOut = y * rowLen;
                for (int j = 0; j < rowLen; j++)
                {
                    int ss = 1 << (PrecisionBits - 1);
                    int p = ymin * rowLen + j;
                    for (int i = 0; i < n; i++, p += rowLen) ss += cur[p] * kV[kb + i];
                    dst[rowOut + j] = Clip8(ss);
                }
            }
            cur = dst; curH = outH;
        }
        return new Image(curW, curH, c, cur);
    }

    private static byte Clip8(int ss)
    {
        int v = ss >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static double Triangle(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /// <summary>Pillow's <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c> for the bilinear filter (support 1).</summary>
    private static (int[] Bounds, int[] K, int KSize) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = 1.0 * filterscale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var k = new int[(long)outSize * ksize];
        var pre = new double[ksize];
        double ss = 1.0 / filterscale;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Triangle((x + xmin - center + 0.5) * ss);
                pre[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double v = ww != 0.0 ? pre[x] / ww : pre[x];
                k[xx * ksize + x] = v < 0
                    ? (int)(-0.5 + v * (1 << PrecisionBits))
                    : (int)(0.5 + v * (1 << PrecisionBits));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return (bounds, k, ksize);
    }

    private static Image Nearest(Image src, int outW, int outH)
    {
        int c = src.Channels;
        var xs = new int[outW];
        double a0 = (double)src.Width / outW, xo = a0 * 0.5;
        for (int x = 0; x < outW; x++, xo += a0) xs[x] = Math.Clamp(xo < 0.0 ? -1 : (int)xo, 0, src.Width - 1);
        var dst = new byte[(long)outW * outH * c];
        double a4 = (double)src.Height / outH, yo = a4 * 0.5;
        for (int y = 0; y < outH; y++, yo += a4)
        {
            int yi = Math.Clamp(yo < 0.0 ? -1 : (int)yo, 0, src.Height - 1);
            int rowIn = yi * src.Width * c, rowOut = y * outW * c;
            for (int x = 0; x < outW; x++)
                for (int ch = 0; ch < c; ch++)
                    dst[rowOut + x * c + ch] = src.Pixels[rowIn + xs[x] * c + ch];
        }
        return new Image(outW, outH, c, dst);
    }
}
