using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using SharpConv.Compilation;
using SharpConv.Onnx;

namespace SharpConv.Benchmarks;

/// <summary>
/// Whole networks, SharpConv against ONNX Runtime on the same ONNX file with the same batch and threads.
/// ORT is the baseline, so BenchmarkDotNet's Ratio column reads SharpConv time / ORT time (below 1 = SharpConv faster).
/// </summary>
public class NetworkBenchmarks
{
    [ParamsSource(nameof(NetworkNames))] public string Network { get; set; } = "";
    [ParamsSource(nameof(Batches))] public int Batch { get; set; }
    [ParamsSource(nameof(ThreadCounts))] public int Threads { get; set; }

    public static IEnumerable<string> NetworkNames => SuiteSettings.Dry && SuiteSettings.Networks == Models.Networks ? ["squeezenet1_1", "resnet18"] : SuiteSettings.Networks;
    public static IEnumerable<int> Batches => SuiteSettings.Dry ? [1] : [1, 8];
    public static IEnumerable<int> ThreadCounts => SuiteSettings.Dry ? [1] : [1, 2];

    private CompiledNetwork _sharp = null!;
    private Tensor _input = null!, _output = null!;
    private InferenceSession _ort = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = null!, _outputNames = null!;

    [GlobalSetup]
    public void Setup()
    {
        string path = Models.OnnxPath(Network);
        var network = OnnxModel.Load(path);
        _sharp = network.Compile(new CompileOptions { Threads = Threads });
        var inShape = network.InputShape.WithBatch(Batch);
        _input = Tensor.RandomNormal(inShape, 7);
        _output = new Tensor(_sharp.PlanFor(Batch).SlotShapes[_sharp.PlanFor(Batch).OutputSlots[0]]);

        var options = new SessionOptions
        {
            IntraOpNumThreads = Threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _ort = new InferenceSession(path, options);
        _inputNames = [_ort.InputNames[0]];
        _outputNames = [_ort.OutputNames[0]];
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input.ToArray(), inShape.ToArray().Select(d => (long)d).ToArray());
        _ortOutput = OrtValue.CreateTensorValueFromMemory(new float[_output.Length], _output.Shape.ToArray().Select(d => (long)d).ToArray());
        _runOptions = new RunOptions();
        Ort(); SharpConv();
        MacsPerImage = network.Macs / Math.Max(1, network.InputShape[0]);
    }

    /// <summary>Multiply-accumulates of one image (for GFLOP/s).</summary>
    public long MacsPerImage { get; private set; }

    [Benchmark(Baseline = true, Description = "ort")]
    public void Ort() => _ort.Run(_runOptions, _inputNames, [_ortInput], _outputNames, [_ortOutput]);

    [Benchmark(Description = "sharpconv")]
    public void SharpConv() => _sharp.Run(_input, _output);

    [GlobalCleanup]
    public void Cleanup()
    {
        _sharp.Dispose(); _ort.Dispose(); _ortInput.Dispose(); _ortOutput.Dispose(); _runOptions.Dispose();
    }
}
