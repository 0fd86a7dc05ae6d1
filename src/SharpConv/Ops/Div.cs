namespace SharpConv.Ops;

/// <summary>Element-wise quotient, with NumPy broadcasting.</summary>
public sealed class Div : BinaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Div";
    /// <inheritdoc/>
    public override float Apply(float a, float b) => a / b;
}
