namespace SharpConv.Ops;

/// <summary>Clamp to [min, max] (ReLU6 is Clip(0, 6)). ONNX's rule: when min &gt; max every value becomes max.</summary>
public sealed class Clip : UnaryOp
{
    /// <summary>A clamp; omitted bounds are ±∞.</summary>
    public Clip(float min = float.NegativeInfinity, float max = float.PositiveInfinity) { Min = min; Max = max; }
    /// <summary>Lower bound.</summary>
    public float Min { get; }
    /// <summary>Upper bound.</summary>
    public float Max { get; }
    /// <inheritdoc/>
    public override string Kind => "Clip";
    /// <inheritdoc/>
    public override string Describe() => $"[{Min:g3}, {Max:g3}]";
    /// <inheritdoc/>
    public override float Apply(float x) => float.IsNaN(x) ? x : Math.Min(Math.Max(x, Min), Max);
}
