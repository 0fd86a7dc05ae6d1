namespace SharpConv.Ops;

/// <summary>
/// Local response normalisation across channels (AlexNet): <c>y_c = x_c / (k + α/n · Σ x_j²)^β</c>, the sum over the
/// <c>n</c> channels centred on <c>c</c> (<c>⌊(n−1)/2⌋</c> before, <c>⌈(n−1)/2⌉</c> after, clipped at the edges) —
/// the ONNX definition (α is divided by the size). PyTorch's LocalResponseNorm agrees for odd sizes (AlexNet's 5); for even
/// sizes it puts the extra channel before <c>c</c> instead of after.
/// </summary>
public sealed class Lrn : Op
{
    /// <summary>An LRN; AlexNet uses size 5, α 1e-4, β 0.75, k 2.</summary>
    public Lrn(int size = 5, float alpha = 1e-4f, float beta = 0.75f, float k = 2f)
    {
        Size = AtLeast(size, 1, "size", "Lrn"); Alpha = alpha; Beta = beta; K = k;
    }
    /// <summary>n: channels in the window.</summary>
    public int Size { get; }
    /// <summary>α.</summary>
    public float Alpha { get; }
    /// <summary>β.</summary>
    public float Beta { get; }
    /// <summary>k.</summary>
    public float K { get; }
    /// <inheritdoc/>
    public override string Kind => "Lrn";
    /// <inheritdoc/>
    public override string Describe() => $"n={Size} α={Alpha:g3} β={Beta:g3} k={K:g3}";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        if (inputs[0].Rank < 3) throw new ShapeMismatchException($"{node} ({Kind})", "rank ≥ 3 (N×C×…)", inputs[0].ToString());
        return inputs[0];
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span;
        int n = inputs[0].Shape.N, channels = inputs[0].Shape.C, area = (int)inputs[0].Shape.ElementsFrom(2);
        int before = (Size - 1) / 2, after = Size - 1 - before;
        for (int b = 0; b < n; b++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < area; i++)
                {
                    double sum = 0;
                    for (int j = Math.Max(0, c - before); j <= Math.Min(channels - 1, c + after); j++)
                    {
                        double v = x[(b * channels + j) * area + i];
                        sum += v * v;
                    }
                    int at = (b * channels + c) * area + i;
                    y[at] = (float)(x[at] / Math.Pow(K + Alpha / Size * sum, Beta));
                }
    }
}
