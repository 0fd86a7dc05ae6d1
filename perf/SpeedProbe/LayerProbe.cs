// Per-layer algorithm sweep: every conv layer of a network, every algorithm that supports it, timed interleaved
// on the same scheduler; prints chosen vs best, to calibrate ConvAlgorithmChooser on this machine.
using System.Diagnostics;
using SharpConv;
using SharpConv.Compilation;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Ops;
using SharpConv.Runtime;

static class LayerProbe
{
    public static void Run(SharpConv.Graph.Network net, string name, int batch, int threads, int rounds)
    {
        using var compiled = net.Compile(new CompileOptions { Threads = threads, Kernels = KernelSet.Reference });
        var plan = compiled.PlanFor(batch);
        var seen = new HashSet<ConvParams>();
        using var sched = new Scheduler(threads);
        double chosenSum = 0, bestSum = 0;
        Console.WriteLine($"## {name} batch {batch} threads {threads}");
        foreach (var step in plan.Steps)
        {
            var conv = step.Op as Conv2d ?? (step.Op as FusedOp)?.Main as Conv2d;
            if (conv is null) continue;
            var s = step.InputShapes[0];
            var p = new ConvParams(conv.InChannels, s.H, s.W, conv.OutChannels, conv.KernelH, conv.KernelW, groups: conv.Groups)
            {
                StrideH = conv.StrideH, StrideW = conv.StrideW, PadTop = conv.Padding.Top, PadLeft = conv.Padding.Left,
                PadBottom = conv.Padding.Bottom, PadRight = conv.Padding.Right, DilationH = conv.DilationH, DilationW = conv.DilationW,
            };
            int mult = plan.Steps.Count(st => (st.Op as Conv2d ?? (st.Op as FusedOp)?.Main as Conv2d) is { } c2 && SameShape(c2, conv, st.InputShapes[0], s));
            if (!seen.Add(p)) continue;
            var algs = Enum.GetValues<ConvAlgorithm>().Where(a => a != ConvAlgorithm.Reference && ConvAlgorithmChooser.Supports(a, p)).ToArray();
            var w = Rand((int)p.WeightElements, 2, 0.05f); var b = Rand(p.K, 3);
            var x = Rand((int)(p.InputElements * batch), 1);
            var convs = algs.Select(a => PreparedConv.Create(a, p, w, b, Activation.Relu)).ToArray();
            var y = new float[p.OutputElements * batch];
            var scratch = new float[convs.Max(c => c.ScratchElements(batch, threads))];
            var times = algs.Select(_ => new List<double>()).ToArray();
            foreach (var c in convs) c.Execute(x, batch, y, default, sched, scratch);
            for (int r = 0; r < rounds; r++)
                for (int i = 0; i < convs.Length; i++)
                {
                    var sw = Stopwatch.StartNew();
                    convs[i].Execute(x, batch, y, default, sched, scratch);
                    times[i].Add(sw.Elapsed.TotalMilliseconds);
                }
            var med = times.Select(t => t.OrderBy(v => v).ElementAt(t.Count / 2)).ToArray();
            var chosen = ConvAlgorithmChooser.Choose(p, batch);
            int ci = Array.IndexOf(algs, chosen), bi = Array.IndexOf(med, med.Min());
            chosenSum += mult * med[ci]; bestSum += mult * med[bi];
            string cells = string.Join("  ", algs.Select((a, i) => $"{a}={med[i]:F3}{(i == ci ? "*" : "")}{(i == bi ? "!" : "")}"));
            double gf = 2.0 * p.Macs * batch / (med[bi] * 1e6);
            Console.WriteLine($"  x{mult} {p,-36} best {algs[bi],-11} {gf,6:F1} GF/s  {cells}");
        }
        Console.WriteLine($"  conv total: chosen {chosenSum:F2} ms, best {bestSum:F2} ms");
    }

    static bool SameShape(Conv2d a, Conv2d b, Shape sa, Shape sb) =>
        a.InChannels == b.InChannels && a.OutChannels == b.OutChannels && a.KernelH == b.KernelH && a.KernelW == b.KernelW &&
        a.StrideH == b.StrideH && a.Groups == b.Groups && a.Padding == b.Padding && sa == sb;

    static float[] Rand(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed); var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return a;
    }
}
