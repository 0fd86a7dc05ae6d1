using SharpConv.Compilation;
using SharpConv.Zoo;
using Xunit.Abstractions;

namespace SharpConv.Fuzz.Tests;

/// <summary>
/// Heavy use: one compiled ResNet-18 shared by 8 caller threads gives the single-threaded outputs bit for bit, and
/// zoo networks give bit-identical outputs for Threads = 1, 2, 3 and across runs. The full 8 × 1,000 runs at 224×224
/// is a tool mode (<c>SharpConv.Fuzz --stress resnet18 --threads 8 --runs 1000</c>, docs/fuzzing.md).
/// </summary>
public sealed class StressTests(ITestOutputHelper output)
{
    [Fact]
    public void Eight_threads_share_one_compiled_resnet18()
    {
        var report = Stress.Run("resnet18", threads: 8, runsPerThread: 60, inputSize: 32);
        output.WriteLine(report.ToString());
        foreach (var e in report.Errors) output.WriteLine(e);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(480, report.Runs);
    }

    [Fact]
    public void Eight_threads_share_one_compiled_resnet18_at_224()
    {
        var report = Stress.Run("resnet18", threads: 8, runsPerThread: 3, inputSize: 224);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData("resnet18", 32, 1)]
    [InlineData("squeezenet1_1", 64, 1)]
    [InlineData("googlenet", 64, 4)]
    [InlineData("densenet121", 32, 4)]
    [InlineData("lenet5", 0, 1)]
    public void Outputs_are_bit_identical_for_any_thread_count_and_across_runs(string name, int size, int widthDivisor)
    {
        var net = Zoo.Zoo.Build(name, new ZooOptions { InputSize = size == 0 ? null : size, WidthDivisor = widthDivisor });
        var problems = Stress.Determinism(net, [1, 2, 3]);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void A_cancelled_run_from_another_thread_leaves_the_network_usable()
    {
        var net = Zoo.Zoo.Build("resnet18", new ZooOptions { InputSize = 32 });
        using var compiled = net.Compile(new CompileOptions { Threads = 1 });
        var x = Tensor.RandomNormal(net.InputShape, 3);
        var expected = compiled.Run(x);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => compiled.Run(x, cts.Token));
        Assert.True(Stress.BitEqual(compiled.Run(x).Span, expected.Span));
    }
}
