using System.Globalization;
using SharpConv.Fuzz;
using SharpConv.Zoo;

// SharpConv.Fuzz — see docs/fuzzing.md.
//   --iterations N --seed S [--start I] --corpus DIR|FILE [--corpus …] [--crashes DIR] [--timeout-ms T]
//       [--image-fraction F] [--no-differential] [--batch B] [--threads T]   in-process fuzzing of the ONNX loader and image decoder
//   --replay FILE                                                     run one saved case (.onnx: model, else image)
//   --stress NAME [--threads 8] [--runs 1000] [--size 224]           one CompiledNetwork shared by many caller threads
//   --determinism [--size 64]                                         zoo networks bit-identical for Threads = 1, 2, 3
var a = args.ToList();
string? Value(string name) { int i = a.IndexOf(name); return i >= 0 && i + 1 < a.Count ? a[i + 1] : null; }
int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
bool Flag(string name) => a.Contains(name);

if (Flag("--help") || Flag("-h") || a.Count == 0)
{
    Console.WriteLine("""
        SharpConv.Fuzz — fuzzing and stress harness (docs/fuzzing.md)
          --corpus DIR|FILE [--corpus …] --iterations N --seed S [--start I] [--crashes DIR]
                [--timeout-ms 10000] [--image-fraction 0.1] [--no-differential] [--batch 1] [--threads 1]
          --replay FILE
          --stress NAME [--threads 8] [--runs 1000] [--size 224]
          --determinism [--size 64]
        Exit code 0: no failures; 1: failures (saved under --crashes, default ./crashes).
        """);
    return a.Count == 0 ? 2 : 0;
}

var caseSettings = new CaseSettings
{
    Timeout = TimeSpan.FromMilliseconds(Int("--timeout-ms", 10_000)),
    Differential = !Flag("--no-differential"),
    Batch = Int("--batch", 1),
    Threads = Int("--threads", 1),
};

if (Value("--stress") is { } stressNet)
{
    var report = Stress.Run(stressNet, Int("--threads", 8), Int("--runs", 1000), Int("--size", 224), Console.Out);
    Console.WriteLine(report);
    foreach (var e in report.Errors.Take(10)) Console.WriteLine("  " + e);
    return report.Passed ? 0 : 1;
}

if (Flag("--determinism"))
{
    int size = Int("--size", 64);
    int failures = 0;
    foreach (var (name, options) in new (string, ZooOptions)[]
    {
        ("resnet18", new() { InputSize = size }), ("squeezenet1_1", new() { InputSize = size }),
        ("googlenet", new() { InputSize = size, WidthDivisor = 2 }), ("densenet121", new() { InputSize = size, WidthDivisor = 4 }),
        ("lenet5", new()),
    })
    {
        var problems = Stress.Determinism(Zoo.Build(name, options), [1, 2, 3]);
        Console.WriteLine($"{name}: {(problems.Count == 0 ? "bit-identical for Threads = 1, 2, 3 and across runs" : string.Join("; ", problems))}");
        failures += problems.Count;
    }
    return failures == 0 ? 0 : 1;
}

if (Value("--replay") is { } replay)
{
    var bytes = File.ReadAllBytes(replay);
    var restore = CaseRunner.UseFuzzLimits();
    var result = replay.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? CaseRunner.RunModel(bytes, caseSettings) : CaseRunner.RunImage(bytes, caseSettings);
    restore();
    Console.WriteLine($"{result.Outcome} in {result.Elapsed.TotalMilliseconds:N0} ms, {result.AllocatedBytes:N0} bytes allocated");
    if (result.Detail is not null) Console.WriteLine(result.Detail);
    if (result.Outcome == Outcome.Mismatch)
    {
        // Which compile pass or kernel family disagrees with the reference: switch them on one at a time.
        var net = SharpConv.Onnx.OnnxModel.Load(bytes);
        var x = SharpConv.Tensor.RandomNormal(net.InputShape.WithBatch(1), 42);
        var expected = net.RunReference(x);
        var reference = SharpConv.Compilation.CompileOptions.Reference;
        foreach (var (label, options) in new (string, SharpConv.Compilation.CompileOptions)[]
        {
            ("fast kernels only", reference with { Kernels = SharpConv.Compilation.KernelSet.Fast }),
            ("+ fold BatchNorm", reference with { FoldBatchNorm = true }),
            ("+ fuse", reference with { Fuse = true }),
            ("+ remove identities", reference with { RemoveIdentities = true }),
            ("all (default, 1 thread)", new SharpConv.Compilation.CompileOptions { Threads = 1 }),
            ("all, conv = im2col", new SharpConv.Compilation.CompileOptions { Threads = 1, ConvAlgorithm = "im2col" }),
            ("all, conv = direct", new SharpConv.Compilation.CompileOptions { Threads = 1, ConvAlgorithm = "direct" }),
        })
        {
            using var c = net.Compile(options);
            Console.WriteLine($"  {label,-26} {CaseRunner.Compare(c.Run(x).Span, expected.Span, 1e-2) ?? "agrees"}");
            if (label.StartsWith("all (", StringComparison.Ordinal))
                foreach (var step in c.Steps) Console.WriteLine($"      {step.Name} {step.Kind} {step.Algorithm} {step.OutputShape}");
        }
    }
    return result.IsFailure ? 1 : 0;
}

var models = new List<string>();
var images = new List<string>();
for (int i = 0; i < a.Count - 1; i++)
{
    if (a[i] != "--corpus") continue;
    string path = a[i + 1];
    if (File.Exists(path))
    {
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) models.Add(path); else images.Add(path);
    }
    else if (Directory.Exists(path))
    {
        var (m, im) = FuzzSession.Corpus(path);
        // Seeds larger than 1 MB (ResNet, DenseNet…) make each case slow; pass them as files to use them anyway.
        models.AddRange(m.Where(f => new FileInfo(f).Length <= 1 << 20));
        images.AddRange(im);
    }
    else { Console.Error.WriteLine($"corpus '{path}' not found."); return 2; }
}
if (models.Count == 0 && images.Count == 0) { Console.Error.WriteLine("no seed models or images: give --corpus DIR."); return 2; }

Console.WriteLine($"{models.Count} seed models, {images.Count} seed images; seed {Int("--seed", 1)}, {Int("--iterations", 10_000):N0} cases");
var fuzz = FuzzSession.Run(new FuzzOptions
{
    Iterations = Int("--iterations", 10_000),
    Seed = Int("--seed", 1),
    Start = Int("--start", 0),
    Models = models,
    Images = images,
    ImageFraction = Value("--image-fraction") is { } f ? double.Parse(f, CultureInfo.InvariantCulture) : 0.1,
    CrashDirectory = Value("--crashes") ?? "crashes",
    Case = caseSettings,
    Log = Console.Out,
});
Console.WriteLine(fuzz);
Console.WriteLine("mutations applied: " + string.Join(", ", fuzz.Mutations.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:N0}")));
return fuzz.FailureCount == 0 ? 0 : 1;
