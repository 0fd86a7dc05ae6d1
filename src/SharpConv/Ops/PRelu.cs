namespace SharpConv.Ops;

/// <summary>
/// Parametric ReLU: <c>x</c> for x ≥ 0, <c>slope·x</c> otherwise, with a learned slope tensor that broadcasts
/// (NumPy rules, aligned at the right) to the input — <c>[C, 1, 1]</c> for one slope per channel of an N×C×H×W
/// input (PyTorch's <c>PReLU(C)</c>), <c>[1]</c> for one shared slope. The slope counts as trainable parameters.
/// </summary>
public sealed class PRelu : Op
{
    /// <summary>A PReLU with the given slopes.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="slope"/> is null.</exception>
    public PRelu(Tensor slope)
    {
        ArgumentNullException.ThrowIfNull(slope);
        SetParameters(new Parameter("weight", slope));
    }

    /// <summary>A PReLU with one slope shared by every element (PyTorch's default init is 0.25).</summary>
    public PRelu(float slope = 0.25f) : this(new Tensor(new Shape(1), [slope])) { }

    /// <summary>The slopes.</summary>
    public Parameter Slope => Parameters[0];
    /// <inheritdoc/>
    public override string Kind => "PReLU";
    /// <inheritdoc/>
    public override string Describe() => Slope.Count == 1 ? $"slope={Slope.Value.Span[0]:g3}" : $"slopes {Slope.Shape}";

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        // Unidirectional broadcasting: the slope stretches to the input, never the input to the slope.
        if (Slope.Shape.Rank > x.Rank || Broadcast.Shapes($"{node} ({Kind})", x, Slope.Shape) != x)
            throw new ShapeMismatchException($"{node} ({Kind})", $"slopes of shape {Slope.Shape} that broadcast to the input", x.ToString());
        return x;
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span; var s = Slope.Value.Span;
        if (s.Length == 1)
        {
            float a = s[0];
            for (int i = 0; i < x.Length; i++) y[i] = x[i] >= 0 ? x[i] : a * x[i];
            return;
        }
        var strides = Broadcast.Strides(Slope.Shape, output.Shape);
        var dims = output.Shape.Dims;
        var index = new int[dims.Length];
        for (int i = 0; i < x.Length; i++)
        {
            long o = 0;
            for (int d = 0; d < index.Length; d++) o += index[d] * strides[d];
            float v = x[i];
            y[i] = v >= 0 ? v : s[(int)o] * v;
            for (int d = index.Length - 1; d >= 0; d--) { if (++index[d] < dims[d]) break; index[d] = 0; }
        }
    }
}
