namespace SharpConv.Ops;

/// <summary>
/// Strided slice along some axes, with ONNX/NumPy rules: negative starts/ends count from the end, ends past the
/// axis are clamped (<see cref="long.MaxValue"/> means "to the end"), negative steps walk backwards. Resolved
/// against the actual input shape, so a slice over the batch axis follows the batch size. <c>x[:, :, ::2, ::2]</c>
/// is <c>Slice(axes [2, 3], starts [0, 0], ends [max, max], steps [2, 2])</c>.
/// </summary>
public sealed class Slice : Op
{
    /// <summary>A slice of <paramref name="axes"/> from <paramref name="starts"/> to <paramref name="ends"/> (exclusive) by <paramref name="steps"/>.</summary>
    public Slice(int[] axes, long[] starts, long[] ends, long[] steps)
    {
        ArgumentNullException.ThrowIfNull(axes); ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(ends); ArgumentNullException.ThrowIfNull(steps);
        if (starts.Length != axes.Length || ends.Length != axes.Length || steps.Length != axes.Length)
            throw new InvalidLayerException("Slice", "axes, starts, ends and steps must have the same length.");
        if (steps.Any(s => s == 0)) throw new InvalidLayerException("Slice", "steps must not be 0.");
        if (axes.Distinct().Count() != axes.Length) throw new InvalidLayerException("Slice", $"axes [{string.Join(", ", axes)}] repeat.");
        Axes = (int[])axes.Clone(); Starts = (long[])starts.Clone(); Ends = (long[])ends.Clone(); Steps = (long[])steps.Clone();
    }

    /// <summary>The sliced axes (negative counts from the end).</summary>
    public IReadOnlyList<int> Axes { get; }
    /// <summary>Start per sliced axis.</summary>
    public IReadOnlyList<long> Starts { get; }
    /// <summary>End (exclusive) per sliced axis.</summary>
    public IReadOnlyList<long> Ends { get; }
    /// <summary>Step per sliced axis.</summary>
    public IReadOnlyList<long> Steps { get; }
    /// <inheritdoc/>
    public override string Kind => "Slice";
    /// <inheritdoc/>
    public override string Describe() =>
        string.Join(", ", Axes.Select((a, i) => $"axis {a}: {Fmt(Starts[i])}:{Fmt(Ends[i])}{(Steps[i] == 1 ? "" : ":" + Steps[i])}"));

    private static string Fmt(long v) => v >= int.MaxValue ? "" : v <= int.MinValue ? "" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Per axis of <paramref name="shape"/>: first index, step and count.</summary>
    public (long[] Start, long[] Step, int[] Count) Resolve(string node, Shape shape)
    {
        int rank = shape.Rank;
        var start = new long[rank]; var step = new long[rank]; var count = new int[rank];
        for (int d = 0; d < rank; d++) { step[d] = 1; count[d] = shape[d]; }
        for (int i = 0; i < Axes.Count; i++)
        {
            int ax = Axes[i] < 0 ? Axes[i] + rank : Axes[i];
            if (ax < 0 || ax >= rank) throw Invalid(node, $"axis {Axes[i]} is outside a rank-{rank} input {shape}.");
            long len = shape[ax], st = Steps[i], s = Starts[i], e = Ends[i];
            if (s < 0) s += len;
            if (e < 0) e += len;
            if (st > 0) { s = Math.Clamp(s, 0, len); e = Math.Clamp(e, 0, len); }
            else { s = Math.Clamp(s, 0, len - 1); e = Math.Clamp(e, -1, len - 1); }
            long n = st > 0 ? (e > s ? (e - s + st - 1) / st : 0) : (s > e ? (s - e - st - 1) / -st : 0);
            start[ax] = s; step[ax] = st; count[ax] = (int)n;
        }
        return (start, step, count);
    }

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        return new Shape(Resolve(node, inputs[0]).Count);
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var x = inputs[0].Span; var y = output.Span;
        var (start, step, count) = Resolve(Kind, xs);
        int rank = xs.Rank;
        var stride = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) { stride[i] = s; s *= xs[i]; }
        var index = new int[rank];
        for (int o = 0; o < y.Length; o++)
        {
            long at = 0;
            for (int d = 0; d < rank; d++) at += (start[d] + index[d] * step[d]) * stride[d];
            y[o] = x[(int)at];
            for (int d = rank - 1; d >= 0; d--) { if (++index[d] < count[d]) break; index[d] = 0; }
        }
    }
}
