namespace SharpConv.Ops;

/// <summary>Flattens to 2-D: dimensions before <see cref="Axis"/> become rows, the rest columns (N×C×H×W → N×CHW for axis 1).</summary>
public sealed class Flatten : Op
{
    /// <summary>Flattens at <paramref name="axis"/>.</summary>
    public Flatten(int axis = 1) => Axis = axis;
    /// <summary>The axis.</summary>
    public int Axis { get; }
    /// <inheritdoc/>
    public override string Kind => "Flatten";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        int axis = Axis < 0 ? Axis + x.Rank : Axis;
        if (axis < 0 || axis > x.Rank) throw Invalid(node, $"axis {Axis} is outside a rank-{x.Rank} input {x}.");
        long rows = x.ElementCount / Math.Max(1, x.ElementsFrom(axis));
        long cols = x.ElementsFrom(axis);
        if (rows > int.MaxValue || cols > int.MaxValue) throw Invalid(node, $"flattened size {rows}×{cols} is too large.");
        return new Shape((int)rows, (int)cols);
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output) => inputs[0].Span.CopyTo(output.Span);
}
