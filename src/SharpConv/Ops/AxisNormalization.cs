namespace SharpConv.Ops;

/// <summary>
/// What softmax and log-softmax share: one axis, the shape rule, and the numerically stable pass over each slice along
/// that axis (its maximum first, then <c>Σ exp(x − max)</c>, so large logits do not overflow). A derived op only says
/// what one output element is.
/// </summary>
public abstract class AxisNormalization : Op
{
    /// <summary>Normalises over <paramref name="axis"/> (negative counts from the end).</summary>
    protected AxisNormalization(int axis) => Axis = axis;
    /// <summary>The axis.</summary>
    public int Axis { get; }
    /// <inheritdoc/>
    public override string Describe() => Axis == 1 ? "" : $"axis {Axis}";

    /// <summary>One output value from its input, the slice maximum and <c>Σ exp(x − max)</c> over the slice.</summary>
    protected abstract float Output(float x, float max, double sumOfExp);

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
                for (int j = 0; j < len; j++) y[(int)(baseAt + j * inner)] = Output(x[(int)(baseAt + j * inner)], max, sum);
            }
    }
}
