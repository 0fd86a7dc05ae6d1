using System.Diagnostics;
using SharpConv.Compilation;
using SharpConv.Graph;

namespace SharpConv.Tests.Robustness;

/// <summary>Tests that measure the whole process (working set) must not share it with other tests running at once.</summary>
[CollectionDefinition("process-wide measurements", DisableParallelization = true)]
public class ProcessWideMeasurements { }

[Collection("process-wide measurements")]
public class RunGuaranteesTests
{
    private static Network Chain(int layers, int channels = 8)
    {
        var b = new NetworkBuilder("chain", seed: 1);
        var x = b.Input(channels, 12, 12);
        for (int i = 0; i < layers; i++) x = x.Conv(channels, 3, padding: 1).Relu();
        return b.Build(x.GlobalAvgPool().Flatten().Linear(10));
    }

    private sealed class CancelAt(CancellationTokenSource cts, int step) : IStepObserver
    {
        public readonly List<int> Started = new();
        public void StepStarting(CompiledStep s) => Started.Add(s.Index);
        public void StepFinished(CompiledStep s) { if (s.Index == step) cts.Cancel(); }
    }

    [Fact]
    public void CancellationIsHonouredBeforeTheNextLayer()
    {
        using var c = Chain(6).Compile();
        using var cts = new CancellationTokenSource();
        var observer = new CancelAt(cts, step: 2);
        var input = Tensor.RandomNormal(new Shape(1, 8, 12, 12), 3);
        var output = new Tensor(new Shape(1, 10));
        Assert.ThrowsAny<OperationCanceledException>(() => c.Run([input], [output], cts.Token, observer));
        Assert.Equal([0, 1, 2], observer.Started);
        // The arena went back to the pool: the next run works and matches a fresh network.
        c.Run(input, output);
        var fresh = Chain(6).Compile().Run(input);
        Assert.Equal(fresh.ToArray(), output.ToArray());
    }

    [Fact]
    public void ManyRunsKeepTheWorkingSetFlat()
    {
        using var c = Chain(2, channels: 2).Compile(new CompileOptions { Threads = 1 });
        var input = Tensor.RandomNormal(new Shape(1, 2, 12, 12), 3);
        var output = new Tensor(new Shape(1, 10));
        for (int i = 0; i < 3000; i++) c.Run(input, output);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long before = process.WorkingSet64;
        var allocatedPerBlock = new long[10];
        for (int block = 0; block < 10; block++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) c.Run(input, output);
            allocatedPerBlock[block] = GC.GetAllocatedBytesForCurrentThread() - start;
        }
        process.Refresh();
        long after = process.WorkingSet64;
        // Early blocks may see the JIT's tier-up; a steady-state run must allocate nothing at all.
        Assert.All(allocatedPerBlock[5..], bytes => Assert.Equal(0, bytes));
        Assert.InRange(after, before * 0.95, before * 1.05);
    }

    [Fact]
    public void ConcurrentRunsEachGetTheirOwnArena()
    {
        using var c = Chain(5).Compile();
        var inputs = Enumerable.Range(0, 8).Select(i => Tensor.RandomNormal(new Shape(1, 8, 12, 12), 100 + i)).ToArray();
        var expected = inputs.Select(i => c.Run(i).ToArray()).ToArray();
        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var output = new Tensor(new Shape(1, 10));
            for (int r = 0; r < 200; r++)
            {
                c.Run(inputs[t], output);
                if (!output.ToArray().SequenceEqual(expected[t])) Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }
}

public class PlanCacheTests
{
    [Fact]
    public void NewBatchSizesDoNotGrowThePlanCacheWithoutBound()
    {
        var b = new NetworkBuilder("small");
        var net = b.Build(b.Input(2, 5, 5).Conv(3, 3, padding: 1).Relu());
        using var c = net.Compile(new CompileOptions { MaxCachedBatchSizes = 2 });
        var plans = new List<ExecutionPlan>();
        for (int batch = 1; batch <= 6; batch++)
        {
            c.Run(Tensor.RandomNormal(new Shape(batch, 2, 5, 5), batch));
            plans.Add(c.PlanFor(batch));
        }
        Assert.Same(plans[5], c.PlanFor(6));
        Assert.NotSame(plans[0], c.PlanFor(1)); // evicted, then planned again
        var field = typeof(CompiledNetwork).GetField("_plans", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.True(((System.Collections.ICollection)field.GetValue(c)!).Count <= 2);
    }
}
