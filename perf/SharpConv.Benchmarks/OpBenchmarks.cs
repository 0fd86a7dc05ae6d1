using BenchmarkDotNet.Attributes;
using SharpConv.Compilation;
using SharpConv.Graph;

namespace SharpConv.Benchmarks;

/// <summary>Pooling, BatchNorm, LRN and softmax on real shapes: the fast kernel against the reference kernel (baseline).</summary>
public class OpBenchmarks
{
    [ParamsSource(nameof(OpNames))] public string Op { get; set; } = "";
    public static IEnumerable<string> OpNames => ["maxpool3s2.resnet", "avgpool2s2.densenet", "batchnorm.densenet", "lrn.alexnet", "softmax.1000", "gap.resnet50"];

    private CompiledNetwork _fast = null!, _reference = null!;
    private Tensor _input = null!, _output = null!;

    private static Network Build(string op)
    {
        var b = new NetworkBuilder(op, seed: 5);
        Value y = op switch
        {
            "maxpool3s2.resnet" => b.Input(64, 112, 112).MaxPool(3, 2, padding: 1),
            "avgpool2s2.densenet" => b.Input(128, 56, 56).AvgPool(2, 2),
            "batchnorm.densenet" => b.Input(256, 28, 28).BatchNorm(),
            "lrn.alexnet" => b.Input(96, 55, 55).Lrn(),
            "softmax.1000" => b.Input(new Shape(1, 1000)).Softmax(),
            "gap.resnet50" => b.Input(2048, 7, 7).GlobalAvgPool(),
            _ => throw new ArgumentException(op),
        };
        return b.Build(y);
    }

    [GlobalSetup]
    public void Setup()
    {
        var net = Build(Op);
        _fast = net.Compile(new CompileOptions { Threads = 1, FoldBatchNorm = false });
        _reference = net.Compile(CompileOptions.Reference);
        _input = Tensor.RandomNormal(net.InputShape, 4);
        _output = new Tensor(net.OutputShape);
    }

    [Benchmark(Baseline = true, Description = "reference")]
    public void Reference() => _reference.Run(_input, _output);

    [Benchmark(Description = "fast")]
    public void Fast() => _fast.Run(_input, _output);

    [GlobalCleanup]
    public void Cleanup() { _fast.Dispose(); _reference.Dispose(); }
}
