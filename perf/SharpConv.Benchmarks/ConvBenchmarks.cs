using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using SharpConv.Compilation;
using SharpConv.Onnx;

namespace SharpConv.Benchmarks;

/// <summary>
/// Each convolution algorithm on real layer shapes, batch 1, one thread, and ONNX Runtime running the same layer
/// exported to ONNX (the pseudo-algorithm "ort"). Algorithms that cannot run a shape are recorded at setup and left
/// out of the tables.
/// </summary>
public class ConvBenchmarks
{
    /// <summary>"layer/algorithm" — only the pairs the algorithm can run, so no lane is wasted.</summary>
    [ParamsSource(nameof(Cases))] public string Case { get; set; } = "";

    public string Layer => Case.Split('/')[0];
    public string Algorithm => Case.Split('/')[1];

    public static IEnumerable<string> LayerNames => SuiteSettings.Dry ? LayerShapes.All.Where(s => s.H <= 28).Select(s => s.Name).Take(2) : LayerShapes.All.Select(s => s.Name);
    public static readonly string[] Algorithms = ["ort", "auto", "im2col", "winograd43", "winograd23", "winograd25", "pointwise", "direct", "depthwise"];
    public static IEnumerable<string> Cases =>
        from layer in LayerNames
        from algorithm in Algorithms
        where algorithm is "ort" or "auto" || LayerShapes.Get(layer).Supports(algorithm)
        select $"{layer}/{algorithm}";

    /// <summary>(layer, algorithm) pairs that could not run (the in-process toolchain shares this with the table writer).</summary>
    public static readonly HashSet<(string Layer, string Algorithm)> Unsupported = new();

    private CompiledNetwork? _sharp;
    private Tensor _input = null!, _output = null!;
    private InferenceSession? _ort;
    private OrtValue _ortIn = null!, _ortOut = null!;
    private RunOptions _runOptions = null!;
    private string[] _inNames = null!, _outNames = null!;

    [GlobalSetup]
    public void Setup()
    {
        var shape = LayerShapes.Get(Layer);
        string path = Models.Exported($"layer-{Layer}", shape.Build);
        var net = OnnxModel.Load(path);
        _input = Tensor.RandomNormal(net.InputShape, 3);
        _output = new Tensor(net.OutputShape);
        if (Algorithm == "ort")
        {
            var so = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _ort = new InferenceSession(path, so);
            _inNames = [_ort.InputNames[0]]; _outNames = [_ort.OutputNames[0]];
            _ortIn = OrtValue.CreateTensorValueFromMemory(_input.ToArray(), net.InputShape.ToArray().Select(d => (long)d).ToArray());
            _ortOut = OrtValue.CreateTensorValueFromMemory(new float[_output.Length], net.OutputShape.ToArray().Select(d => (long)d).ToArray());
            _runOptions = new RunOptions();
            return;
        }
        var options = new CompileOptions
        {
            Threads = 1,
            LayerAlgorithms = Algorithm == "auto" ? new Dictionary<string, string>() : new Dictionary<string, string> { [net.Nodes[^1].Name] = Algorithm },
        };
        try { _sharp = net.Compile(options); _ = _sharp.Steps; }
        catch (InvalidLayerException) { lock (Unsupported) Unsupported.Add((Layer, Algorithm)); }
    }

    [Benchmark(Description = "conv")]
    public void Run()
    {
        if (_ort is not null) _ort.Run(_runOptions, _inNames, [_ortIn], _outNames, [_ortOut]);
        else _sharp?.Run(_input, _output);
    }

    [GlobalCleanup]
    public void Cleanup() { _sharp?.Dispose(); _ort?.Dispose(); }
}

/// <summary>
/// The reference kernel on the same layer shapes, timed once per layer (it is 100–500× slower; one invocation is
/// plenty for a ratio of that size).
/// </summary>
public class ConvReferenceBenchmarks
{
    [ParamsSource(nameof(LayerNames))] public string Layer { get; set; } = "";
    public static IEnumerable<string> LayerNames => ConvBenchmarks.LayerNames;

    private CompiledNetwork _reference = null!;
    private Tensor _input = null!, _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        var net = OnnxModel.Load(Models.Exported($"layer-{Layer}", LayerShapes.Get(Layer).Build));
        _reference = net.Compile(CompileOptions.Reference);
        _input = Tensor.RandomNormal(net.InputShape, 3);
        _output = new Tensor(net.OutputShape);
    }

    [Benchmark(Description = "reference")]
    public void Reference() => _reference.Run(_input, _output);
}
