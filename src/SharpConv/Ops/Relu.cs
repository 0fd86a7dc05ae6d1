namespace SharpConv.Ops;

/// <summary>ReLU: <c>max(0, x)</c>.</summary>
public sealed class Relu : UnaryOp
{
    /// <inheritdoc/>
    public override string Kind => "ReLU";
    /// <inheritdoc/>
    public override float Apply(float x) => x > 0 ? x : (float.IsNaN(x) ? x : 0f);
}
