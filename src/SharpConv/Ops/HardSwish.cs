namespace SharpConv.Ops;

/// <summary>Hard swish (MobileNetV3): <c>x · max(0, min(1, x/6 + 1/2))</c> — 0 below −3, x above 3.</summary>
public sealed class HardSwish : UnaryOp
{
    /// <inheritdoc/>
    public override string Kind => "HardSwish";
    /// <inheritdoc/>
    public override float Apply(float x) => float.IsNaN(x) ? x : x * Math.Clamp(x / 6f + 0.5f, 0f, 1f);
}
