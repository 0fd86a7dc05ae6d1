namespace SharpConv.Ops;

/// <summary>
/// The window arithmetic shared by max and average pooling (PyTorch and ONNX agree on it):
/// <c>P = ⌊ or ⌈ (H + pads − dilation·(k−1) − 1) / stride ⌉ + 1</c>, and in ceil mode the last window must
/// start inside the input or the leading padding, otherwise it is dropped.
/// </summary>
public readonly record struct PoolWindow(int KernelH, int KernelW, int StrideH, int StrideW, Padding Padding, bool CeilMode, int DilationH = 1, int DilationW = 1)
{
    /// <summary>Checks the hyper-parameters, naming the layer kind in the error.</summary>
    public void Validate(string kind)
    {
        if (KernelH < 1 || KernelW < 1) throw new InvalidLayerException(kind, $"kernel must be ≥ 1, found {KernelH}×{KernelW}.");
        if (StrideH < 1 || StrideW < 1) throw new InvalidLayerException(kind, $"stride must be ≥ 1, found ({StrideH},{StrideW}).");
        if (DilationH < 1 || DilationW < 1) throw new InvalidLayerException(kind, $"dilation must be ≥ 1, found ({DilationH},{DilationW}).");
        if (Padding.Top < 0 || Padding.Left < 0 || Padding.Bottom < 0 || Padding.Right < 0)
            throw new InvalidLayerException(kind, $"padding must be ≥ 0, found {Padding}.");
    }

    /// <summary>Output height and width for an input of <paramref name="h"/>×<paramref name="w"/>.</summary>
    public (int P, int Q) OutputSize(string layer, int h, int w) =>
        (Size(layer, "height", h, KernelH, StrideH, Padding.Top, Padding.Bottom, DilationH),
         Size(layer, "width", w, KernelW, StrideW, Padding.Left, Padding.Right, DilationW));

    private int Size(string layer, string axis, int input, int kernel, int stride, int padBefore, int padAfter, int dilation)
    {
        long effective = (long)dilation * (kernel - 1) + 1;
        long padded = (long)input + padBefore + padAfter;
        if (effective > padded)
            throw new InvalidLayerException(layer, $"pooling window {axis} {kernel} (dilated to {effective}) is larger than the padded input {axis} {padded}.");
        long span = padded - effective;
        long size = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (CeilMode && (size - 1) * stride >= input + padBefore) size--;
        if (size > int.MaxValue)
            throw new LimitExceededException(layer, $"pooled {axis} {size:N0} (input {input} + padding {padBefore} + {padAfter})", int.MaxValue);
        return (int)size;
    }

    /// <summary>Short form such as <c>3×3/2 p1 ceil</c>.</summary>
    public override string ToString() =>
        $"{KernelH}×{KernelW}/{(StrideH == StrideW ? StrideH.ToString() : $"({StrideH},{StrideW})")}{(Padding.IsZero ? "" : " " + Padding)}{(CeilMode ? " ceil" : "")}{(DilationH == 1 && DilationW == 1 ? "" : $" d{DilationH}")}";
}
