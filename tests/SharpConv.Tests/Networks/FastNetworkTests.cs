using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Zoo;
using ZooCatalog = SharpConv.Zoo.Zoo;

namespace SharpConv.Tests.Networks;

/// <summary>
/// Whole networks on the fast path against the reference oracle: every network the speed issue targets, narrowed
/// (WidthDivisor) and on small inputs so the suite stays quick. The fast path must match the reference (1e-5 relative
/// to the output's scale; 1e-3 where Winograd runs), give bit-identical outputs for 1, 2 and 3 threads, and allocate
/// nothing in a steady-state run.
/// </summary>
public class FastNetworkTests
{
    private static readonly Dictionary<string, (int Divisor, int Side)> Reduced = new()
    {
        ["resnet18"] = (8, 64), ["resnet50"] = (16, 64), ["googlenet"] = (16, 64), ["densenet121"] = (16, 64),
        ["squeezenet1_0"] = (16, 64), ["squeezenet1_1"] = (16, 64), ["vgg11"] = (16, 32), ["vgg16"] = (16, 32),
        ["alexnet"] = (16, 96),
    };

    public static TheoryData<string, string?> Cases()
    {
        var data = new TheoryData<string, string?>();
        foreach (var name in Reduced.Keys) data.Add(name, null);
        // Force each algorithm family wherever it applies, so the narrowed nets exercise every fast conv kernel.
        data.Add("resnet18", "winograd43"); data.Add("resnet18", "winograd23"); data.Add("vgg11", "winograd43");
        data.Add("googlenet", "winograd23"); data.Add("densenet121", "winograd43"); data.Add("squeezenet1_1", "im2col");
        data.Add("alexnet", "direct"); data.Add("alexnet", "winograd25");
        return data;
    }

    private static (Network Net, Tensor Input) Build(string name, int batch)
    {
        var (divisor, side) = Reduced[name];
        var net = ZooCatalog.Build(name, new ZooOptions { WidthDivisor = divisor, InputSize = side, Seed = 5 });
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), seed: 17);
        return (net, input);
    }

    private static float[] RunOnce(Network net, Tensor input, CompileOptions options, out bool winograd)
    {
        using var compiled = net.Compile(options);
        var output = compiled.Run(input);
        winograd = compiled.PlanFor(input.Shape[0]).Steps.Any(s => s.Algorithm.StartsWith("winograd", StringComparison.Ordinal));
        return output.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FastPathMatchesReference(string name, string? algorithm)
    {
        var (net, input) = Build(name, batch: 3);
        var expected = RunOnce(net, input, CompileOptions.Reference, out _);
        var actual = RunOnce(net, input, new CompileOptions { Threads = 2, ConvAlgorithm = algorithm }, out bool winograd);
        float scale = expected.Max(MathF.Abs);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / scale);
        double tolerance = winograd ? 1e-3 : 1e-5;
        Assert.True(worst <= tolerance, $"{name} ({algorithm ?? "chosen"}): max error {worst:E2} of the output scale {scale:G3} > {tolerance:E0}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ThreadCountDoesNotChangeABit(string name, string? algorithm)
    {
        // Batch 1 splits each layer over the threads; 3 and 5 also cut the batch over them (BatchSplit): parts of 1 or 2
        // images, and 1 or 2 images left over that run on every thread.
        foreach (int batch in new[] { 1, 3, 5 })
        {
            var (net, input) = Build(name, batch);
            var one = RunOnce(net, input, new CompileOptions { Threads = 1, ConvAlgorithm = algorithm }, out _);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = RunOnce(net, input, new CompileOptions { Threads = threads, ConvAlgorithm = algorithm }, out _);
                for (int i = 0; i < one.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(other[i]),
                        $"{name} ({algorithm ?? "chosen"}) batch {batch}: output[{i}] is {other[i]:R} on {threads} threads, {one[i]:R} on 1");
            }
        }
    }

    [Theory]
    [InlineData("resnet18", 1)] [InlineData("densenet121", 2)] [InlineData("googlenet", 2)] [InlineData("squeezenet1_0", 3)]
    public void SteadyStateRunAllocatesNothing(string name, int threads)
    {
        var (net, input) = Build(name, batch: 2);
        using var compiled = net.Compile(new CompileOptions { Threads = threads });
        var output = compiled.Run(input);
        Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => compiled.Run(input, output), warmup: 10));
    }
}
