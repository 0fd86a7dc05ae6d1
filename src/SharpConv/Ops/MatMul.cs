namespace SharpConv.Ops;

/// <summary>
/// Matrix product with NumPy rules (ONNX MatMul, <c>torch.matmul</c>) for operands of rank ≥ 2: the last two axes
/// multiply (<c>M×K · K×N</c>), leading axes broadcast. Both operands are inputs (a constant one is a Constant node);
/// a constant right operand on a 2-D input is better expressed as <see cref="Linear"/>.
/// </summary>
/// <remarks>Dimension legend: M rows of A · K shared · N columns of B.</remarks>
public sealed class MatMul : Op
{
    /// <inheritdoc/>
    public override string Kind => "MatMul";
    /// <inheritdoc/>
    public override int MinInputs => 2;
    /// <inheritdoc/>
    public override int MaxInputs => 2;

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var a = inputs[0]; var b = inputs[1];
        if (a.Rank < 2 || b.Rank < 2) throw new ShapeMismatchException($"{node} ({Kind})", "operands of rank ≥ 2", $"{a} and {b}");
        if (a[-1] != b[-2]) throw new ShapeMismatchException($"{node} ({Kind})", $"A's last axis ({a[-1]}) to equal B's second-to-last", $"{a} · {b}");
        var batch = Broadcast.Shapes($"{node} ({Kind})", new Shape(a.Dims[..^2]), new Shape(b.Dims[..^2]));
        return new Shape([.. batch.Dims, a[-2], b[-1]]);
    }

    /// <inheritdoc/>
    public override long Macs(IReadOnlyList<Shape> inputs, Shape output) => output.ElementCount * inputs[0][-1];

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var a = inputs[0]; var b = inputs[1];
        int m = a.Shape[-2], k = a.Shape[-1], n = b.Shape[-1];
        var os = output.Shape;
        var batchShape = new Shape(os.Dims[..^2]);
        var sa = Broadcast.Strides(new Shape(a.Shape.Dims[..^2]), batchShape);
        var sb = Broadcast.Strides(new Shape(b.Shape.Dims[..^2]), batchShape);
        long batches = batchShape.ElementCount;
        var index = new int[batchShape.Rank];
        var x = a.Span; var w = b.Span; var y = output.Span;
        for (long bi = 0; bi < batches; bi++)
        {
            long oa = 0, ob = 0;
            for (int d = 0; d < index.Length; d++) { oa += index[d] * sa[d]; ob += index[d] * sb[d]; }
            long aBase = oa * m * k, bBase = ob * k * n, yBase = bi * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int t = 0; t < k; t++) sum += (double)x[(int)(aBase + i * k + t)] * w[(int)(bBase + t * n + j)];
                    y[(int)(yBase + i * n + j)] = (float)sum;
                }
            for (int d = index.Length - 1; d >= 0; d--) { if (++index[d] < batchShape[d]) break; index[d] = 0; }
        }
    }
}
