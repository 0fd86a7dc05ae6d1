namespace SharpConv.Ops;

/// <summary>
/// Permutes the axes: output axis <c>i</c> is input axis <c>Perm[i]</c> (ONNX Transpose, <c>torch.permute</c>).
/// Pure data movement.
/// </summary>
public sealed class Transpose : Op
{
    /// <summary>A transpose by <paramref name="perm"/>, a permutation of 0..rank−1.</summary>
    public Transpose(params int[] perm)
    {
        ArgumentNullException.ThrowIfNull(perm);
        var seen = new bool[perm.Length];
        foreach (int p in perm)
        {
            if (p < 0 || p >= perm.Length || seen[p]) throw new InvalidLayerException("Transpose", $"[{string.Join(", ", perm)}] is not a permutation of 0..{perm.Length - 1}.");
            seen[p] = true;
        }
        Perm = (int[])perm.Clone();
    }

    /// <summary>The permutation.</summary>
    public IReadOnlyList<int> Perm { get; }
    /// <inheritdoc/>
    public override string Kind => "Transpose";
    /// <inheritdoc/>
    public override string Describe() => $"[{string.Join(", ", Perm)}]";

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        ExpectRank(node, inputs[0], Perm.Count);
        var d = new int[Perm.Count];
        for (int i = 0; i < d.Length; i++) d[i] = inputs[0][Perm[i]];
        return new Shape(d);
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var x = inputs[0].Span; var y = output.Span;
        int rank = Perm.Count;
        var inStride = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) { inStride[i] = s; s *= xs[i]; }
        var stride = new long[rank];
        for (int i = 0; i < rank; i++) stride[i] = inStride[Perm[i]];
        var index = new int[rank];
        var dims = output.Shape.Dims;
        for (int o = 0; o < y.Length; o++)
        {
            long at = 0;
            for (int d = 0; d < rank; d++) at += index[d] * stride[d];
            y[o] = x[(int)at];
            for (int d = rank - 1; d >= 0; d--) { if (++index[d] < dims[d]) break; index[d] = 0; }
        }
    }
}
