using System.Diagnostics;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Perf;

/// <summary>Each conv algorithm on real layers, batch 1, 1 and 2 threads, vs the reference kernel (1 thread).</summary>
internal static class ConvProbe
{
    public static void Run(double peak1, double peak2, bool withReference = true, bool squeezeNet = false)
    {
        var layers = squeezeNet ? SqueezeNetLayers : new (string name, ConvParams p)[]
        {
            ("VGG conv1_2 64→64 3×3 @224", new ConvParams(64, 224, 224, 64, 3, 3, pad: 1)),
            ("VGG conv3_x 256→256 3×3 @56", new ConvParams(256, 56, 56, 256, 3, 3, pad: 1)),
            ("VGG conv5_x 512→512 3×3 @14", new ConvParams(512, 14, 14, 512, 3, 3, pad: 1)),
            ("R50 1×1 256→64 @56", new ConvParams(256, 56, 56, 64, 1, 1)),
            ("R50 1×1 1024→256 @14", new ConvParams(1024, 14, 14, 256, 1, 1)),
            ("R50 3×3 64→64 @56", new ConvParams(64, 56, 56, 64, 3, 3, pad: 1)),
            ("R50 3×3 256→256 @14", new ConvParams(256, 14, 14, 256, 3, 3, pad: 1)),
            ("AlexNet 11×11/4 3→96 @227", new ConvParams(3, 227, 227, 96, 11, 11, stride: 4)),
            ("R50 7×7/2 3→64 @224", new ConvParams(3, 224, 224, 64, 7, 7, stride: 2, pad: 3)),
        };
        using var s2 = new Scheduler(2);
        Console.WriteLine("layer | algorithm | 1T ms | 1T GFLOP/s (direct-equivalent) | 2T ms | 2T GFLOP/s | speed-up vs reference 1T | max rel err");
        foreach (var (name, p) in layers)
        {
            var x = Rand((int)p.InputElements, 1); var w = Rand((int)p.WeightElements, 2, 0.05f); var b = Rand(p.K, 3);
            double flops = 2.0 * p.Macs;
            var refOut = new float[p.OutputElements];
            var refConv = PreparedConv.Create(ConvAlgorithm.Reference, p, w, b, Activation.Relu);
            double refMs = withReference ? Time(refConv, x, refOut, Scheduler.Inline, 1) : double.NaN;
            if (!withReference)
            {
                var im2col = PreparedConv.Create(ConvAlgorithm.Im2ColGemm, p, w, b, Activation.Relu);
                im2col.Execute(x, 1, refOut, default, null, new float[im2col.ScratchElements(1, 1)]);
            }
            Console.WriteLine($"{name} | Reference | {refMs:F1} | {flops / refMs / 1e6:F2} | | | 1.0× |");
            // Round-robin over the algorithms (min of 5 rounds) so all see the same background load.
            var algs = Enum.GetValues<ConvAlgorithm>().Where(a => a != ConvAlgorithm.Reference && ConvAlgorithmChooser.Supports(a, p)).ToArray();
            var convs = algs.Select(a => PreparedConv.Create(a, p, w, b, Activation.Relu)).ToArray();
            var ys = algs.Select(_ => new float[p.OutputElements]).ToArray();
            var best1 = algs.Select(_ => double.MaxValue).ToArray(); var best2 = best1.ToArray();
            for (int round = 0; round < 5; round++)
                for (int i = 0; i < algs.Length; i++)
                {
                    best1[i] = Math.Min(best1[i], Time(convs[i], x, ys[i], Scheduler.Inline, 5));
                    best2[i] = Math.Min(best2[i], Time(convs[i], x, ys[i], s2, 5));
                }
            for (int i = 0; i < algs.Length; i++)
            {
                var alg = algs[i]; var y = ys[i];
                double t1 = best1[i], t2 = best2[i];
                double err = MaxRel(refOut, y);
                string chosen = ConvAlgorithmChooser.Choose(p) == alg ? " (chosen)" : "";
                Console.WriteLine($"{name} | {alg}{chosen} | {t1:F2} | {flops / t1 / 1e6:F1} ({100 * flops / t1 / 1e6 / peak1:F0}% pk) | {t2:F2} | {flops / t2 / 1e6:F1} | {refMs / t1:F0}× | {err:E1}");
            }
        }
    }

    /// <summary>SqueezeNet 1.1's layers that trail ONNX Runtime most (perf/SpeedProbe -ortnodes).</summary>
    private static readonly (string name, ConvParams p)[] SqueezeNetLayers =
    [
        ("SQ stem 3→64 3×3/2 @224", new ConvParams(3, 224, 224, 64, 3, 3, stride: 2)),
        ("SQ expand3x3 16→64 @55", new ConvParams(16, 55, 55, 64, 3, 3, pad: 1)),
        ("SQ expand3x3 32→128 @27", new ConvParams(32, 27, 27, 128, 3, 3, pad: 1)),
        ("SQ squeeze 128→16 @55", new ConvParams(128, 55, 55, 16, 1, 1)),
        ("SQ squeeze 256→32 @27", new ConvParams(256, 27, 27, 32, 1, 1)),
        ("SQ expand1x1 16→64 @55", new ConvParams(16, 55, 55, 64, 1, 1)),
    ];

    private static double Time(PreparedConv conv, float[] x, float[] y, Scheduler s, int reps)
    {
        var scratch = new float[conv.ScratchElements(1, s.ThreadCount)];
        conv.Execute(x, 1, y, default, s, scratch);
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            conv.Execute(x, 1, y, default, s, scratch);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    private static float[] Rand(int n, int seed, float scale = 1f)
    {
        var a = new float[n];
        new SeededRandom((ulong)seed).FillUniform(a, -scale, scale);
        return a;
    }

    private static double MaxRel(float[] want, float[] got)
    {
        double m = 1e-3, d = 0;
        for (int i = 0; i < want.Length; i++) { m = Math.Max(m, Math.Abs(want[i])); d = Math.Max(d, Math.Abs(want[i] - got[i])); }
        return d / m;
    }
}
