using System.Diagnostics;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Perf;

/// <summary>The GEMM on the thin shapes convolution layers give it (B warm), against the same layer as a Pointwise
/// conv at batch 1 and 8: tells GEMM inefficiency apart from memory effects.</summary>
internal static class ShapeProbe
{
    public static void Run(double peak1, bool smallMaps = false)
    {
        var shapes = new (int M, int K, int N)[]
        {
            (256, 64, 3136), (64, 256, 3136), (64, 64, 3136), (128, 256, 3136), (512, 128, 784), (128, 512, 784),
            (1024, 1024, 1024),
            (256, 1024, 196), (1024, 256, 196), (512, 256, 196), (128, 512, 196), (192, 480, 196), (128, 800, 196),
            (2048, 512, 49), (512, 2048, 49), (512, 1024, 49), (256, 832, 49), (128, 960, 49),
            (32, 256, 729), (32, 128, 729), (48, 384, 169), (64, 512, 169), (1000, 512, 169), (32, 832, 49),
        };
        using var s1 = new Scheduler(1);
        var scratch = new float[16 << 20];
        foreach (var (m, k, n) in shapes)
        {
            if (smallMaps && (n > 1024 || m * k * n > 1 << 28)) continue;
            var rnd = new SeededRandom(1);
            var a = new float[m * k]; var b = new float[k * n * 8]; var c = new float[m * n * 8]; var r = new float[m * n * 8];
            rnd.FillUniform(a, -1, 1); rnd.FillUniform(b, -1, 1); rnd.FillUniform(r, -1, 1);
            var bias = new float[m];
            var pa = PackedMatrix.Pack(a, m, k, 1, GemmKernel.For(SimdSupport.Best, m));
            double gemm = Best(() => PackedGemm.Multiply(pa, b.AsSpan(0, k * n), n, c, bias, default, Activation.Relu, s1, scratch), 2.0 * m * k * n);
            var p = new ConvParams(k, n, 1, m, 1, 1);
            var pw = PreparedConv.Create(ConvAlgorithm.Pointwise, p, a, bias, Activation.Relu);
            double pw1 = Best(() => pw.Execute(b, 1, c, default, s1, scratch), 2.0 * m * k * n);
            double pw1r = Best(() => pw.Execute(b.AsSpan(0, k * n), 1, c, r, s1, scratch), 2.0 * m * k * n);
            double pw8 = Best(() => pw.Execute(b, 8, c, default, s1, scratch), 8 * 2.0 * m * k * n);
            double pw8r = Best(() => pw.Execute(b, 8, c, r, s1, scratch), 8 * 2.0 * m * k * n);
            PackedGemm.PrefetchTiles = false;
            double pw1rOff = Best(() => pw.Execute(b.AsSpan(0, k * n), 1, c, r, s1, scratch), 2.0 * m * k * n);
            double pw8rOff = Best(() => pw.Execute(b, 8, c, r, s1, scratch), 8 * 2.0 * m * k * n);
            PackedGemm.PrefetchTiles = true;
            pw1r = Math.Max(pw1r, Best(() => pw.Execute(b.AsSpan(0, k * n), 1, c, r, s1, scratch), 2.0 * m * k * n));
            pw8r = Math.Max(pw8r, Best(() => pw.Execute(b, 8, c, r, s1, scratch), 8 * 2.0 * m * k * n));
            TransposedGemm.Enabled = false;
            var pwUsual = PreparedConv.Create(ConvAlgorithm.Pointwise, p, a, bias, Activation.Relu);
            TransposedGemm.Enabled = true;
            double pw1u = Best(() => pwUsual.Execute(b.AsSpan(0, k * n), 1, c, r, s1, scratch), 2.0 * m * k * n);
            pw1r = Math.Max(pw1r, Best(() => pw.Execute(b.AsSpan(0, k * n), 1, c, r, s1, scratch), 2.0 * m * k * n));
            pw1u = Math.Max(pw1u, Best(() => pwUsual.Execute(b.AsSpan(0, k * n), 1, c, r, s1, scratch), 2.0 * m * k * n));
            Console.WriteLine($"M {m,5} K {k,5} N {n,5} [{pa.Kernel.Shape}]: gemm {gemm,6:F1} GF/s ({100 * gemm / peak1:F0}%)  pw bs1 {pw1,6:F1} +res {pw1r,6:F1} (transposed GEMM off: +res {pw1u,6:F1})  pw bs8 {pw8,6:F1}  +residual {pw8r,6:F1}   no prefetch: bs1+res {pw1rOff,6:F1} bs8+res {pw8rOff,6:F1}");
        }
    }

    /// <summary>1×1 layers of SqueezeNet/GoogLeNet/DenseNet at batch 8, 2 threads: folded vs per image vs direct.</summary>
    public static void Folds()
    {
        var layers = new (string, ConvParams)[]
        {
            ("sq 32→128 @27", new ConvParams(32, 27, 27, 128, 1, 1)), ("sq 256→32 @27", new ConvParams(256, 27, 27, 32, 1, 1)),
            ("sq 48→192 @27", new ConvParams(48, 27, 27, 192, 1, 1)), ("sq 384→48 @27", new ConvParams(384, 27, 27, 48, 1, 1)),
            ("sq 64→256 @27", new ConvParams(64, 27, 27, 256, 1, 1)), ("sq 128→32 @27", new ConvParams(128, 27, 27, 32, 1, 1)),
            ("sq 64→256 @13", new ConvParams(64, 13, 13, 256, 1, 1)), ("sq 512→64 @13", new ConvParams(512, 13, 13, 64, 1, 1)),
            ("gn 480→16 @14", new ConvParams(480, 14, 14, 16, 1, 1)), ("gn 480→192 @14", new ConvParams(480, 14, 14, 192, 1, 1)),
            ("gn 832→48 @7", new ConvParams(832, 7, 7, 48, 1, 1)), ("gn 832→256 @7", new ConvParams(832, 7, 7, 256, 1, 1)),
            ("gn 256→32 @28", new ConvParams(256, 28, 28, 32, 1, 1)), ("gn 192→64 @28", new ConvParams(192, 28, 28, 64, 1, 1)),
            ("sq 512→1000 @13", new ConvParams(512, 13, 13, 1000, 1, 1)), ("sq 384→48 @13", new ConvParams(384, 13, 13, 48, 1, 1)),
            ("sq 48→192 @13", new ConvParams(48, 13, 13, 192, 1, 1)), ("r50 1024→256 @14", new ConvParams(1024, 14, 14, 256, 1, 1)),
            ("r50 256→1024 @14", new ConvParams(256, 14, 14, 1024, 1, 1)),
        };
        using var s2 = new Scheduler(2);
        var scratch = new float[32 << 20];
        Console.WriteLine("layer | rule | fold | per image | direct  (ms, batch 8, 2 threads, min of 7)");
        foreach (var (name, p) in layers)
        {
            var (x, w, y) = LayerData(p, 8);
            var pw = PreparedConv.Create(ConvAlgorithm.Pointwise, p, w, default, Activation.Relu);
            var di = PreparedConv.Create(ConvAlgorithm.Direct, p, w, default, Activation.Relu);
            var t = new double[5];
            for (int round = 0; round < 3; round++)
                for (int v = 0; v < 5; v++)
                {
                    BatchFold.Force = v == 0 || v == 4 ? true : v == 1 || v == 3 ? false : null;
                    PackedGemm.PrefetchTiles = v < 3;
                    var conv = v == 2 ? di : pw;
                    double ms = 1.0 / Best(() => conv.Execute(x, 8, y, default, s2, scratch), 1e6);
                    t[v] = round == 0 ? ms : Math.Min(t[v], ms);
                }
            BatchFold.Force = null; PackedGemm.PrefetchTiles = true;
            bool rule = BatchFold.Pays(p, 8, GemmKernel.For(SimdSupport.Best, p.K).ColumnStep);
            Console.WriteLine($"{name,-16} | {(rule ? "fold" : "image"),-5} | {t[0],6:F3} | {t[1],6:F3} | {t[2],6:F3} | no prefetch: fold {t[4],6:F3} image {t[3],6:F3}");
        }
    }

    /// <summary>DenseNet's norm → relu → conv 1×1: a BatchNorm pass then the conv, against the conv normalising its input
    /// as it reads it (<see cref="InputAffine"/>). Interleaved, min of rounds, ms.</summary>
    public static void Norms()
    {
        var layers = new (string, ConvParams, int)[]
        {
            ("dn 256→128 @56 bs1", new ConvParams(256, 56, 56, 128, 1, 1), 1), ("dn 128→128 @56 bs8", new ConvParams(128, 56, 56, 128, 1, 1), 8),
            ("dn 480→128 @28 bs1", new ConvParams(480, 28, 28, 128, 1, 1), 1), ("dn 480→128 @28 bs8", new ConvParams(480, 28, 28, 128, 1, 1), 8),
            ("dn 800→128 @14 bs1", new ConvParams(800, 14, 14, 128, 1, 1), 1), ("dn 800→128 @14 bs8", new ConvParams(800, 14, 14, 128, 1, 1), 8),
            ("dn 960→128 @7 bs8", new ConvParams(960, 7, 7, 128, 1, 1), 8),
        };
        var scratch = new float[32 << 20];
        foreach (int threads in new[] { 1, 2 })
        {
            using var s = new Scheduler(threads);
            Console.WriteLine($"layer | algorithm | BN pass + conv | conv with input map  (ms, {threads} thread(s), min of 5 rounds)");
            foreach (var (name, p, batch) in layers)
            {
                var (x, w, y) = LayerData(p, batch);
                var xn = new float[x.Length];
                var scale = new float[p.C]; var shift = new float[p.C];
                new SeededRandom(3).FillUniform(scale, 0.5f, 1.5f); new SeededRandom(4).FillUniform(shift, -0.5f, 0.5f);
                var alg = ConvAlgorithmChooser.Choose(p, batch);
                var plain = PreparedConv.Create(alg, p, w, default, Activation.Relu);
                var mapped = PreparedConv.Create(alg, p, w, default, Activation.Relu, inputMap: new InputAffine(scale, shift, Activation.Relu));
                double a = double.MaxValue, b = double.MaxValue;
                for (int round = 0; round < 5; round++)
                {
                    a = Math.Min(a, 1.0 / Best(() =>
                    {
                        SharpConv.Kernels.Pool.ParallelElementwise.ScaleShift(x, xn, batch, p.C, p.H * p.W, scale, shift, Activation.Relu, s);
                        plain.Execute(xn, batch, y, default, s, scratch);
                    }, 1e6));
                    b = Math.Min(b, 1.0 / Best(() => mapped.Execute(x, batch, y, default, s, scratch), 1e6));
                }
                Console.WriteLine($"{name,-20} | {alg,-10} | {a,7:F3} | {b,7:F3}  ({a / b:F2}×)");
            }
        }
    }

    /// <summary>Per-image time of each algorithm at batch 1 and batch 8 (same layer, same process): batch effects.</summary>
    public static void Batches()
    {
        var layers = new (string, ConvParams)[]
        {
            ("sq stem 3→64 3×3/2 @224", new ConvParams(3, 224, 224, 64, 3, 3, stride: 2)),
            ("sq 16→64 3×3 @55", new ConvParams(16, 55, 55, 64, 3, 3, pad: 1)),
            ("sq 16→64 1×1 @55", new ConvParams(16, 55, 55, 64, 1, 1)),
            ("sq 256→32 1×1 @27", new ConvParams(256, 27, 27, 32, 1, 1)),
        };
        var scratch = new float[64 << 20];
        foreach (int threads in new[] { 1, 2 })
        {
            using var s = new Scheduler(threads);
            Console.WriteLine($"layer | algorithm | ms per image at batch 1 | at batch 8  ({threads} thread(s), min of 3 rounds)");
            foreach (var (name, p) in layers)
            {
                var (x, w, y) = LayerData(p, 8);
                foreach (var alg in new[] { ConvAlgorithm.Direct, ConvAlgorithm.Im2ColGemm, ConvAlgorithm.Pointwise })
                {
                    if (!ConvAlgorithmChooser.Supports(alg, p)) continue;
                    var conv = PreparedConv.Create(alg, p, w, default, Activation.Relu);
                    double one = double.MaxValue, eight = double.MaxValue, separate = double.MaxValue;
                    for (int round = 0; round < 3; round++)
                    {
                        one = Math.Min(one, 1.0 / Best(() => conv.Execute(x, 1, y, default, s, scratch), 1e6));
                        eight = Math.Min(eight, 1.0 / Best(() => conv.Execute(x, 8, y, default, s, scratch), 1e6) / 8);
                        separate = Math.Min(separate, 1.0 / Best(() =>
                        {
                            for (int b = 0; b < 8; b++)
                                conv.Execute(x.AsSpan((int)(b * p.InputElements)), 1, y.AsSpan((int)(b * p.OutputElements)), default, s, scratch);
                        }, 1e6) / 8);
                    }
                    Console.WriteLine($"{name,-26} | {alg,-10} | {one,7:F3} | {eight,7:F3} | 8 calls of 1: {separate,7:F3}");
                }
            }
        }
    }

    /// <summary>Every algorithm that supports the layer, at batch 8 and batch 1 on 2 threads, interleaved (min of 3 rounds):
    /// the 3×3 layers of DenseNet, GoogLeNet, SqueezeNet and ResNet whose few output channels make Winograd's
    /// transforms weigh more than its GEMMs.</summary>
    public static void Algorithms()
    {
        var layers = new (string, ConvParams)[]
        {
            ("dn 128→32 3×3 @56", new ConvParams(128, 56, 56, 32, 3, 3, pad: 1)),
            ("dn 128→32 3×3 @28", new ConvParams(128, 28, 28, 32, 3, 3, pad: 1)),
            ("dn 128→32 3×3 @14", new ConvParams(128, 14, 14, 32, 3, 3, pad: 1)),
            ("gn 96→128 3×3 @28", new ConvParams(96, 28, 28, 128, 3, 3, pad: 1)),
            ("gn 16→32 3×3 @28", new ConvParams(16, 28, 28, 32, 3, 3, pad: 1)),
            ("sq 16→64 3×3 @55", new ConvParams(16, 55, 55, 64, 3, 3, pad: 1)),
            ("sq 32→128 3×3 @27", new ConvParams(32, 27, 27, 128, 3, 3, pad: 1)),
            ("sq 64→256 3×3 @13", new ConvParams(64, 13, 13, 256, 3, 3, pad: 1)),
            ("r50 64→64 3×3 @56", new ConvParams(64, 56, 56, 64, 3, 3, pad: 1)),
            ("r50 512→512 3×3 @7", new ConvParams(512, 7, 7, 512, 3, 3, pad: 1)),
        };
        var scratch = new float[64 << 20];
        using var s = new Scheduler(2);
        foreach (int batch in new[] { 8, 1 })
        {
            Console.WriteLine($"layer | algorithm: ms (GFLOP/s direct-equivalent) … (batch {batch}, 2 threads, min of 3 rounds; * = chosen)");
            foreach (var (name, p) in layers)
            {
                var (x, w, y) = LayerData(p, batch);
                var algs = Enum.GetValues<ConvAlgorithm>().Where(a => a != ConvAlgorithm.Reference && ConvAlgorithmChooser.Supports(a, p)).ToArray();
                var convs = algs.Select(a => PreparedConv.Create(a, p, w, default, Activation.Relu)).ToArray();
                var ms = algs.Select(_ => double.MaxValue).ToArray();
                for (int round = 0; round < 3; round++)
                    for (int i = 0; i < algs.Length; i++)
                        ms[i] = Math.Min(ms[i], 1.0 / Best(() => convs[i].Execute(x, batch, y, default, s, scratch), 1e6));
                var chosen = ConvAlgorithmChooser.Choose(p, batch);
                Console.WriteLine($"{name,-20} | " + string.Join(" | ", algs.Select((a, i) =>
                    $"{a}{(a == chosen ? "*" : "")} {ms[i]:F3} ({2.0 * p.Macs * batch / ms[i] / 1e6:F0})")));
            }
        }
    }

    /// <summary>Winograd F(4,3) at batch 8 on 1 thread: the vector tile moves and the next-plane prefetch against the
    /// scalar moves and no prefetch (interleaved, min of 15 runs).</summary>
    public static void WinogradMoves()
    {
        var layers = new (string, ConvParams)[]
        {
            ("dn 128→32 3×3 @56", new ConvParams(128, 56, 56, 32, 3, 3, pad: 1)),
            ("gn 96→128 3×3 @28", new ConvParams(96, 28, 28, 128, 3, 3, pad: 1)),
            ("r50 64→64 3×3 @56", new ConvParams(64, 56, 56, 64, 3, 3, pad: 1)),
            ("r50 512→512 3×3 @7", new ConvParams(512, 7, 7, 512, 3, 3, pad: 1)),
        };
        var scratch = new float[64 << 20];
        using var s = new Scheduler(1);
        const int batch = 8;
        Console.WriteLine("layer | vector moves + prefetch | scalar moves | no prefetch  (ms, batch 8, 1 thread)");
        foreach (var (name, p) in layers)
        {
            var (x, w, y) = LayerData(p, batch);
            var conv = PreparedConv.Create(ConvAlgorithm.Winograd43, p, w, default, Activation.Relu);
            conv.Execute(x, batch, y, default, s, scratch);
            var best = new[] { double.MaxValue, double.MaxValue, double.MaxValue };
            for (int round = 0; round < 5; round++)
                for (int v = 0; v < 3; v++)
                {
                    Winograd.VectorTileMoves = v != 1; Winograd.PrefetchNextPlane = v != 2;
                    for (int rep = 0; rep < 3; rep++)
                    {
                        var sw = Stopwatch.StartNew();
                        conv.Execute(x, batch, y, default, s, scratch);
                        best[v] = Math.Min(best[v], sw.Elapsed.TotalMilliseconds);
                    }
                }
            Winograd.VectorTileMoves = Winograd.PrefetchNextPlane = true;
            Console.WriteLine($"{name,-20} | {best[0],6:F2} | {best[1],6:F2} | {best[2],6:F2}");
        }
    }

    /// <summary>Write bandwidth into a 25 MB buffer (SqueezeNet's stem output at batch 8): ordinary stores, which read
    /// each line first, against non-temporal ones; read bandwidth for comparison. 1 and 2 threads, best of 7.</summary>
    public static unsafe void Bandwidth()
    {
        const int n = 25 << 18;   // floats: 25 MiB
        var buffer = GC.AllocateArray<float>(n + 16, pinned: true);
        fixed (float* raw = buffer)
        {
            float* a = (float*)(((nint)raw + 63) & ~(nint)63);
            nint at = (nint)a;
            foreach (int threads in new[] { 1, 2 })
            {
                using var s = new Scheduler(threads);
                double Measure(int mode)
                {
                    double best = double.MaxValue;
                    for (int r = 0; r < 7; r++)
                    {
                        var sw = Stopwatch.StartNew();
                        s.For(threads * 16, new BandwidthBody { A = (float*)at, N = n, Parts = threads * 16, Mode = mode });
                        best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
                    }
                    return n * 4.0 / best / 1e6;
                }
                Console.WriteLine($"{threads} thread(s): stores {Measure(0):F1} GB/s, non-temporal stores {Measure(1):F1} GB/s, loads {Measure(2):F1} GB/s");
            }
        }
    }

    /// <summary>What one parallel loop costs beyond its work on 2 threads: 16 items of 0 to 2000 dependent
    /// multiply-adds each, loops back to back, against the same items run inline; µs a loop, median of 2000 loops.</summary>
    public static void Loops()
    {
        using var s = new Scheduler(2);
        foreach (int spin in new[] { 0, 50, 200, 500, 2000 })
        {
            var body = new SpinBody { Iterations = spin };
            double Median(Action loop)
            {
                var t = new double[2000];
                for (int i = 0; i < t.Length; i++) { long a = Stopwatch.GetTimestamp(); loop(); t[i] = (Stopwatch.GetTimestamp() - a) * 1e6 / Stopwatch.Frequency; }
                Array.Sort(t);
                return t[t.Length / 2];
            }
            // Twice each, the first as warm-up: the JIT's tiers otherwise time the first lane on slower code.
            Median(() => body.Run(0, 16, 0)); Median(() => s.For(16, body));
            double inline = Median(() => body.Run(0, 16, 0));
            double parallel = Median(() => s.For(16, body));
            Console.WriteLine($"16 items of {spin} steps: inline {inline:F1} µs, 2 threads {parallel:F1} µs (ideal {inline / 2:F1}, overhead {parallel - inline / 2:F1})");
        }
    }

    private struct SpinBody : IParallelBody
    {
        public int Iterations;
        public void Run(int begin, int end, int thread)
        {
            float x = 1f;
            for (int item = begin; item < end; item++)
                for (int i = 0; i < Iterations; i++) x = x * 0.9999f + 0.0001f;
            if (x == 0) Console.Write("");
        }
    }

    private unsafe struct BandwidthBody : IParallelBody
    {
        public float* A; public int N, Parts, Mode;
        public float Sink;
        public void Run(int begin, int end, int thread)
        {
            // 256-bit stores exist on every machine kind here (AVX2 and AVX-512); streaming bandwidth does not depend on the width.
            var v = System.Runtime.Intrinsics.Vector256.Create(1f);
            var acc = System.Runtime.Intrinsics.Vector256<float>.Zero;
            for (int part = begin; part < end; part++)
            {
                long from = (long)N * part / Parts / 16 * 16, to = (long)N * (part + 1) / Parts / 16 * 16;
                for (long i = from; i < to; i += 8)
                {
                    if (Mode == 0) System.Runtime.Intrinsics.Vector256.Store(v, A + i);
                    else if (Mode == 1) System.Runtime.Intrinsics.X86.Avx.StoreAlignedNonTemporal(A + i, v);
                    else acc += System.Runtime.Intrinsics.Vector256.Load(A + i);
                }
            }
            Sink = acc[0];
        }
    }

    /// <summary>
    /// What a cache line costs when the other core wrote it last: (1) the round trip of a flag between two threads,
    /// (2) read bandwidth over a buffer of 256 KB to 4 MB that the other thread has just written, against one this thread
    /// has just written. Two busy threads on the 2-core machines sit on different cores. Best of 20.
    /// </summary>
    public static unsafe void CrossCore()
    {
        const int trips = 200_000;
        var flag = GC.AllocateArray<long>(32, pinned: true);
        fixed (long* raw = flag)
        {
            long* f = (long*)(((nint)raw + 63) & ~(nint)63);
            nint at = (nint)f;
            var echo = new Thread(() =>
            {
                long* g = (long*)at;
                for (int i = 0; i < trips; i++)
                {
                    while (Volatile.Read(ref *g) != 1) { }
                    Volatile.Write(ref *g, 0);
                }
            });
            echo.Start();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < trips; i++)
            {
                Volatile.Write(ref *f, 1);
                while (Volatile.Read(ref *f) != 0) { }
            }
            double ns = sw.Elapsed.TotalMilliseconds * 1e6 / trips;
            echo.Join();
            Console.WriteLine($"flag round trip between two threads: {ns:F0} ns");
        }
        for (int kb = 256; kb <= 4096; kb *= 2)
        {
            int n = kb * 256;
            var buffer = GC.AllocateArray<float>(n + 16, pinned: true);
            fixed (float* raw = buffer)
            {
                float* a = (float*)(((nint)raw + 63) & ~(nint)63);
                nint addr = (nint)a;
                double other = double.MaxValue, own = double.MaxValue;
                float sink = 0;
                for (int r = 0; r < 20; r++)
                {
                    // This thread spins while the writer runs, so the writer runs on the other core.
                    int done = 0;
                    var writer = new Thread(() =>
                    {
                        WriteLines((float*)addr, n);
                        Volatile.Write(ref done, 1);
                    });
                    writer.Start();
                    while (Volatile.Read(ref done) == 0) { }
                    writer.Join();
                    var sw = Stopwatch.StartNew();
                    sink += ReadLines(a, n);
                    other = Math.Min(other, sw.Elapsed.TotalSeconds);
                    WriteLines(a, n);
                    sw.Restart();
                    sink += ReadLines(a, n);
                    own = Math.Min(own, sw.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"{kb,5} KB: reading lines the other thread wrote {kb / 1024.0 / 1024 / other:F1} GB/s, lines this thread wrote {kb / 1024.0 / 1024 / own:F1} GB/s{(sink == 1.5f ? " " : "")}");
            }
        }
    }

    /// <summary>Writes all <paramref name="n"/> floats, a vector at a time.</summary>
    private static unsafe void WriteLines(float* a, int n)
    {
        for (int i = 0; i < n; i += 8) System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Create((float)i), a + i);
    }

    /// <summary>One vector from each cache line of <paramref name="n"/> floats, four lines in flight.</summary>
    private static unsafe float ReadLines(float* a, int n)
    {
        var s0 = System.Runtime.Intrinsics.Vector256<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
        for (int i = 0; i + 64 <= n; i += 64)
        {
            s0 += System.Runtime.Intrinsics.Vector256.Load(a + i); s1 += System.Runtime.Intrinsics.Vector256.Load(a + i + 16);
            s2 += System.Runtime.Intrinsics.Vector256.Load(a + i + 32); s3 += System.Runtime.Intrinsics.Vector256.Load(a + i + 48);
        }
        return (s0 + s1 + s2 + s3)[0];
    }

    /// <summary>One layer given on the command line (<c>layer C H W K R S stride pad batch threads</c>): every algorithm
    /// that supports it, warm (repeated calls, min) and cold (a 6 MB sweep before each call, median of 9).</summary>
    public static void Layer(string[] a)
    {
        int C = int.Parse(a[0]), H = int.Parse(a[1]), W = int.Parse(a[2]), K = int.Parse(a[3]), R = int.Parse(a[4]), S = int.Parse(a[5]);
        int stride = int.Parse(a[6]), pad = int.Parse(a[7]), batch = int.Parse(a[8]), threads = int.Parse(a[9]);
        int widen = a.Length > 10 ? int.Parse(a[10]) : 1;   // output images this many times apart (a concatenation's slice)
        var p = new ConvParams(C, H, W, K, R, S, stride: stride, pad: pad);
        var scratch = new float[64 << 20];
        var sweep = new float[6 << 18];
        using var s = new Scheduler(threads);
        var (x, w, y) = LayerData(p, batch, batch * widen);
        long outStride = p.OutputElements * widen;
        var algs = Enum.GetValues<ConvAlgorithm>().Where(al => al != ConvAlgorithm.Reference && ConvAlgorithmChooser.Supports(al, p)).ToArray();
        var convs = algs.Select(al => PreparedConv.Create(al, p, w, default, Activation.Relu)).ToArray();
        var warm = algs.Select(_ => double.MaxValue).ToArray();
        var cold = algs.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < 9; round++)
            for (int i = 0; i < convs.Length; i++)
            {
                if (round < 3) warm[i] = Math.Min(warm[i], 1.0 / Best(() => convs[i].Execute(x, batch, y, outStride, default, s, scratch), 1e6));
                for (int e = 0; e < sweep.Length; e += 16) sweep[e] += 1f;
                var sw = Stopwatch.StartNew();
                convs[i].Execute(x, batch, y, outStride, default, s, scratch);
                cold[i].Add(sw.Elapsed.TotalMilliseconds);
            }
        var chosen = ConvAlgorithmChooser.Choose(p, batch);
        Console.WriteLine($"{p} batch {batch} threads {threads}: {2.0 * p.Macs * batch / 1e6:F1} MFLOP");
        for (int i = 0; i < algs.Length; i++)
        {
            double c = cold[i].OrderBy(v => v).ElementAt(cold[i].Count / 2);
            Console.WriteLine($"  {algs[i],-11}{(algs[i] == chosen ? "*" : " ")} warm {warm[i],8:F3} ms ({2.0 * p.Macs * batch / warm[i] / 1e6,6:F1} GF/s)  cold {c,8:F3} ms ({2.0 * p.Macs * batch / c / 1e6,6:F1} GF/s)");
        }
    }

    /// <summary>B read in place (no packing) for tiles of at most N M-panels: SqueezeNet's, GoogLeNet's and ResNet's 1×1
    /// layers at batch 8 and 1, 2 threads, interleaved (min of 5 rounds), ms for N = 0 (always pack), 2, 4, 8.</summary>
    public static void InPlaceB()
    {
        var layers = new (string, ConvParams)[]
        {
            ("sq 128→16 @55", new ConvParams(128, 55, 55, 16, 1, 1)), ("sq 256→32 @27", new ConvParams(256, 27, 27, 32, 1, 1)),
            ("sq 512→64 @13", new ConvParams(512, 13, 13, 64, 1, 1)), ("sq 16→64 @55", new ConvParams(16, 55, 55, 64, 1, 1)),
            ("sq 32→128 @27", new ConvParams(32, 27, 27, 128, 1, 1)), ("sq 64→256 @13", new ConvParams(64, 13, 13, 256, 1, 1)),
            ("sq 512→1000 @13", new ConvParams(512, 13, 13, 1000, 1, 1)), ("gn 480→16 @14", new ConvParams(480, 14, 14, 16, 1, 1)),
            ("gn 256→32 @28", new ConvParams(256, 28, 28, 32, 1, 1)), ("r50 256→64 @56", new ConvParams(256, 56, 56, 64, 1, 1)),
            ("r50 64→256 @56", new ConvParams(64, 56, 56, 256, 1, 1)), ("dn 256→128 @56", new ConvParams(256, 56, 56, 128, 1, 1)),
        };
        int[] limits = { 0, 2, 4, 8 };
        var scratch = new float[64 << 20];
        using var s = new Scheduler(2);
        foreach (int batch in new[] { 8, 1 })
        {
            Console.WriteLine($"layer | pointwise ms with in-place B up to {string.Join(" / ", limits)} M panels  (batch {batch}, 2 threads, min of 5)");
            foreach (var (name, p) in layers)
            {
                var (x, w, y) = LayerData(p, batch);
                var conv = PreparedConv.Create(ConvAlgorithm.Pointwise, p, w, default, Activation.Relu);
                var ms = limits.Select(_ => double.MaxValue).ToArray();
                for (int round = 0; round < 5; round++)
                    for (int i = 0; i < limits.Length; i++)
                    {
                        PackedGemm.InPlaceMaxPanels = limits[i];
                        ms[i] = Math.Min(ms[i], 1.0 / Best(() => conv.Execute(x, batch, y, default, s, scratch), 1e6));
                    }
                PackedGemm.InPlaceMaxPanels = 4;
                Console.WriteLine($"{name,-18} | {string.Join(" / ", ms.Select(m => m.ToString("F3")))}");
            }
        }
    }

    /// <summary>A/B of one layer's chosen algorithm with a measurement knob on and off (<c>knob NAME C H W K R S stride
    /// pad batch threads [cold]</c>, cold: after a 6 MB sweep, median of 9; NAME: prefetch (PackedGemm.PrefetchTiles), inplace (PackedGemm.InPlaceMaxPanels 4/0),
    /// inplaceall (PackedGemm.InPlaceMaxPanels 1000/4), maskedtails (GemmKernel.MaskedTails), wholerows (Im2ColSource.VectorRows),
    /// wholestores (Winograd.WholeVectorStores)),
    /// interleaved, min of 7 rounds.</summary>
    public static void Knob(string[] a)
    {
        string knob = a[0];
        int C = int.Parse(a[1]), H = int.Parse(a[2]), W = int.Parse(a[3]), K = int.Parse(a[4]), R = int.Parse(a[5]), S = int.Parse(a[6]);
        int stride = int.Parse(a[7]), pad = int.Parse(a[8]), batch = int.Parse(a[9]), threads = int.Parse(a[10]);
        var p = new ConvParams(C, H, W, K, R, S, stride: stride, pad: pad);
        Action<bool> set = knob switch
        {
            "prefetch" => on => PackedGemm.PrefetchTiles = on,
            "inplace" => on => PackedGemm.InPlaceMaxPanels = on ? 4 : 0,
            "inplaceall" => on => PackedGemm.InPlaceMaxPanels = on ? 1000 : 4,
            "maskedtails" => on => GemmKernel.MaskedTails = on,
            "wholerows" => on => Im2ColSource.VectorRows = on,
            "wholestores" => on => Winograd.WholeVectorStores = on,
            _ => throw new ArgumentException($"unknown knob {knob}"),
        };
        var scratch = new float[64 << 20];
        using var s = new Scheduler(threads);
        var (x, w, y) = LayerData(p, batch);
        var alg = ConvAlgorithmChooser.Choose(p, batch);
        var conv = PreparedConv.Create(alg, p, w, default, Activation.Relu);
        bool cold = a.Length > 11 && a[11] == "cold";
        var sweep = new float[6 << 18];
        double Time()
        {
            if (!cold) return 1.0 / Best(() => conv.Execute(x, batch, y, default, s, scratch), 1e6);
            // As inside a network: the layer's input was written a layer or two ago, and other data has passed since.
            var times = new double[9];
            for (int r = 0; r < times.Length; r++)
            {
                for (int e = 0; e < sweep.Length; e += 16) sweep[e] += 1f;
                var sw = Stopwatch.StartNew();
                conv.Execute(x, batch, y, default, s, scratch);
                times[r] = sw.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            return times[times.Length / 2];
        }
        double on = double.MaxValue, off = double.MaxValue;
        for (int round = 0; round < 7; round++)
        {
            set(true); on = Math.Min(on, Time());
            set(false); off = Math.Min(off, Time());
        }
        set(true);
        Console.WriteLine($"{p} batch {batch} threads {threads} {alg}{(cold ? " cold" : "")}: {knob} on {on:F3} ms, off {off:F3} ms");
    }

    /// <summary>A convolution and the max pool after it, apart (the chosen algorithm, then the pooling kernel) and fused
    /// band by band (<see cref="PooledConv"/>): <c>convpool C H W K R S stride pad poolK poolStride poolPad ceil batch
    /// threads [bands per image, default 2]</c>, interleaved, min of 7 rounds.</summary>
    public static void ConvPool(string[] a)
    {
        int C = int.Parse(a[0]), H = int.Parse(a[1]), W = int.Parse(a[2]), K = int.Parse(a[3]), R = int.Parse(a[4]), S = int.Parse(a[5]);
        int stride = int.Parse(a[6]), pad = int.Parse(a[7]), pk = int.Parse(a[8]), ps = int.Parse(a[9]), pp = int.Parse(a[10]);
        bool ceil = a[11] == "1"; int batch = int.Parse(a[12]), threads = int.Parse(a[13]);
        int bands = a.Length > 14 ? int.Parse(a[14]) : 2;
        var p = new ConvParams(C, H, W, K, R, S, stride: stride, pad: pad);
        var pool = new SharpConv.Kernels.Pool.PoolParams(K, p.P, p.Q, pk, pk, ps, pp, ceil);
        var (x, w, y) = LayerData(p, batch);
        var alg = ConvAlgorithmChooser.Choose(p, batch);
        var conv = PreparedConv.Create(alg, p, w, default, Activation.Relu);
        var fused = PooledConv.TryCreate(alg, p, w, default, Activation.Relu, pool, bands) ?? throw new ArgumentException("cannot fuse");
        using var s = new Scheduler(threads);
        var pooled = new float[batch * (long)K * pool.P * pool.Q];
        var scratch = new float[Math.Max(conv.ScratchElements(batch, threads), SharpConv.Kernels.Pool.Pooling.ScratchElements(pool, threads)) + 1024];
        var fusedScratch = new float[fused.ScratchElements(threads)];
        double apart = double.MaxValue, together = double.MaxValue;
        for (int round = 0; round < 7; round++)
        {
            apart = Math.Min(apart, 1.0 / Best(() =>
            {
                conv.Execute(x, batch, y, default, s, scratch);
                SharpConv.Kernels.Pool.Pooling.Max(y, batch, pool, pooled, s, scratch);
            }, 1e6));
            together = Math.Min(together, 1.0 / Best(() => fused.Execute(x, batch, pooled, (long)K * pool.P * pool.Q, s, fusedScratch), 1e6));
        }
        Console.WriteLine($"{p} {alg} + max pool {pk}/{ps} p{pp}{(ceil ? " ceil" : "")} batch {batch} threads {threads}: apart {apart:F3} ms, fused {together:F3} ms ({fused.RowsPerBand} pooled rows a band)");
    }

    public static void Pools(string[] a)
    {
        int batch = a.Length > 0 ? int.Parse(a[0]) : 8, threads = a.Length > 1 ? int.Parse(a[1]) : 1;
        var shapes = new (string, SharpConv.Kernels.Pool.PoolParams)[]
        {
            ("googlenet 480@14 3x3s1p1", new(480, 14, 14, 3, 3, 1, pad: 1, ceilMode: true)),
            ("googlenet 192@28 3x3s1p1", new(192, 28, 28, 3, 3, 1, pad: 1, ceilMode: true)),
            ("googlenet 832@7 3x3s1p1", new(832, 7, 7, 3, 3, 1, pad: 1, ceilMode: true)),
            ("googlenet 64@112 3x3s2 ceil", new(64, 112, 112, 3, 3, 2, ceilMode: true)),
            ("squeeze 64@111 3x3s2 ceil", new(64, 111, 111, 3, 3, 2, ceilMode: true)),
            ("squeeze 256@27 3x3s2 ceil", new(256, 27, 27, 3, 3, 2, ceilMode: true)),
            ("resnet 64@112 3x3s2p1", new(64, 112, 112, 3, 3, 2, pad: 1)),
            ("googlenet 192@56 3x3s2 ceil", new(192, 56, 56, 3, 3, 2, ceilMode: true)),
            ("squeeze 128@55 3x3s2 ceil", new(128, 55, 55, 3, 3, 2, ceilMode: true)),
        };
        using var s1 = new Scheduler(threads);
        foreach (var (name, p) in shapes)
        {
            var x = new float[batch * p.C * p.H * p.W]; new SeededRandom(1).FillUniform(x, -1, 1);
            var y = new float[batch * p.C * p.P * p.Q];
            var scratch = new float[SharpConv.Kernels.Pool.Pooling.ScratchElements(p, threads) + (1 << 20)];
            var variants = new (string Name, Action Set)[]
            {
                ("default", () => { }),
                ("masked tails", () => SharpConv.Kernels.Pool.Pooling.OverlappedTails = false),
                ("no registers/flat", () => { SharpConv.Kernels.Pool.Pooling.SmallMax = false; SharpConv.Kernels.Pool.Pooling.FlatMax = false; }),
            };
            double[] ms = new double[variants.Length];
            for (int round = 0; round < 6; round++)
                for (int variant = 0; variant < variants.Length; variant++)
                {
                    variants[variant].Set();
                    double t = 1.0 / Best(() => SharpConv.Kernels.Pool.Pooling.Max(x, batch, p, y, s1, scratch), 1e6);
                    ms[variant] = round == 0 ? t : Math.Min(ms[variant], t);
                    SharpConv.Kernels.Pool.Pooling.FlatMax = true;
                    SharpConv.Kernels.Pool.Pooling.SmallMax = true;
                    SharpConv.Kernels.Pool.Pooling.OverlappedTails = true;
                }
            Console.WriteLine($"{name,-30} batch {batch} threads {threads}: " + string.Join(", ", variants.Select((v, i) => $"{v.Name} {ms[i]:F3} ms")));
        }
    }

    /// <summary>A layer's input (uniform in [−1, 1], seed 1) and weights (±0.1, seed 2) for <paramref name="batch"/>
    /// images, and room for <paramref name="outputImages"/> (default: batch) output images.</summary>
    private static (float[] X, float[] W, float[] Y) LayerData(in ConvParams p, int batch, int outputImages = 0)
    {
        var x = new float[p.InputElements * batch]; new SeededRandom(1).FillUniform(x, -1, 1);
        var w = new float[p.WeightElements]; new SeededRandom(2).FillUniform(w, -0.1f, 0.1f);
        return (x, w, new float[p.OutputElements * (outputImages > 0 ? outputImages : batch)]);
    }

    private static double Best(Action run, double flops)
    {
        run();
        double best = double.MaxValue;
        for (int i = 0; i < 7; i++)
        {
            var sw = Stopwatch.StartNew();
            int reps = 0;
            do { run(); reps++; } while (sw.Elapsed.TotalMilliseconds < 30);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / reps);
        }
        return flops / best / 1e6;
    }
}
