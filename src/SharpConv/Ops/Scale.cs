namespace SharpConv.Ops;

/// <summary>
/// Multiply by a constant and add a constant: <c>y = a·x + b</c>. Stochastic depth uses it at test time to scale a
/// residual branch by its survival probability.
/// </summary>
public sealed class Scale : UnaryOp
{
    /// <summary>Scales by <paramref name="multiplier"/> then adds <paramref name="offset"/>.</summary>
    public Scale(float multiplier, float offset = 0f) { Multiplier = multiplier; Offset = offset; }
    /// <summary>a.</summary>
    public float Multiplier { get; }
    /// <summary>b.</summary>
    public float Offset { get; }
    /// <inheritdoc/>
    public override string Kind => "Scale";
    /// <inheritdoc/>
    public override string Describe() => Offset == 0 ? $"×{Multiplier:g4}" : $"×{Multiplier:g4} +{Offset:g4}";
    /// <inheritdoc/>
    public override float Apply(float x) => Multiplier * x + Offset;
}
