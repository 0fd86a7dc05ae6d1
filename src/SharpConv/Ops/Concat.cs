namespace SharpConv.Ops;

/// <summary>Concatenation along an axis (default 1: channels — Inception modules, DenseNet blocks, fire modules). All other dimensions must match.</summary>
public sealed class Concat : Op
{
    /// <summary>Concatenates along <paramref name="axis"/> (negative counts from the end).</summary>
    public Concat(int axis = 1) => Axis = axis;
    /// <summary>The axis.</summary>
    public int Axis { get; }
    /// <inheritdoc/>
    public override string Kind => "Concat";
    /// <inheritdoc/>
    public override int MaxInputs => int.MaxValue;
    /// <inheritdoc/>
    public override string Describe() => Axis == 1 ? "channels" : $"axis {Axis}";

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var first = inputs[0];
        int axis = Axis < 0 ? Axis + first.Rank : Axis;
        if (axis < 0 || axis >= first.Rank) throw Invalid(node, $"axis {Axis} is outside a rank-{first.Rank} input {first}.");
        long total = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var s = inputs[i];
            if (s.Rank != first.Rank) throw new ShapeMismatchException($"{node} ({Kind})", $"input {i} of rank {first.Rank} like {first}", s.ToString());
            for (int d = 0; d < s.Rank; d++)
                if (d != axis && s[d] != first[d])
                    throw new ShapeMismatchException($"{node} ({Kind})", $"input {i} to match {first} on every axis but {axis}", s.ToString());
            total += s[axis];
        }
        if (total > int.MaxValue) throw Invalid(node, $"concatenated size {total} is too large.");
        return first.With(axis, (int)total);
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var os = output.Shape;
        int axis = Axis < 0 ? Axis + os.Rank : Axis;
        long inner = os.ElementsFrom(axis + 1);
        long outer = os.ElementCount / (os[axis] * inner);
        var y = output.Span;
        long offset = 0;
        foreach (var t in inputs)
        {
            long block = t.Shape[axis] * inner;
            for (long o = 0; o < outer; o++)
                t.Span.Slice((int)(o * block), (int)block).CopyTo(y.Slice((int)(o * os[axis] * inner + offset), (int)block));
            offset += block;
        }
    }
}
