namespace SharpConv.Ops;

/// <summary>
/// Reshape to a target shape, ONNX rules: a 0 copies the input's dimension at that position (so the batch can stay
/// dynamic), one −1 is inferred from the element count.
/// </summary>
public sealed class Reshape : Op
{
    /// <summary>Reshapes to <paramref name="target"/>.</summary>
    public Reshape(params int[] target)
    {
        if (target.Count(d => d == -1) > 1) throw new InvalidLayerException("Reshape", $"at most one −1 is allowed in [{string.Join(", ", target)}].");
        if (target.Any(d => d < -1)) throw new InvalidLayerException("Reshape", $"dimensions must be ≥ −1, found [{string.Join(", ", target)}].");
        Target = (int[])target.Clone();
    }
    /// <summary>The target with its 0 and −1 markers.</summary>
    public IReadOnlyList<int> Target { get; }
    /// <inheritdoc/>
    public override string Kind => "Reshape";
    /// <inheritdoc/>
    public override string Describe() => $"[{string.Join(", ", Target)}]";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        var d = new int[Target.Count];
        long known = 1; int infer = -1;
        for (int i = 0; i < d.Length; i++)
        {
            int t = Target[i];
            if (t == 0)
            {
                if (i >= x.Rank) throw Invalid(node, $"target dimension {i} is 0 (copy) but the input {x} has rank {x.Rank}.");
                t = x[i];
            }
            if (t == -1) { infer = i; continue; }
            d[i] = t;
            known = t == 0 ? 0 : known > long.MaxValue / t ? long.MaxValue : known * t; // saturates: never equals a real count
        }
        long total = x.ElementCount;
        if (infer >= 0)
        {
            if (known == 0 || total % known != 0) throw new ShapeMismatchException($"{node} ({Kind})", $"an element count divisible by {known} for target {Describe()}", $"{total} ({x})");
            d[infer] = (int)(total / known);
        }
        else if (known != total) throw new ShapeMismatchException($"{node} ({Kind})", $"{known} elements for target {Describe()}", $"{total} ({x})");
        return new Shape(d);
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output) => inputs[0].Span.CopyTo(output.Span);
}
