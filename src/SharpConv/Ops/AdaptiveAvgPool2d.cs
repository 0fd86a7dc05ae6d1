namespace SharpConv.Ops;

/// <summary>
/// Adaptive average pooling to a fixed <c>OutH×OutW</c>, PyTorch's rule: output cell <c>i</c> averages input rows
/// <c>⌊i·H/OutH⌋ … ⌈(i+1)·H/OutH⌉ − 1</c> (windows may overlap when the sizes do not divide).
/// </summary>
public sealed class AdaptiveAvgPool2d : Op
{
    /// <summary>Pools to <paramref name="outH"/>×<paramref name="outW"/>.</summary>
    public AdaptiveAvgPool2d(int outH, int outW)
    {
        OutH = AtLeast(outH, 1, "output height", "AdaptiveAvgPool2d");
        OutW = AtLeast(outW, 1, "output width", "AdaptiveAvgPool2d");
    }
    /// <summary>Output height.</summary>
    public int OutH { get; }
    /// <summary>Output width.</summary>
    public int OutW { get; }
    /// <inheritdoc/>
    public override string Kind => "AdaptiveAvgPool2d";
    /// <inheritdoc/>
    public override string Describe() => $"→{OutH}×{OutW}";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        ExpectRank(node, inputs[0], 4);
        return new Shape(inputs[0].N, inputs[0].C, OutH, OutW);
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var x = inputs[0].Span; var y = output.Span;
        int h = xs.H, w = xs.W;
        for (int plane = 0; plane < xs.N * xs.C; plane++)
            for (int oy = 0; oy < OutH; oy++)
            {
                int y0 = oy * h / OutH, y1 = ((oy + 1) * h + OutH - 1) / OutH;
                for (int ox = 0; ox < OutW; ox++)
                {
                    int x0 = ox * w / OutW, x1 = ((ox + 1) * w + OutW - 1) / OutW;
                    double sum = 0;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) sum += x[(plane * h + iy) * w + ix];
                    y[(plane * OutH + oy) * OutW + ox] = (float)(sum / ((y1 - y0) * (x1 - x0)));
                }
            }
    }
}
