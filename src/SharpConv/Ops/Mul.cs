namespace SharpConv.Ops;

/// <summary>Element-wise product, with NumPy broadcasting.</summary>
public sealed class Mul : BinaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Mul";
    /// <inheritdoc/>
    public override float Apply(float a, float b) => a * b;
}
