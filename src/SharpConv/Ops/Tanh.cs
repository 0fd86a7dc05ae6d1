namespace SharpConv.Ops;

/// <summary>Hyperbolic tangent (LeNet-5's original non-linearity).</summary>
public sealed class Tanh : UnaryOp
{
    /// <inheritdoc/>
    public override string Kind => "Tanh";
    /// <inheritdoc/>
    public override float Apply(float x) => MathF.Tanh(x);
}
