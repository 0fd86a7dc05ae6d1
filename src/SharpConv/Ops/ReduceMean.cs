namespace SharpConv.Ops;

/// <summary>
/// Mean over some axes (all when none are given), keeping them as size-1 axes or dropping them. The element-wise
/// mean of stacked branches (<c>torch.stack(…).mean(0)</c>) and global pooling of non-4-D tensors.
/// </summary>
public sealed class ReduceMean : Op
{
    /// <summary>Averages over <paramref name="axes"/> (empty: every axis).</summary>
    public ReduceMean(int[] axes, bool keepDims = true)
    {
        ArgumentNullException.ThrowIfNull(axes);
        Axes = (int[])axes.Clone(); KeepDims = keepDims;
    }
    /// <summary>The reduced axes (negative counts from the end; empty means all).</summary>
    public IReadOnlyList<int> Axes { get; }
    /// <summary>Whether reduced axes stay as size 1.</summary>
    public bool KeepDims { get; }
    /// <inheritdoc/>
    public override string Kind => "ReduceMean";
    /// <inheritdoc/>
    public override string Describe() => $"axes [{string.Join(", ", Axes)}]{(KeepDims ? " keep" : "")}";

    private bool[] Reduced(string node, Shape x)
    {
        var r = new bool[x.Rank];
        if (Axes.Count == 0) { Array.Fill(r, true); return r; }
        foreach (int a in Axes)
        {
            int ax = a < 0 ? a + x.Rank : a;
            if (ax < 0 || ax >= x.Rank) throw Invalid(node, $"axis {a} is outside a rank-{x.Rank} input {x}.");
            r[ax] = true;
        }
        return r;
    }

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        var red = Reduced(node, x);
        var d = new List<int>();
        for (int i = 0; i < x.Rank; i++)
            if (!red[i]) d.Add(x[i]);
            else if (KeepDims) d.Add(1);
        return new Shape(d.ToArray());
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var x = inputs[0].Span; var y = output.Span;
        var red = Reduced(Kind, xs);
        int rank = xs.Rank;
        // Output index of each input element: strides over the kept axes.
        var outStride = new long[rank];
        long s = 1, count = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            if (red[i]) { outStride[i] = 0; count *= xs[i]; }
            else { outStride[i] = s; s *= xs[i]; }
        }
        var sums = new double[y.Length];
        var index = new int[rank];
        for (int e = 0; e < x.Length; e++)
        {
            long at = 0;
            for (int d = 0; d < rank; d++) at += index[d] * outStride[d];
            sums[at] += x[e];
            for (int d = rank - 1; d >= 0; d--) { if (++index[d] < xs[d]) break; index[d] = 0; }
        }
        for (int i = 0; i < y.Length; i++) y[i] = count == 0 ? float.NaN : (float)(sums[i] / count);
    }
}
