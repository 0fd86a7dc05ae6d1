namespace SharpConv.Ops;

/// <summary>
/// Max pooling over <c>k×k</c> windows. Padding counts as −∞ (never as 0), so an all-negative input stays negative.
/// </summary>
/// <remarks>Dimension legend: N batch · C channels · H×W input · P×Q output.</remarks>
public sealed class MaxPool2d : Op
{
    /// <summary>A max pool with the given window.</summary>
    public MaxPool2d(PoolWindow window) { window.Validate(Kind); Window = window; }

    /// <summary>A square max pool.</summary>
    public MaxPool2d(int kernel, int stride, Padding padding = default, bool ceilMode = false)
        : this(new PoolWindow(kernel, kernel, stride, stride, padding, ceilMode)) { }

    /// <summary>The window.</summary>
    public PoolWindow Window { get; }
    /// <inheritdoc/>
    public override string Kind => "MaxPool2d";
    /// <inheritdoc/>
    public override string Describe() => Window.ToString();

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        ExpectRank(node, inputs[0], 4);
        var (p, q) = Window.OutputSize($"{node} ({Kind})", inputs[0].H, inputs[0].W);
        return new Shape(inputs[0].N, inputs[0].C, p, q);
    }

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
                    float max = float.NegativeInfinity;
                    for (int r = 0; r < win.KernelH; r++)
                    {
                        int iy = oy * win.StrideH - win.Padding.Top + r * win.DilationH;
                        if ((uint)iy >= (uint)h) continue;
                        for (int s = 0; s < win.KernelW; s++)
                        {
                            int ix = ox * win.StrideW - win.Padding.Left + s * win.DilationW;
                            if ((uint)ix >= (uint)w) continue;
                            float v = x[(plane * h + iy) * w + ix];
                            if (v > max || float.IsNaN(v)) max = v;
                        }
                    }
                    y[(plane * p + oy) * q + ox] = max;
                }
    }
}
