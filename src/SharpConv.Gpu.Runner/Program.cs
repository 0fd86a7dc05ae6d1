using System.Diagnostics;
using SharpConv;
using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Gpu;
using SharpConv.Ops;
using SharpConv.Zoo;

// sharpconv-gpu-runner [--device cuda|opencl|cpu-sim|gpu] [check] [bench] [--models a,b] [--batches 1,8,64] [--runs N]
// Exit code: 0 all checks passed, 1 a check failed, 2 bad arguments or no device.
var device = GpuDevice.Auto;
var models = new[] { "resnet50", "vgg16", "googlenet" };
var batches = new[] { 1, 8, 64 };
int runs = 10;
bool check = false, bench = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--device":
            var choice = DeviceChoice.Parse(args[++i]);
            if (choice.UsesCpuEngine) { Console.Error.WriteLine("--device cpu is the CPU engine; this runner is for the GPU backend."); return 2; }
            device = choice.Gpu; break;
        case "--models": models = args[++i].Split(','); break;
        case "--batches": batches = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--runs": runs = int.Parse(args[++i]); break;
        case "check": check = true; break;
        case "bench": bench = true; break;
        default: Console.Error.WriteLine($"unknown argument '{args[i]}'"); return 2;
    }
}
if (!check && !bench) check = bench = true;

GpuAccelerator accelerator;
try { accelerator = GpuAccelerator.Open(device); }
catch (GpuDeviceNotFoundException e) { Console.Error.WriteLine(e.Message); return 2; }
using var _ = accelerator;
Console.WriteLine($"device: {accelerator}");
int failures = 0;

if (check)
{
    // The test project's checks in miniature: every conv algorithm on awkward shapes, then small networks, vs the CPU engine.
    var convCases = new (int C, int K, int R, int Stride, int Pad, int Groups, int H)[]
    {
        (3, 5, 3, 1, 1, 1, 9), (4, 6, 3, 2, 1, 1, 11), (6, 4, 5, 1, 2, 1, 7), (8, 6, 3, 1, 1, 2, 6), (6, 6, 3, 1, 1, 6, 7),
        (7, 9, 1, 1, 0, 1, 5), (64, 70, 3, 1, 1, 1, 15), (128, 128, 1, 1, 0, 1, 14), (32, 32, 3, 1, 1, 32, 28),
    };
    foreach (var c in convCases)
        foreach (var algorithm in Enum.GetValues<GpuConvAlgorithm>())
            foreach (int batch in new[] { 1, 3 })
            {
                var b = new NetworkBuilder("conv");
                var x = b.Input(c.C, c.H, c.H, batch);
                var conv = new Conv2d(Tensor.RandomNormal(new Shape(c.K, c.C / c.Groups, c.R, c.R), 1, 0.2f), Tensor.RandomUniform(new Shape(c.K), 2),
                    (c.Stride, c.Stride), c.Pad, (1, 1), c.Groups);
                var net = b.Build(b.Add(conv, [x], "conv"));
                var options = new GpuOptions { LayerAlgorithms = new Dictionary<string, GpuConvAlgorithm> { ["conv"] = algorithm } };
                GpuNetwork gpu;
                try { gpu = GpuNetwork.Create(net.Compile(), accelerator, options); }
                catch (GpuUnsupportedOperatorException) { continue; } // the algorithm does not apply to this shape
                using (gpu) failures += Compare($"conv {c} {algorithm} N={batch}", net, gpu, batch, algorithm == GpuConvAlgorithm.Winograd23 ? 1e-3 : 1e-5);
            }
    foreach (var name in new[] { "lenet5", "resnet18", "squeezenet1_1", "googlenet", "mobilenet_v2" })
    {
        if (!Zoo.All.Any(e => e.Name == name)) continue;
        var net = Zoo.Build(name, new ZooOptions { WidthDivisor = name == "lenet5" ? 1 : 4, InputSize = name == "lenet5" ? null : 96 });
        using var gpu = GpuNetwork.Create(net.Compile(), accelerator);
        failures += Compare($"network {name}", net, gpu, 2, 1e-3);
    }
    Console.WriteLine(failures == 0 ? "checks: all passed" : $"checks: {failures} FAILED");
}

if (bench)
{
    Console.WriteLine($"{"model",-12} {"batch",5} {"ms/batch",10} {"img/s",9} {"CPU ms",9}  (median of {runs}; CPU engine at batch 1 only)");
    foreach (var name in models)
    {
        if (!Zoo.All.Any(e => e.Name == name)) { Console.WriteLine($"{name,-12} not in this build's zoo"); continue; }
        var net = Zoo.Build(name);
        using var compiled = net.Compile();
        using var gpu = GpuNetwork.Create(compiled, accelerator);
        foreach (int batch in batches)
        {
            var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), 1);
            var output = gpu.Run(input); // warm-up: allocates this batch's arena
            double ms = Median(runs, () => gpu.Run(input, output));
            string cpu = batch == 1 ? $"{Median(Math.Min(runs, 3), () => compiled.Run(input, new Tensor(output.Shape))),9:F1}" : "";
            Console.WriteLine($"{name,-12} {batch,5} {ms,10:F2} {batch * 1000 / ms,9:F1} {cpu,9}");
        }
    }
}
return failures == 0 ? 0 : 1;

static int Compare(string what, Network net, GpuNetwork gpu, int batch, double tolerance)
{
    var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), 7);
    var expected = gpu.Compiled.Run(input);
    var actual = gpu.Run(input);
    double scale = 1, worst = 0;
    for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
    for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
    bool ok = worst <= tolerance * scale;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: max |Δ| {worst:g3} (scale {scale:g3}, tolerance {tolerance:g1})");
    return ok ? 0 : 1;
}

static double Median(int n, Action action)
{
    var times = new double[Math.Max(1, n)];
    for (int i = 0; i < times.Length; i++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    Array.Sort(times);
    return times[times.Length / 2];
}
