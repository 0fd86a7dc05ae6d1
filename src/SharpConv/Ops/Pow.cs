namespace SharpConv.Ops;

/// <summary>Element-wise power with a constant exponent, <c>y = x^p</c> (NaN for a negative base and a fractional exponent, as in C).</summary>
public sealed class Pow : UnaryOp
{
    /// <summary>Raises to <paramref name="exponent"/>.</summary>
    public Pow(float exponent) => Exponent = exponent;
    /// <summary>The exponent.</summary>
    public float Exponent { get; }
    /// <inheritdoc/>
    public override string Kind => "Pow";
    /// <inheritdoc/>
    public override string Describe() => $"^{Exponent:g4}";
    /// <inheritdoc/>
    public override float Apply(float x) => Exponent == 2f ? x * x : Exponent == 1f ? x : (float)Math.Pow(x, Exponent);
}
