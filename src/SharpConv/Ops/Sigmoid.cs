namespace SharpConv.Ops;

/// <summary>Logistic sigmoid <c>1 / (1 + e^−x)</c>.</summary>
public sealed class Sigmoid : UnaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Sigmoid";
    /// <inheritdoc/>
    public override float Apply(float x) => (float)(1.0 / (1.0 + Math.Exp(-x)));
}
