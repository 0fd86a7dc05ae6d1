namespace SharpConv.Ops;

/// <summary>
/// Element-wise maximum of two tensors, with NumPy broadcasting (ONNX <c>Max</c>; the importer chains it for more
/// inputs). A NaN in either operand gives NaN.
/// </summary>
public sealed class Max : BinaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Max";
    /// <inheritdoc/>
    public override float Apply(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : MathF.Max(a, b);
}
