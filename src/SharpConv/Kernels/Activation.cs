using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpConv.Kernels;

/// <summary>
/// The activation fused into a kernel's store, expressed as a clamp <c>min(max(x, Min), Max)</c>:
/// ReLU is [0, +∞), ReLU6 is [0, 6], none is (−∞, +∞). Applied after bias and residual add.
/// <para>
/// The clamp is defined as <c>x = Min &gt; x ? Min : x; x = Max &lt; x ? Max : x</c>, which is exactly one x86
/// <c>maxps</c>/<c>minps</c> each (bound first): NaN passes through, and a value equal to a bound — a −0 at a +0
/// bound included — is kept as it is. Every width and the scalar code use it, so all paths give the same bits.
/// (<c>Vector256.Max</c>'s IEEE maximum costs eight instructions on AVX2 for the ±0 and NaN cases: in the epilogue
/// of a 16-deep GEMM tile that was a quarter of the tile's time on an AVX2-only Zen 1.)
/// </para>
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
    public float Apply(float x) => Clamp(x, Min, Max);

    /// <summary>The clamp of one value (see the type's remarks for the exact rule).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Clamp(float x, float lo, float hi)
    {
        x = lo > x ? lo : x;
        return hi < x ? hi : x;
    }

    /// <summary>The clamp of 16 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Clamp(Vector512<float> x, Vector512<float> lo, Vector512<float> hi)
    {
        if (Avx512F.IsSupported) return Avx512F.Min(hi, Avx512F.Max(lo, x));
        x = Vector512.ConditionalSelect(Vector512.GreaterThan(lo, x), lo, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(hi, x), hi, x);
    }

    /// <summary>The clamp of 8 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Clamp(Vector256<float> x, Vector256<float> lo, Vector256<float> hi)
    {
        if (Avx.IsSupported) return Avx.Min(hi, Avx.Max(lo, x));
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(lo, x), lo, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(hi, x), hi, x);
    }

    /// <summary>The clamp of 4 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Clamp(Vector128<float> x, Vector128<float> lo, Vector128<float> hi)
    {
        if (Sse.IsSupported) return Sse.Min(hi, Sse.Max(lo, x));
        x = Vector128.ConditionalSelect(Vector128.GreaterThan(lo, x), lo, x);
        return Vector128.ConditionalSelect(Vector128.LessThan(hi, x), hi, x);
    }

    /// <summary>The clamp of <see cref="Vector{T}.Count"/> values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Clamp(Vector<float> x, Vector<float> lo, Vector<float> hi)
    {
        x = Vector.ConditionalSelect(Vector.GreaterThan(lo, x), lo, x);
        return Vector.ConditionalSelect(Vector.LessThan(hi, x), hi, x);
    }
}
