namespace SharpConv.Ops;

/// <summary>Hard sigmoid: <c>max(0, min(1, α·x + β))</c> (ONNX defaults α = 0.2, β = 0.5; PyTorch's is α = 1/6).</summary>
public sealed class HardSigmoid : UnaryOp
{
    /// <summary>A hard sigmoid with slope <paramref name="alpha"/> and offset <paramref name="beta"/>.</summary>
    /// <exception cref="InvalidLayerException">α or β is not finite.</exception>
    public HardSigmoid(float alpha = 0.2f, float beta = 0.5f)
    {
        if (!float.IsFinite(alpha) || !float.IsFinite(beta))
            throw new InvalidLayerException("HardSigmoid", $"alpha and beta must be finite, found α={alpha}, β={beta}.");
        Alpha = alpha; Beta = beta;
    }
    /// <summary>α (the slope).</summary>
    public float Alpha { get; }
    /// <summary>β (the offset).</summary>
    public float Beta { get; }
    /// <inheritdoc/>
    public override string Kind => "HardSigmoid";
    /// <inheritdoc/>
    public override string Describe() => $"α={Alpha:g3}, β={Beta:g3}";
    /// <inheritdoc/>
    public override float Apply(float x) => float.IsNaN(x) ? x : Math.Clamp(Alpha * x + Beta, 0f, 1f);
}
