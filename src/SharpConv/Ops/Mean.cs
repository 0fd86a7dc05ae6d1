namespace SharpConv.Ops;

/// <summary>Element-wise mean of N same-shaped inputs — FractalNet's join layer.</summary>
public sealed class Mean : Op
{
    /// <inheritdoc/>
    public override string Kind => "Mean";
    /// <inheritdoc/>
    public override int MaxInputs => int.MaxValue;
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        for (int i = 1; i < inputs.Count; i++)
            if (inputs[i] != inputs[0]) throw new ShapeMismatchException($"{node} ({Kind})", $"input {i} of shape {inputs[0]}", inputs[i].ToString());
        return inputs[0];
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var y = output.Span;
        for (int e = 0; e < y.Length; e++)
        {
            double sum = 0;
            foreach (var t in inputs) sum += t.Span[e];
            y[e] = (float)(sum / inputs.Length);
        }
    }
}
