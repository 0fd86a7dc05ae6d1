namespace SharpConv.Ops;

/// <summary>
/// Max or average pooling over any number of spatial axes (1-D N×C×L, 3-D N×C×D×H×W…), with the same window rules
/// as <see cref="PoolWindow"/> per axis: padding, dilation, ceil mode (a last window must start inside the input or
/// the leading padding), and for averages the choice of counting padded positions. The 2-D layers
/// (<see cref="MaxPool2d"/>, <see cref="AvgPool2d"/>) are the fast path; this is the general one.
/// </summary>
public sealed class PoolNd : Op
{
    /// <summary>A pool over <c>kernel.Length</c> spatial axes; pads are <c>[begin…, end…]</c> as in ONNX.</summary>
    public PoolNd(bool max, int[] kernel, int[] strides, int[] pads, int[] dilations, bool ceilMode, bool countIncludePad)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int r = kernel.Length;
        if (r < 1) throw new InvalidLayerException("PoolNd", "at least one spatial axis is needed.");
        if (strides.Length != r || dilations.Length != r || pads.Length != 2 * r)
            throw new InvalidLayerException("PoolNd", $"kernel, strides, dilations need {r} entries and pads {2 * r}.");
        if (kernel.Any(k => k < 1) || strides.Any(s => s < 1) || dilations.Any(d => d < 1) || pads.Any(p => p < 0))
            throw new InvalidLayerException("PoolNd", "kernel, strides and dilations must be ≥ 1 and pads ≥ 0.");
        IsMax = max; Kernel = (int[])kernel.Clone(); Strides = (int[])strides.Clone(); Pads = (int[])pads.Clone();
        Dilations = (int[])dilations.Clone(); CeilMode = ceilMode; CountIncludePad = countIncludePad;
    }

    /// <summary>Max (true) or average (false).</summary>
    public bool IsMax { get; }
    /// <summary>Window size per spatial axis.</summary>
    public IReadOnlyList<int> Kernel { get; }
    /// <summary>Stride per spatial axis.</summary>
    public IReadOnlyList<int> Strides { get; }
    /// <summary>Padding: begin for each spatial axis, then end for each.</summary>
    public IReadOnlyList<int> Pads { get; }
    /// <summary>Dilation per spatial axis.</summary>
    public IReadOnlyList<int> Dilations { get; }
    /// <summary>Ceil mode for the output size.</summary>
    public bool CeilMode { get; }
    /// <summary>Average pooling: whether padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }
    /// <inheritdoc/>
    public override string Kind => IsMax ? "MaxPoolNd" : "AvgPoolNd";
    /// <inheritdoc/>
    public override string Describe() =>
        $"{string.Join("×", Kernel)}/{string.Join(",", Strides)}{(Pads.Any(p => p != 0) ? $" p[{string.Join(",", Pads)}]" : "")}{(CeilMode ? " ceil" : "")}";

    private int OutSize(string node, int axis, int input)
    {
        int r = Kernel.Count;
        long effective = (long)Dilations[axis] * (Kernel[axis] - 1) + 1;
        long padded = (long)input + Pads[axis] + Pads[axis + r];
        if (effective > padded) throw Invalid(node, $"window {Kernel[axis]} (dilated to {effective}) is larger than the padded input {padded} on spatial axis {axis}.");
        long span = padded - effective, stride = Strides[axis];
        long size = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (CeilMode && (size - 1) * stride >= input + Pads[axis]) size--;
        if (size > int.MaxValue)
            throw new LimitExceededException($"{node} ({Kind})", $"pooled size {size:N0} on spatial axis {axis} (input {input} + padding {Pads[axis]} + {Pads[axis + r]})", int.MaxValue);
        return (int)size;
    }

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        ExpectRank(node, x, Kernel.Count + 2);
        var d = new int[x.Rank];
        d[0] = x[0]; d[1] = x[1];
        for (int i = 0; i < Kernel.Count; i++) d[i + 2] = OutSize(node, i, x[i + 2]);
        return new Shape(d);
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var os = output.Shape; var x = inputs[0].Span; var y = output.Span;
        int r = Kernel.Count;
        long inPlane = xs.ElementsFrom(2), outPlane = os.ElementsFrom(2);
        var inStride = new long[r];
        long s = 1;
        for (int i = r - 1; i >= 0; i--) { inStride[i] = s; s *= xs[i + 2]; }
        var o = new int[r]; var k = new int[r];
        long windowSize = 1;
        foreach (int kk in Kernel) windowSize *= kk;
        for (long plane = 0; plane < (long)xs[0] * xs[1]; plane++)
        {
            Array.Clear(o);
            for (long oi = 0; oi < outPlane; oi++)
            {
                double sum = 0; float max = float.NegativeInfinity; int valid = 0, padded = 0;
                Array.Clear(k);
                for (long w = 0; w < windowSize; w++)
                {
                    long at = 0; bool inside = true, inPadded = true;
                    for (int d = 0; d < r; d++)
                    {
                        long start = (long)o[d] * Strides[d] - Pads[d];
                        long i = start + (long)k[d] * Dilations[d];
                        if (i < 0 || i >= xs[d + 2]) inside = false;
                        if (i >= xs[d + 2] + Pads[d + r]) inPadded = false;
                        at += i * inStride[d];
                    }
                    if (inPadded) padded++;
                    if (inside)
                    {
                        float v = x[(int)(plane * inPlane + at)];
                        valid++; sum += v;
                        if (v > max || float.IsNaN(v)) max = v;
                    }
                    for (int d = r - 1; d >= 0; d--) { if (++k[d] < Kernel[d]) break; k[d] = 0; }
                }
                int divisor = CountIncludePad ? padded : valid;
                y[(int)(plane * outPlane + oi)] = IsMax ? max : divisor == 0 ? 0f : (float)(sum / divisor);
                for (int d = r - 1; d >= 0; d--) { if (++o[d] < os[d + 2]) break; o[d] = 0; }
            }
        }
    }
}
