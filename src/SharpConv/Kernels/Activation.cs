namespace SharpConv.Kernels;

/// <summary>
/// The activation fused into a kernel's store, expressed as a clamp <c>min(max(x, Min), Max)</c>:
/// ReLU is [0, +∞), ReLU6 is [0, 6], none is (−∞, +∞). Applied after bias and residual add.
/// </summary>
/// <param name="Min">Lower bound (−∞ for none).</param>
/// <param name="Max">Upper bound (+∞ for none).</param>
public readonly record struct Activation(float Min, float Max)
{
    /// <summary>No activation (identity).</summary>
    public static Activation None => new(float.NegativeInfinity, float.PositiveInfinity);

    /// <summary>ReLU: max(x, 0).</summary>
    public static Activation Relu => new(0f, float.PositiveInfinity);

    /// <summary>ReLU6: min(max(x, 0), 6).</summary>
    public static Activation Relu6 => new(0f, 6f);

    /// <summary>True when the clamp changes nothing (both bounds infinite), so kernels can skip it.</summary>
    public bool IsIdentity => float.IsNegativeInfinity(Min) && float.IsPositiveInfinity(Max);

    /// <summary>Applies the clamp to one value.</summary>
    public float Apply(float x) => MathF.Min(MathF.Max(x, Min), Max);
}
