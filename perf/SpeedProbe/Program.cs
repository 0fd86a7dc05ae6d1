// SpeedProbe: SharpConv vs ONNX Runtime on the same ONNX file, same machine, same run, interleaved.
// Usage: dotnet run -c Release --project perf/SpeedProbe -- [net ...] [-b 1,8] [-t 1,2] [-r rounds] [-profile] [-noort]
//        [-vs noinplace|noinputnorm|packedb|nomasked|nosplit|stepwise|spin100|t1|observer|nopoolfusion]: the second lane is SharpConv itself with that option changed instead of ORT
//        (t1: on one thread, so the paired ratio is the speed-up of -t N over one thread)
//        (an A/B in one process; observer: runs with a no-op step observer, the profiler's hook, to show it costs nothing)
//        [-gap ms]: sleep before each timed lane and each lane of a pair (lets the other engine's threads settle: our
//        workers spin up to Scheduler.SpinMicroseconds after a run)
//        [-ortspin]: ORT's intra-op threads spin between parallel sections (its default; off otherwise, since they go on
//        spinning into the other lane's time)
//        [-dist]: also single runs, alternating engines, as percentiles
//        [-pairs N]: also N short adjacent pairs (about 75 ms a lane, order alternating): the median and quartiles of the
//        per-pair ratio, which a slow phase of the shared machine hits on both sides of a pair alike
// Prints per network × batch × threads: SharpConv median ms, ORT median ms, ratio (ORT / SharpConv: > 1 means faster).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SharpConv;
using SharpConv.Compilation;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var nets = new List<string>();
int[] batches = [1, 8], threadCounts = [1, 2];
int rounds = 5;
bool profile = false, noOrt = false, layers = false, ortNodes = false;
string? versus = null;
bool ortSpin = false;   // ORT's intra-op threads spin between parallel sections (its default); off unless asked, as they keep spinning into the other lane's time
int gapMs = 0;
bool dist = false, series = false;
int pairs = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-b": batches = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "-t": threadCounts = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "-r": rounds = int.Parse(args[++i]); break;
        case "-profile": profile = true; break;
        case "-noort": noOrt = true; break;
        case "-ortspin": ortSpin = true; break;
        case "-layers": layers = true; break;
        case "-ortnodes": ortNodes = true; break;
        case "-vs": versus = args[++i]; noOrt = true; break;
        case "-gap": gapMs = int.Parse(args[++i]); break;
        case "-dist": dist = true; break;
        case "-series": series = true; break;
        case "-pairs": pairs = int.Parse(args[++i]); break;
        default: nets.Add(args[i]); break;
    }
}
if (nets.Count == 0) nets = ["resnet18", "resnet50", "googlenet", "densenet121", "squeezenet1_0", "squeezenet1_1", "vgg11", "vgg16", "alexnet"];

string root = FindRoot();
string ModelPath(string name)
{
    var reference = Path.Combine("/work/shared/reference/models", name, "model.onnx");
    if (File.Exists(reference)) return reference;
    var dir = Path.Combine(root, "perf", ".models");
    Directory.CreateDirectory(dir);
    var path = Path.Combine(dir, name + ".onnx");
    if (!File.Exists(path)) SharpConv.Onnx.OnnxExporter.Save(SharpConv.Zoo.Zoo.Build(name), path);
    return path;
}

Console.WriteLine($"# SpeedProbe  {DateTime.Now:u}  cores {Environment.ProcessorCount}  V512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}  rounds {rounds}");
Console.WriteLine($"{"network",-14} {"batch",5} {"thr",3} {"SharpConv ms",13} {"ORT ms",10} {"ratio",7} {"maxRelErr",10}");
if (layers)
{
    foreach (var name in nets)
    {
        var lnet = SharpConv.Onnx.OnnxModel.Load(ModelPath(name));
        foreach (int b in batches) foreach (int t in threadCounts) LayerProbe.Run(lnet, name, b, t, rounds);
    }
    return;
}
foreach (var name in nets)
{
    string path = ModelPath(name);
    var net = SharpConv.Onnx.OnnxModel.Load(path);
    foreach (int threads in threadCounts)
    {
        using var compiled = net.Compile(new CompileOptions { Threads = threads });
        InferenceSession? session = null;
        if (!noOrt)
        {
            var so = new SessionOptions
            {
                IntraOpNumThreads = threads, InterOpNumThreads = 1,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            so.AddSessionConfigEntry("session.intra_op.allow_spinning", ortSpin ? "1" : "0");
            session = new InferenceSession(path, so);
        }
        foreach (int batch in batches)
        {
            var inShape = net.InputShape.WithBatch(batch);
            var input = Tensor.RandomUniform(inShape, seed: 7, low: 0f, high: 1f);
            var output = new Tensor(compiled.PlanFor(batch).SlotShapes[compiled.PlanFor(batch).OutputSlots[0]]);
            Action sharp = () => compiled.Run(input, output);
            Action? ort = null;
            float[] ortOut = new float[output.Length];
            CompiledNetwork? other = versus switch
            {
                null => null,
                "noinplace" => net.Compile(new CompileOptions { Threads = threads, ConcatInPlace = false }),
                "noinputnorm" => CompileWithout(() => FuseInputNormPass.Enabled = false, () => FuseInputNormPass.Enabled = true),
                "packedb" => null,
                "nomasked" => null,
                // Every layer split over the threads, none over the batch.
                "nosplit" => CompileWithout(() => BatchSplit.Enabled = false, () => BatchSplit.Enabled = true),
                "stepwise" => null,
                // Every image-wise layer split over the batch, whatever its weights.
                "splitall" => CompileWithout(() => BatchSplit.MaxWeightElements = long.MaxValue, () => BatchSplit.MaxWeightElements = BatchSplit.DefaultMaxWeightElements),
                "spin100" => null,
                "t1" => net.Compile(new CompileOptions { Threads = 1 }),
                "observer" => null,
                "nopoolfusion" => CompileWithout(() => FuseConvPoolPass.Enabled = false, () => FuseConvPoolPass.Enabled = true),
                _ => throw new ArgumentException($"-vs: unknown variant '{versus}' (known: noinplace, noinputnorm, packedb, nomasked, nosplit, splitall, stepwise, spin100, t1, observer, nopoolfusion)"),
            };
            // A network compiled, and run once, with a knob off: compile-time knobs act in Compile, and BatchSplit.Enabled
            // when the first run makes its context.
            CompiledNetwork CompileWithout(Action off, Action on)
            {
                off();
                try
                {
                    var variant = net.Compile(new CompileOptions { Threads = threads });
                    variant.Run(input);
                    return variant;
                }
                finally { on(); }
            }
            if (other != null)
            {
                var otherOut = new Tensor(output.Shape, ortOut);
                ort = () => other.Run(input, otherOut);
            }
            if (versus == "observer")
            {
                var otherOut = new Tensor(output.Shape, ortOut);
                var obs = new NoObserver();
                var ins = new[] { input }; var outs = new[] { otherOut };
                ort = () => compiled.Run(ins, outs, default, obs);
            }
            // The same compiled network with a run-time knob changed for its lane, so one network serves both lanes.
            Action KnobLane(Action change, Action restore)
            {
                var otherOut = new Tensor(output.Shape, ortOut);
                return () =>
                {
                    change();
                    try { compiled.Run(input, otherOut); }
                    finally { restore(); }
                };
            }
            long spinTicks = SharpConv.Runtime.Scheduler.SpinTicks;
            switch (versus)
            {
                case "packedb":   // every GEMM packs B
                    ort = KnobLane(() => SharpConv.Kernels.Gemm.PackedGemm.InPlaceMaxPanels = 0, () => SharpConv.Kernels.Gemm.PackedGemm.InPlaceMaxPanels = 4);
                    break;
                case "nomasked":  // no masked-tail or partial-row GEMM kernels
                    ort = KnobLane(() => SharpConv.Kernels.Gemm.GemmKernel.MaskedTails = false, () => SharpConv.Kernels.Gemm.GemmKernel.MaskedTails = true);
                    break;
                case "spin100":   // workers spin 100 µs before they block
                    ort = KnobLane(() => SharpConv.Runtime.Scheduler.SpinTicks = Stopwatch.Frequency / 10_000, () => SharpConv.Runtime.Scheduler.SpinTicks = spinTicks);
                    break;
                case "stepwise":   // the batch's parts wait for each other after every step
                    ort = KnobLane(() => SharpConv.Compilation.BatchSplit.WholeSegments = false, () => SharpConv.Compilation.BatchSplit.WholeSegments = true);
                    break;
            }
            OrtValue? inV = null, outV = null; RunOptions? ro = null;
            string inName = "", outName = "";
            if (session != null)
            {
                inName = session.InputMetadata.Keys.First(); outName = session.OutputMetadata.Keys.First();
                var inData = input.ToArray();
                inV = OrtValue.CreateTensorValueFromMemory(inData, inShape.ToArray().Select(x => (long)x).ToArray());
                outV = OrtValue.CreateTensorValueFromMemory(ortOut, output.Shape.ToArray().Select(x => (long)x).ToArray());
                ro = new RunOptions();
                var inNames = new[] { inName }; var outNames = new[] { outName };
                var inVals = new[] { inV }; var outVals = new[] { outV };
                ort = () => session.Run(ro, inNames, inVals, outNames, outVals);
            }
            if (series)
            {
                // From the very first run: which layers start slow (per-layer medians of runs 1–10 against runs 111–120),
                // and does a whole run get faster as the JIT tiers methods up (min / median per 10 of runs 11–110)?
                var early = SharpConv.Analysis.Profiler.Run(compiled, input, 10, 0);
                var t = Enumerable.Range(0, 100).Select(_ => Time(sharp)).ToArray();
                var late = SharpConv.Analysis.Profiler.Run(compiled, input, 10, 0);
                Console.WriteLine($"   e2e median: runs 1–10 {early.EndToEndMedianMs:F2} ms, runs 111–120 {late.EndToEndMedianMs:F2} ms");
                Console.WriteLine("   runs 11–110, per 10: " + string.Join("  ", Enumerable.Range(0, 10).Select(g =>
                {
                    var grp = t.Skip(10 * g).Take(10).OrderBy(x => x).ToArray();
                    return $"{grp[0]:F2}/{grp[5]:F2}";
                })));
                foreach (var (e, l) in early.Rows.Zip(late.Rows).OrderByDescending(x => x.First.MedianMs - x.Second.MedianMs).Take(12))
                    Console.WriteLine($"   {e.Name,-40} {e.Kind,-14} {e.Algorithm,-11} runs 1–10 {e.MedianMs,8:F3} ms, runs 111–120 {l.MedianMs,8:F3} ms");
            }
            // Warm-up (JIT, plans, ORT's first-run allocations): at least 3 runs each and 3 s in all. The JIT compiles
            // its optimised tier in the background during the first seconds, on the same two cores the runs use;
            // with 2 warm-up runs the first rounds timed that (SqueezeNet 1.1 at batch 1: 12 ms per run at first,
            // 6 ms after 40 runs) and understated SharpConv by up to 30 %.
            var warmClock = Stopwatch.StartNew();
            for (int w = 0; w < 3 || warmClock.ElapsedMilliseconds < 3000; w++) { sharp(); ort?.Invoke(); }
            double err = 0;
            if (ort != null)
            {
                var a = output.Span; double scale = 0;
                for (int i = 0; i < a.Length; i++) scale = Math.Max(scale, Math.Abs(ortOut[i]));
                for (int i = 0; i < a.Length; i++) err = Math.Max(err, Math.Abs(a[i] - ortOut[i]) / Math.Max(scale, 1e-20));
            }
            // Interleaved rounds: each round times one SharpConv run and one ORT run (order alternates).
            var ts = new List<double>(); var to = new List<double>();
            double one = Time(sharp);
            int perRound = Math.Clamp((int)(300 / Math.Max(one, 0.01)), 1, 20);
            for (int r = 0; r < rounds; r++)
            {
                // -gap: a pause before each lane, so neither starts while the other's threads are still winding down.
                if (r % 2 == 0) { Gap(); ts.Add(TimeN(sharp, perRound)); Gap(); if (ort != null) to.Add(TimeN(ort, perRound)); }
                else { Gap(); if (ort != null) to.Add(TimeN(ort, perRound)); Gap(); ts.Add(TimeN(sharp, perRound)); }
            }
            if (dist)
            {
                // Single runs, alternating engines: percentiles show whether a mean is carried by a few slow runs.
                var one1 = new List<double>(); var one2 = new List<double>();
                for (int r = 0; r < 30 * perRound / 2 + 20; r++) { one1.Add(Time(sharp)); if (ort != null) one2.Add(Time(ort)); }
                string Pct(List<double> xs)
                {
                    var o = xs.OrderBy(x => x).ToArray();
                    return $"p10 {o[o.Length / 10]:F2} p50 {o[o.Length / 2]:F2} p90 {o[o.Length * 9 / 10]:F2} max {o[^1]:F2} mean {o.Average():F2}";
                }
                Console.WriteLine($"   single runs ({one1.Count}): SharpConv {Pct(one1)}" + (one2.Count > 0 ? $" | other {Pct(one2)}" : ""));
            }
            if (pairs > 0 && ort != null)
            {
                int n = Math.Max(1, perRound / 4);
                var ratios = new List<double>();
                for (int r = 0; r < pairs; r++)
                {
                    double a, b;
                    if (r % 2 == 0) { Gap(); a = TimeN(sharp, n); Gap(); b = TimeN(ort, n); }
                    else { Gap(); b = TimeN(ort, n); Gap(); a = TimeN(sharp, n); }
                    ratios.Add(b / a);
                }
                var o = ratios.OrderBy(x => x).ToArray();
                Console.WriteLine($"   paired ({pairs} × {n} run(s) a lane): ratio median {Median(ratios):F3}, quartiles {o[o.Length / 4]:F3}–{o[o.Length * 3 / 4]:F3}");
            }
            double ms = Median(ts), mo = ort != null ? Median(to) : double.NaN;
            Console.WriteLine($"{name,-14} {batch,5} {threads,3} {ms,13:F2} {mo,10:F2} {mo / ms,7:F3} {err,10:E1}");
            if (profile)
            {
                var rep = SharpConv.Analysis.Profiler.Run(compiled, input, Math.Max(3, perRound), 1);
                Console.WriteLine($"   profile: e2e {rep.EndToEndMedianMs:F2} ms, layer sum {rep.LayerSumMs:F2} ms, {rep.GFlops:F1} GFLOP/s");
                foreach (var g in rep.ByKind) Console.WriteLine($"     kind {g.Key,-16} {g.Layers,4} layers {g.MedianMs,9:F3} ms {g.Percent,5:F1}% {g.GFlops,7:F1} GFLOP/s");
                foreach (var row in rep.Rows.OrderByDescending(r => r.MedianMs).Take(40))
                    Console.WriteLine($"     {row.Name,-40} {row.Kind,-14} {row.Algorithm,-11} {row.OutputShape,-18} {row.MedianMs,8:F3} ms {row.Percent,5:F1}% {row.GFlops,7:F1} GF/s");
            }
            if (ortNodes && session != null)
            {
                // ORT's own per-node profile of the same file: sum of kernel times per node, median over runs.
                var so2 = new SessionOptions
                {
                    IntraOpNumThreads = threads, InterOpNumThreads = 1,
                    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, EnableProfiling = true,
                    ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "ortprof"),
                };
                so2.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                using var s2 = new InferenceSession(path, so2);
                int n = Math.Max(5, perRound);
                for (int i = 0; i < n + 2; i++) s2.Run(ro, new[] { inName }, new[] { inV! }, new[] { outName }, new[] { outV! });
                string file = s2.EndProfiling();
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
                var per = new Dictionary<string, (string Op, List<double> Us)>();
                foreach (var e in doc.RootElement.EnumerateArray())
                {
                    if (e.GetProperty("cat").GetString() != "Node") continue;
                    string nm = e.GetProperty("name").GetString()!;
                    if (!nm.EndsWith("_kernel_time")) continue;
                    nm = nm[..^"_kernel_time".Length];
                    string op = e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out var o) ? o.GetString()! : "?";
                    if (!per.TryGetValue(nm, out var v)) per[nm] = v = (op, new List<double>());
                    v.Us.Add(e.GetProperty("dur").GetDouble());
                }
                double total = 0;
                var rowsOrt = per.Select(kv => (kv.Key, kv.Value.Op, Ms: Median(kv.Value.Us.Skip(2).ToList()) / 1000)).OrderByDescending(r => r.Ms).ToList();
                total = rowsOrt.Sum(r => r.Ms);
                Console.WriteLine($"   ORT nodes: sum {total:F2} ms over {rowsOrt.Count} nodes");
                foreach (var g in rowsOrt.GroupBy(r => r.Op).OrderByDescending(g => g.Sum(r => r.Ms)))
                    Console.WriteLine($"     op {g.Key,-22} {g.Count(),4} nodes {g.Sum(r => r.Ms),9:F3} ms");
                foreach (var r in rowsOrt.Take(40)) Console.WriteLine($"     {r.Key,-50} {r.Op,-18} {r.Ms,8:F3} ms");
                File.Delete(file);
            }
            inV?.Dispose(); outV?.Dispose(); ro?.Dispose();
        }
        session?.Dispose();
    }
}

static double Time(Action a) { var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalMilliseconds; }
void Gap() { if (gapMs > 0) Thread.Sleep(gapMs); }
static double TimeN(Action a, int n) { var sw = Stopwatch.StartNew(); for (int i = 0; i < n; i++) a(); return sw.Elapsed.TotalMilliseconds / n; }
static double Median(List<double> xs) { var s = xs.OrderBy(x => x).ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
static string FindRoot()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d != null && !File.Exists(Path.Combine(d.FullName, "SharpConv.sln"))) d = d.Parent;
    return d?.FullName ?? Directory.GetCurrentDirectory();
}

/// <summary>The profiler's hook doing no work (-vs observer).</summary>
sealed class NoObserver : IStepObserver
{
    public long Count;
    public void StepStarting(CompiledStep step) => Count++;
    public void StepFinished(CompiledStep step) => Count++;
}
