using System.Runtime.Intrinsics;

namespace SharpConv.Kernels;

/// <summary>The vector width a kernel family uses. The best one is picked once at start-up
/// (<see cref="SimdSupport.Best"/>); tests force each to cover every path on one machine.</summary>
public enum SimdWidth
{
    /// <summary>128-bit vectors (SSE / NEON), also the portable fallback (software-emulated where not accelerated).</summary>
    Vector128 = 128,
    /// <summary>256-bit vectors (AVX2 + FMA).</summary>
    Vector256 = 256,
    /// <summary>512-bit vectors (AVX-512F).</summary>
    Vector512 = 512,
}

/// <summary>What the current processor accelerates.</summary>
public static class SimdSupport
{
    /// <summary>The widest accelerated width: Vector512 when AVX-512 is on, else Vector256 when AVX2 is, else Vector128.</summary>
    public static SimdWidth Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512 :
        Vector256.IsHardwareAccelerated ? SimdWidth.Vector256 : SimdWidth.Vector128;

    /// <summary>True when <paramref name="width"/> runs in hardware here (every width still runs correctly, the
    /// unaccelerated ones in software).</summary>
    public static bool IsAccelerated(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => Vector512.IsHardwareAccelerated,
        SimdWidth.Vector256 => Vector256.IsHardwareAccelerated,
        _ => true,
    };
}
