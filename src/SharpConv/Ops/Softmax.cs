namespace SharpConv.Ops;

/// <summary>Softmax along one axis (default 1, the classes): <c>e^(x_i − max) / Σ e^(x_j − max)</c> — the max is subtracted so large logits do not overflow.</summary>
public sealed class Softmax : Op
{
    /// <summary>A softmax over <paramref name="axis"/> (negative counts from the end).</summary>
    public Softmax(int axis = 1) => Axis = axis;
    /// <summary>The axis.</summary>
    public int Axis { get; }
    /// <inheritdoc/>
    public override string Kind => "Softmax";
    /// <inheritdoc/>
    public override string Describe() => Axis == 1 ? "" : $"axis {Axis}";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        int r = inputs[0].Rank;
        if (Axis < -r || Axis >= r) throw Invalid(node, $"axis {Axis} is outside a rank-{r} input {inputs[0]}.");
        return inputs[0];
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var s = inputs[0].Shape;
        int axis = Axis < 0 ? Axis + s.Rank : Axis;
        int len = s[axis];
        long inner = s.ElementsFrom(axis + 1), outer = s.ElementCount / Math.Max(1, len * inner);
        var x = inputs[0].Span; var y = output.Span;
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++)
            {
                long baseAt = o * len * inner + i;
                float max = float.NegativeInfinity;
                for (int j = 0; j < len; j++) max = Math.Max(max, x[(int)(baseAt + j * inner)]);
                double sum = 0;
                for (int j = 0; j < len; j++) sum += Math.Exp(x[(int)(baseAt + j * inner)] - max);
                for (int j = 0; j < len; j++) y[(int)(baseAt + j * inner)] = (float)(Math.Exp(x[(int)(baseAt + j * inner)] - max) / sum);
            }
    }
}
