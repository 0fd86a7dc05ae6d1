namespace SharpConv.Ops;

/// <summary>Element-wise sum (the residual connection <c>F(x) + x</c>), with NumPy broadcasting.</summary>
public sealed class Add : BinaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Add";
    /// <inheritdoc/>
    public override float Apply(float a, float b) => a + b;
}
