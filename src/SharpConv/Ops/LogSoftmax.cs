namespace SharpConv.Ops;

/// <summary>
/// <c>log(softmax(x))</c> along one axis, computed stably as <c>x − max − log Σ exp(x − max)</c>
/// (the classifier head of NLL-trained networks).
/// </summary>
public sealed class LogSoftmax : Op
{
    /// <summary>Log-softmax over <paramref name="axis"/> (negative counts from the end).</summary>
    public LogSoftmax(int axis = 1) => Axis = axis;
    /// <summary>The axis.</summary>
    public int Axis { get; }
    /// <inheritdoc/>
    public override string Kind => "LogSoftmax";
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
                double log = Math.Log(sum);
                for (int j = 0; j < len; j++) y[(int)(baseAt + j * inner)] = (float)(x[(int)(baseAt + j * inner)] - max - log);
            }
    }
}
