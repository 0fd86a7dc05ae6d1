namespace SharpConv.Ops;

/// <summary>How <see cref="PadNd"/> fills the border.</summary>
public enum PadMode
{
    /// <summary>A constant value (usually 0).</summary>
    Constant,
    /// <summary>Mirror without repeating the edge: <c>[1 2 3]</c> padded by 2 → <c>3 2 [1 2 3] 2 1</c>.</summary>
    Reflect,
    /// <summary>Repeat the edge: <c>1 1 [1 2 3] 3 3</c>.</summary>
    Edge,
}

/// <summary>
/// Padding of any axes of a tensor of any rank (ONNX Pad, <c>F.pad</c>): <c>Before[d]</c> elements before and
/// <c>After[d]</c> after axis <c>d</c>. Covers channel padding (option-A shortcuts) and the explicit spatial pads
/// exporters put before pooling; padding that only feeds a convolution is better expressed as its own padding.
/// </summary>
public sealed class PadNd : Op
{
    /// <summary>Pads axis d by <paramref name="before"/>[d] and <paramref name="after"/>[d] (both ≥ 0, one entry per axis).</summary>
    public PadNd(int[] before, int[] after, PadMode mode = PadMode.Constant, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(before); ArgumentNullException.ThrowIfNull(after);
        if (before.Length != after.Length) throw new InvalidLayerException("Pad", "before and after must have one entry per axis.");
        if (before.Any(p => p < 0) || after.Any(p => p < 0)) throw new InvalidLayerException("Pad", $"pads must be ≥ 0, found [{string.Join(", ", before)}] / [{string.Join(", ", after)}].");
        Before = (int[])before.Clone(); After = (int[])after.Clone(); Mode = mode; Value = value;
    }

    /// <summary>Elements added before each axis.</summary>
    public IReadOnlyList<int> Before { get; }
    /// <summary>Elements added after each axis.</summary>
    public IReadOnlyList<int> After { get; }
    /// <summary>The fill mode.</summary>
    public PadMode Mode { get; }
    /// <summary>The fill value in <see cref="PadMode.Constant"/> mode.</summary>
    public float Value { get; }
    /// <inheritdoc/>
    public override string Kind => "Pad";
    /// <inheritdoc/>
    public override string Describe() =>
        $"{Mode.ToString().ToLowerInvariant()}{(Mode == PadMode.Constant && Value != 0 ? $" {Value:g3}" : "")} " +
        string.Join(" ", Before.Select((b, i) => b == 0 && After[i] == 0 ? null : $"ax{i}+({b},{After[i]})").Where(s => s is not null));

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        ExpectRank(node, x, Before.Count);
        var d = new int[x.Rank];
        for (int i = 0; i < d.Length; i++)
        {
            long n = (long)x[i] + Before[i] + After[i];
            if (n > int.MaxValue) throw Invalid(node, $"padded axis {i} is too large.");
            if (Mode == PadMode.Reflect && (Before[i] >= Math.Max(1, x[i]) || After[i] >= Math.Max(1, x[i])) && (Before[i] > 0 || After[i] > 0))
                throw Invalid(node, $"reflect padding ({Before[i]}, {After[i]}) must be smaller than axis {i} of size {x[i]}.");
            if (Mode == PadMode.Edge && x[i] == 0 && n > 0) throw Invalid(node, $"edge padding of the empty axis {i}.");
            d[i] = (int)n;
        }
        return new Shape(d);
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var x = inputs[0].Span; var y = output.Span;
        int rank = xs.Rank;
        var inStride = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) { inStride[i] = s; s *= xs[i]; }
        var index = new int[rank];
        var dims = output.Shape.Dims;
        for (int o = 0; o < y.Length; o++)
        {
            long at = 0; bool inside = true;
            for (int d = 0; d < rank && inside; d++)
            {
                int i = index[d] - Before[d], n = xs[d];
                if ((uint)i >= (uint)n)
                {
                    switch (Mode)
                    {
                        case PadMode.Constant: inside = false; continue;
                        case PadMode.Edge: i = i < 0 ? 0 : n - 1; break;
                        case PadMode.Reflect:
                            if (n == 1) { i = 0; break; }
                            int period = 2 * (n - 1);
                            i = ((i % period) + period) % period;
                            if (i >= n) i = period - i;
                            break;
                    }
                }
                at += i * inStride[d];
            }
            y[o] = inside ? x[(int)at] : Value;
            for (int d = rank - 1; d >= 0; d--) { if (++index[d] < dims[d]) break; index[d] = 0; }
        }
    }
}
