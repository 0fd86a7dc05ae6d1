using BenchmarkDotNet.Attributes;
using SharpConv.Kernels;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Benchmarks;

/// <summary>The packed SGEMM on square sizes, 1 and 2 threads; the ratio table divides its GFLOP/s by the peak lane's.</summary>
public class GemmBenchmarks
{
    [ParamsSource(nameof(Sizes))] public int Size { get; set; }
    [ParamsSource(nameof(ThreadCounts))] public int Threads { get; set; }

    public static IEnumerable<int> Sizes => SuiteSettings.Dry ? [128] : [256, 512, 1024];
    public static IEnumerable<int> ThreadCounts => SuiteSettings.Dry ? [1] : [1, 2];

    private PackedMatrix _a = null!;
    private float[] _b = null!, _c = null!, _scratch = null!;
    private Scheduler? _scheduler;

    [GlobalSetup]
    public void Setup()
    {
        int n = Size;
        _a = PackedMatrix.Pack(Tensor.RandomNormal(new Shape(n, n), 1).Span, n, n);
        _b = Tensor.RandomNormal(new Shape(n, n), 2).ToArray();
        _c = new float[n * n];
        _scratch = new float[PackedGemm.ScratchElements(Threads)];
        _scheduler = Threads > 1 ? new Scheduler(Threads) : null;
    }

    [Benchmark(Description = "packed-sgemm")]
    public void Packed() => PackedGemm.Multiply(_a, _b, Size, _c, default, default, Activation.None, _scheduler, _scratch);

    [GlobalCleanup]
    public void Cleanup() => _scheduler?.Dispose();
}
