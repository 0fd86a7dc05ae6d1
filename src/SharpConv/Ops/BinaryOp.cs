namespace SharpConv.Ops;

/// <summary>
/// An element-wise function of two tensors with NumPy broadcasting: shapes are aligned at the right; each pair of
/// dimensions must be equal or one of them 1.
/// </summary>
public abstract class BinaryOp : Op
{
    /// <summary>The function on one pair of values.</summary>
    public abstract float Apply(float a, float b);
    /// <inheritdoc/>
    public override int MinInputs => 2;
    /// <inheritdoc/>
    public override int MaxInputs => 2;

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        return Broadcast.Shapes($"{node} ({Kind})", inputs[0], inputs[1]);
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var a = inputs[0]; var b = inputs[1]; var y = output.Span;
        if (a.Shape == b.Shape)
        {
            for (int i = 0; i < y.Length; i++) y[i] = Apply(a.Span[i], b.Span[i]);
            return;
        }
        var ia = Broadcast.Strides(a.Shape, output.Shape);
        var ib = Broadcast.Strides(b.Shape, output.Shape);
        var index = new int[output.Shape.Rank];
        var dims = output.Shape.Dims;
        for (int i = 0; i < y.Length; i++)
        {
            long oa = 0, ob = 0;
            for (int d = 0; d < index.Length; d++) { oa += (long)index[d] * ia[d]; ob += (long)index[d] * ib[d]; }
            y[i] = Apply(a.Span[(int)oa], b.Span[(int)ob]);
            for (int d = index.Length - 1; d >= 0; d--) { if (++index[d] < dims[d]) break; index[d] = 0; }
        }
    }
}

/// <summary>NumPy broadcasting rules, shared by the element-wise ops.</summary>
public static class Broadcast
{
    /// <summary>The broadcast shape of two shapes, or a <see cref="ShapeMismatchException"/> naming the layer.</summary>
    public static Shape Shapes(string layer, Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var d = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException(layer, $"shapes that broadcast (equal or 1 on each axis); {a} and {b} differ on axis {i}", $"{da} vs {db}");
            d[i] = da == 1 ? db : da;
        }
        return new Shape(d);
    }

    /// <summary>Element strides of <paramref name="input"/> read in the index space of <paramref name="output"/> (0 on broadcast axes).</summary>
    public static long[] Strides(Shape input, Shape output)
    {
        var strides = new long[output.Rank];
        long stride = 1;
        for (int i = output.Rank - 1; i >= 0; i--)
        {
            int ii = i - (output.Rank - input.Rank);
            if (ii < 0) { strides[i] = 0; continue; }
            strides[i] = input[ii] == 1 ? 0 : stride;
            stride *= input[ii];
        }
        return strides;
    }
}
