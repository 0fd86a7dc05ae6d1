namespace SharpConv.Ops;

/// <summary>Element-wise difference, with NumPy broadcasting.</summary>
public sealed class Sub : BinaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Sub";
    /// <inheritdoc/>
    public override float Apply(float a, float b) => a - b;
}
