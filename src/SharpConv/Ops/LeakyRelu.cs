namespace SharpConv.Ops;

/// <summary>Leaky ReLU: <c>x</c> for x ≥ 0, <c>α·x</c> otherwise.</summary>
public sealed class LeakyRelu : UnaryOp
{
    /// <summary>A leaky ReLU with slope <paramref name="alpha"/> (ONNX default 0.01).</summary>
    public LeakyRelu(float alpha = 0.01f) => Alpha = alpha;
    /// <summary>α.</summary>
    public float Alpha { get; }
    /// <inheritdoc/>
    public override string Kind => "LeakyReLU";
    /// <inheritdoc/>
    public override string Describe() => $"α={Alpha:g3}";
    /// <inheritdoc/>
    public override float Apply(float x) => x >= 0 ? x : Alpha * x;
}
