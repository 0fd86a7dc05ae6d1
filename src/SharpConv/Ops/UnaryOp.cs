namespace SharpConv.Ops;

/// <summary>An element-wise function of one tensor; the output has the input's shape.</summary>
public abstract class UnaryOp : Op
{
    /// <summary>The function, applied to one value.</summary>
    public abstract float Apply(float x);
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        return inputs[0];
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span;
        for (int i = 0; i < x.Length; i++) y[i] = Apply(x[i]);
    }
}
