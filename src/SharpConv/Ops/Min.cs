namespace SharpConv.Ops;

/// <summary>
/// Element-wise minimum of two tensors, with NumPy broadcasting (ONNX <c>Min</c>; the importer chains it for more
/// inputs). A NaN in either operand gives NaN.
/// </summary>
public sealed class Min : BinaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Min";
    /// <inheritdoc/>
    public override float Apply(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : MathF.Min(a, b);
}
