using System.Diagnostics;
using System.Runtime.Intrinsics;
using SharpConv.Kernels;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Perf;

internal static unsafe class Program
{
    private static void Main(string[] args)
    {
        string what = args.Length > 0 ? args[0] : "all";
        Console.WriteLine($"CPU: {Environment.ProcessorCount} threads, Vector512 {Vector512.IsHardwareAccelerated}, best {SimdSupport.Best}");
        double peak1 = Peak(1, 512), peak2 = Peak(2, 512);
        double peak1y = Peak(1, 256);
        Console.WriteLine($"FMA peak (12 chains): V512 1T {peak1:F1} GFLOP/s, 2T {peak2:F1}; V256 1T {peak1y:F1}");
        if (what is "shapes") { ShapeProbe.Run(peak1); return; }
        if (what is "shapes-small") { ShapeProbe.Run(peak1, smallMaps: true); return; }
        if (what is "pools") { ShapeProbe.Pools(args[1..]); return; }
        if (what is "folds") { ShapeProbe.Folds(); return; }
        if (what is "norms") { ShapeProbe.Norms(); return; }
        if (what is "batches") { ShapeProbe.Batches(); return; }
        if (what is "winograd") { ShapeProbe.WinogradMoves(); return; }
        if (what is "bandwidth") { ShapeProbe.Bandwidth(); return; }
        if (what is "loops") { ShapeProbe.Loops(); return; }
        if (what is "crosscore") { ShapeProbe.CrossCore(); return; }
        if (what is "layer") { ShapeProbe.Layer(args[1..]); return; }
        if (what is "inplace") { ShapeProbe.InPlaceB(); return; }
        if (what is "knob") { ShapeProbe.Knob(args[1..]); return; }
        if (what is "convpool") { ShapeProbe.ConvPool(args[1..]); return; }
        if (what is "algorithms") { ShapeProbe.Algorithms(); return; }
        if (what is "convsq") { ConvProbe.Run(peak1, peak2, withReference: false, squeezeNet: true); return; }
        if (what is "all" or "gemm") GemmProbe(peak1, peak2);
        if (what is "all" or "conv" or "convq") ConvProbe.Run(peak1, peak2, withReference: what != "convq");
    }

    // 12 independent FMA chains per thread (enough to cover latency 4 × 2 pipes + slack), 2 FLOP per lane.
    private static double Peak(int threads, int bits)
    {
        const long iters = 50_000_000;
        double best = 0;
        for (int rep = 0; rep < 3; rep++)
        {
            var sw = Stopwatch.StartNew();
            var ts = new Thread[threads];
            for (int t = 0; t < threads; t++) { ts[t] = new Thread(() => { if (bits == 512) Chains512(iters); else Chains256(iters); }); ts[t].Start(); }
            foreach (var t in ts) t.Join();
            double s = sw.Elapsed.TotalSeconds;
            best = Math.Max(best, threads * iters * 12.0 * (bits / 32) * 2 / s / 1e9);
        }
        return best;
    }

    private static float Chains512(long n)
    {
        var a = Vector512.Create(0.999f); var b = Vector512.Create(0.001f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
            c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b); c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b); c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b); c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b); c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float Chains256(long n)
    {
        var a = Vector256.Create(0.999f); var b = Vector256.Create(0.001f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
            c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b); c2 = Vector256.FusedMultiplyAdd(c2, a, b);
            c3 = Vector256.FusedMultiplyAdd(c3, a, b); c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b); c8 = Vector256.FusedMultiplyAdd(c8, a, b);
            c9 = Vector256.FusedMultiplyAdd(c9, a, b); c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static void GemmProbe(double peak1, double peak2)
    {
        // The machine is shared: a peak burst and a GEMM run alternate, and each GEMM time is compared with the peak
        // measured right next to it (median over rounds), so both see the same contention.
        const int n = 1024;
        var a = new float[n * n]; var b = new float[n * n]; var c = new float[n * n];
        var rnd = new SeededRandom(1); rnd.FillUniform(a, -1, 1); rnd.FillUniform(b, -1, 1);
        foreach (var shape in new[] { MicroKernelShape.V512_14x2, MicroKernelShape.V512_8x3, MicroKernelShape.V512_12x2, MicroKernelShape.V256_6x2, MicroKernelShape.V128_6x2 })
        {
            var pa = PackedMatrix.Pack(a, n, n, 1, GemmKernel.Get(shape));
            foreach (int threads in new[] { 1, 2 })
            {
                using var s = new Scheduler(threads);
                var scratch = new float[PackedGemm.ScratchElements(threads)];
                PackedGemm.Multiply(pa, b, n, c, default, default, Activation.None, s, scratch);
                var ratios = new List<double>(); double bestGf = 0;
                for (int rep = 0; rep < 9; rep++)
                {
                    double pk = PeakBurst(threads);
                    var sw = Stopwatch.StartNew();
                    PackedGemm.Multiply(pa, b, n, c, default, default, Activation.None, s, scratch);
                    double gf = 2.0 * n * n * n / sw.Elapsed.TotalSeconds / 1e9;
                    bestGf = Math.Max(bestGf, gf);
                    ratios.Add(gf / pk);
                }
                ratios.Sort();
                Console.WriteLine($"PackedGemm 1024^3 {shape,-10} {threads}T: best {bestGf,6:F1} GFLOP/s; median {100 * ratios[ratios.Count / 2],5:F1}% of the FMA peak measured beside it");
            }
        }
    }

    private static double PeakBurst(int threads)
    {
        const long iters = 2_000_000;
        var sw = Stopwatch.StartNew();
        if (threads == 1) Chains512(iters);
        else Parallel.For(0, threads, _ => Chains512(iters));
        return threads * iters * 12.0 * 16 * 2 / sw.Elapsed.TotalSeconds / 1e9;
    }
}
