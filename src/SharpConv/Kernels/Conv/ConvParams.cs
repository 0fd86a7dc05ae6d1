namespace SharpConv.Kernels.Conv;

/// <summary>
/// The shape of a 2-D convolution over NCHW float32 (batch is given per call).
/// Legend: C in-channels · H×W input · K out-channels · R×S kernel · P×Q output · G groups.
/// Weights are K × C/G × R × S; <c>P = (H + padTop + padBottom − dilationH·(R−1) − 1) / strideH + 1</c>.
/// </summary>
public readonly record struct ConvParams
{
    /// <summary>A square-ish conv: symmetric padding, equal strides and dilations. Use <c>with { PadBottom = … }</c>
    /// for asymmetric ones.</summary>
    public ConvParams(int c, int h, int w, int k, int r, int s, int stride = 1, int pad = 0, int dilation = 1, int groups = 1)
    {
        C = c; H = h; W = w; K = k; R = r; S = s;
        StrideH = StrideW = stride;
        PadTop = PadLeft = PadBottom = PadRight = pad;
        DilationH = DilationW = dilation;
        Groups = groups;
    }

    /// <summary>Input channels.</summary>
    public int C { get; init; }
    /// <summary>Input height.</summary>
    public int H { get; init; }
    /// <summary>Input width.</summary>
    public int W { get; init; }
    /// <summary>Output channels.</summary>
    public int K { get; init; }
    /// <summary>Kernel height.</summary>
    public int R { get; init; }
    /// <summary>Kernel width.</summary>
    public int S { get; init; }
    /// <summary>Vertical stride.</summary>
    public int StrideH { get; init; }
    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; init; }
    /// <summary>Zero rows added above.</summary>
    public int PadTop { get; init; }
    /// <summary>Zero columns added left.</summary>
    public int PadLeft { get; init; }
    /// <summary>Zero rows added below.</summary>
    public int PadBottom { get; init; }
    /// <summary>Zero columns added right.</summary>
    public int PadRight { get; init; }
    /// <summary>Vertical dilation.</summary>
    public int DilationH { get; init; }
    /// <summary>Horizontal dilation.</summary>
    public int DilationW { get; init; }
    /// <summary>Groups (C and K divisible by it); C for depthwise.</summary>
    public int Groups { get; init; }

    /// <summary>Output height.</summary>
    public int P => (H + PadTop + PadBottom - DilationH * (R - 1) - 1) / StrideH + 1;
    /// <summary>Output width.</summary>
    public int Q => (W + PadLeft + PadRight - DilationW * (S - 1) - 1) / StrideW + 1;
    /// <summary>Input elements per image (C·H·W).</summary>
    public long InputElements => (long)C * H * W;
    /// <summary>Output elements per image (K·P·Q).</summary>
    public long OutputElements => (long)K * P * Q;
    /// <summary>Weight elements (K·C/G·R·S).</summary>
    public long WeightElements => (long)K * (C / Math.Max(Groups, 1)) * R * S;
    /// <summary>Multiply-accumulates per image.</summary>
    public long Macs => OutputElements * (C / Math.Max(Groups, 1)) * R * S;

    /// <summary>Checks every size.</summary>
    /// <exception cref="InvalidLayerException">A size is not positive, channels do not divide by groups, or the
    /// dilated kernel is larger than the padded input.</exception>
    public void Validate(string layer = "conv")
    {
        if (C <= 0 || H <= 0 || W <= 0 || K <= 0 || R <= 0 || S <= 0)
            throw new InvalidLayerException(layer, $"sizes must be positive (C {C}, H {H}, W {W}, K {K}, R {R}, S {S}).");
        if (StrideH <= 0 || StrideW <= 0 || DilationH <= 0 || DilationW <= 0 || Groups <= 0)
            throw new InvalidLayerException(layer, $"strides {StrideH}×{StrideW}, dilations {DilationH}×{DilationW} and groups {Groups} must be positive.");
        if (PadTop < 0 || PadLeft < 0 || PadBottom < 0 || PadRight < 0)
            throw new InvalidLayerException(layer, "padding must not be negative.");
        if (C % Groups != 0 || K % Groups != 0)
            throw new InvalidLayerException(layer, $"in-channels {C} and out-channels {K} must be divisible by groups {Groups}.");
        if (H + PadTop + PadBottom < DilationH * (R - 1) + 1 || W + PadLeft + PadRight < DilationW * (S - 1) + 1)
            throw new InvalidLayerException(layer, $"the {R}×{S} kernel (dilation {DilationH}×{DilationW}) is larger than the padded {H}×{W} input.");
    }

    /// <summary>e.g. <c>64→128 3×3/2 p1 @56×56</c>.</summary>
    public override string ToString()
        => $"{C}→{K} {R}×{S}/{StrideH}{(StrideW != StrideH ? "," + StrideW : "")} p{PadTop},{PadLeft},{PadBottom},{PadRight}" +
           $"{(DilationH * DilationW != 1 ? $" d{DilationH},{DilationW}" : "")}{(Groups != 1 ? $" g{Groups}" : "")} @{H}×{W}";
}
