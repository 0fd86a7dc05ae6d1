using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace SharpConv.Benchmarks;

/// <summary>
/// The machine's FMA peak, measured in the same run as everything else: 12 independent FMA chains (enough to hide the
/// 4-cycle latency on two FMA pipes) so the loop is throughput-bound. Every GFLOP/s figure of the suite is divided by
/// this lane's result, never by a datasheet number.
/// </summary>
public class PeakBenchmarks
{
    /// <summary>FMAs per lane per iteration × iterations; 2 FLOPs per FMA.</summary>
    public const int Iterations = 4_000_000;
    public const int Chains = 12;

    [Benchmark(Description = "fma-peak-v512")]
    public float Vector512Peak() => Vector512.IsHardwareAccelerated ? Run512() : float.NaN;

    [Benchmark(Description = "fma-peak-2t")]
    public float TwoThreadPeak()
    {
        // Two dedicated threads, each running the widest peak loop: the machine's two-thread FMA ceiling.
        float a = 0, b = 0;
        var t = new Thread(() => a = Vector512.IsHardwareAccelerated ? Run512() : Run256());
        t.Start();
        b = Vector512.IsHardwareAccelerated ? Run512() : Run256();
        t.Join();
        return a + b;
    }

    [Benchmark(Description = "fma-peak-v256")]
    public float Vector256Peak() => Run256();

    /// <summary>FLOPs one call performs for the vector width (for the GFLOP/s column).</summary>
    public static double Flops(int lanes) => 2.0 * lanes * Chains * Iterations;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run512()
    {
        var m = Vector512.Create(0.999999f); var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run256()
    {
        var m = Vector256.Create(0.999999f); var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
