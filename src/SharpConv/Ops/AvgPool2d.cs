namespace SharpConv.Ops;

/// <summary>
/// Average pooling. With <see cref="CountIncludePad"/> the divisor is the window clipped to the padded input
/// (PyTorch's default); without it, only the input elements under the window count. Windows that overhang
/// in ceil mode never count the overhang.
/// </summary>
/// <remarks>Dimension legend: N batch · C channels · H×W input · P×Q output.</remarks>
public sealed class AvgPool2d : Op
{
    /// <summary>An average pool with the given window.</summary>
    public AvgPool2d(PoolWindow window, bool countIncludePad = true)
    {
        window.Validate(Kind); Window = window; CountIncludePad = countIncludePad;
    }

    /// <summary>A square average pool.</summary>
    public AvgPool2d(int kernel, int stride, Padding padding = default, bool ceilMode = false, bool countIncludePad = true)
        : this(new PoolWindow(kernel, kernel, stride, stride, padding, ceilMode), countIncludePad) { }

    /// <summary>The window.</summary>
    public PoolWindow Window { get; }
    /// <summary>Whether padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }
    /// <inheritdoc/>
    public override string Kind => "AvgPool2d";
    /// <inheritdoc/>
    public override string Describe() => Window + (Window.Padding.IsZero ? "" : CountIncludePad ? " incl-pad" : " excl-pad");

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        ExpectRank(node, inputs[0], 4);
        var (p, q) = Window.OutputSize($"{node} ({Kind})", inputs[0].H, inputs[0].W);
        return new Shape(inputs[0].N, inputs[0].C, p, q);
    }

    /// <inheritdoc/>
    public override long Macs(IReadOnlyList<Shape> inputs, Shape output) => 0;

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var x = inputs[0].Span; var y = output.Span;
        int h = xs.H, w = xs.W, p = output.Shape.H, q = output.Shape.W;
        var win = Window;
        for (int plane = 0; plane < xs.N * xs.C; plane++)
            for (int oy = 0; oy < p; oy++)
                for (int ox = 0; ox < q; ox++)
                {
                    int y0 = oy * win.StrideH - win.Padding.Top, x0 = ox * win.StrideW - win.Padding.Left;
                    // The padded extent of the window: it may include padding but never the ceil-mode overhang.
                    int yEnd = Math.Min(y0 + (win.KernelH - 1) * win.DilationH + 1, h + win.Padding.Bottom);
                    int xEnd = Math.Min(x0 + (win.KernelW - 1) * win.DilationW + 1, w + win.Padding.Right);
                    double sum = 0; int valid = 0, padded = 0;
                    for (int iy = y0; iy < yEnd; iy += win.DilationH)
                        for (int ix = x0; ix < xEnd; ix += win.DilationW)
                        {
                            padded++;
                            if ((uint)iy >= (uint)h || (uint)ix >= (uint)w) continue;
                            sum += x[(plane * h + iy) * w + ix];
                            valid++;
                        }
                    int divisor = CountIncludePad ? padded : valid;
                    y[(plane * p + oy) * q + ox] = divisor == 0 ? 0f : (float)(sum / divisor);
                }
    }
}
