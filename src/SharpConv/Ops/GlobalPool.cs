namespace SharpConv.Ops;

/// <summary>
/// The shape rule shared by global pooling ops: every spatial axis collapses to 1 (N×C×H×W → N×C×1×1, and likewise for
/// 1-D and 3-D maps).
/// </summary>
public abstract class GlobalPool : Op
{
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        if (inputs[0].Rank < 3) throw new ShapeMismatchException($"{node} ({Kind})", "rank ≥ 3 (N×C×spatial…)", inputs[0].ToString());
        var d = inputs[0].ToArray();
        for (int i = 2; i < d.Length; i++) d[i] = 1;
        return new Shape(d);
    }
}
