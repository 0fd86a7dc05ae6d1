using System.Diagnostics;
using System.Runtime.InteropServices;
using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Zoo;

namespace SharpConv.Fuzz;

/// <summary>Result of a concurrency stress run.</summary>
/// <param name="Network">The zoo network.</param>
/// <param name="InputSize">Input side.</param>
/// <param name="Threads">Caller threads.</param>
/// <param name="RunsPerThread">Runs per thread.</param>
/// <param name="Runs">Runs completed.</param>
/// <param name="Mismatches">Runs whose output was not bit-identical to the single-threaded one.</param>
/// <param name="Errors">Exceptions raised by runs.</param>
/// <param name="Elapsed">Wall time of the concurrent phase.</param>
/// <param name="SteadyStateAllocatedBytes">Bytes allocated by all threads during the concurrent phase after warm-up.</param>
/// <param name="WorkingSetBefore">Working set after warm-up.</param>
/// <param name="WorkingSetAfter">Working set at the end.</param>
public sealed record StressReport(string Network, int InputSize, int Threads, int RunsPerThread, long Runs, long Mismatches,
    IReadOnlyList<string> Errors, TimeSpan Elapsed, long SteadyStateAllocatedBytes, long WorkingSetBefore, long WorkingSetAfter)
{
    /// <summary>True when every run matched and none failed.</summary>
    public bool Passed => Mismatches == 0 && Errors.Count == 0 && Runs == (long)Threads * RunsPerThread;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Network} {InputSize}×{InputSize}: {Threads} threads × {RunsPerThread} runs = {Runs:N0} runs on one CompiledNetwork (Threads = 1) " +
        $"in {Elapsed.TotalSeconds:N1} s ({Elapsed.TotalMilliseconds / Math.Max(1, Runs) * Threads:N1} ms per run per thread); " +
        $"{Mismatches} outputs differ from the single-threaded ones, {Errors.Count} errors; " +
        $"{SteadyStateAllocatedBytes:N0} bytes allocated in steady state; working set {WorkingSetBefore / 1048576.0:N0} → {WorkingSetAfter / 1048576.0:N0} MiB. " +
        (Passed ? "PASSED" : "FAILED");
}

/// <summary>Concurrency and determinism checks on zoo networks.</summary>
public static class Stress
{
    /// <summary>
    /// Compiles <paramref name="network"/> once (Threads = 1) and runs it from <paramref name="threads"/> caller threads
    /// at once, <paramref name="runsPerThread"/> runs each, cycling through four different inputs so that runs sharing
    /// an arena would corrupt each other; every output must be bit-identical to the single-threaded one.
    /// </summary>
    public static StressReport Run(string network, int threads, int runsPerThread, int inputSize, TextWriter? log = null, CancellationToken cancellation = default)
    {
        var net = Zoo.Zoo.Build(network, new ZooOptions { InputSize = inputSize });
        using var compiled = net.Compile(new CompileOptions { Threads = 1 });
        var shape = net.InputShape.WithBatch(1);
        const int distinct = 4;
        var inputs = Enumerable.Range(0, distinct).Select(i => Tensor.RandomNormal(shape, 1000 + i)).ToArray();
        var expected = inputs.Select(x => compiled.Run(x)).ToArray();
        var outShape = expected[0].Shape;

        // Warm-up: one run per thread so that every arena the pool will need exists.
        var outputs = Enumerable.Range(0, threads).Select(_ => new Tensor(outShape)).ToArray();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => compiled.Run(inputs[t % distinct], outputs[t]));
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long workingBefore = Process.GetCurrentProcess().WorkingSet64;

        long runs = 0, mismatches = 0, allocated = 0;
        var errors = new List<string>();
        var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                var output = outputs[id];
                start.SignalAndWait();
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    for (int r = 0; r < runsPerThread; r++)
                    {
                        int k = (id + r) % distinct;
                        compiled.Run(inputs[k], output, cancellation);
                        if (!BitEqual(output.Span, expected[k].Span)) Interlocked.Increment(ref mismatches);
                        long done = Interlocked.Increment(ref runs);
                        if (log is not null && done % 500 == 0) log.WriteLine($"  {done:N0} runs, {Interlocked.Read(ref mismatches)} mismatches");
                    }
                }
                catch (Exception e) { lock (errors) errors.Add($"thread {id}: {e.GetType().Name}: {e.Message}"); }
                Interlocked.Add(ref allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }) { Name = $"stress {id}", IsBackground = true };
            workers[t].Start();
        }
        var sw = Stopwatch.StartNew();
        start.SignalAndWait();
        foreach (var w in workers) w.Join();
        sw.Stop();
        long workingAfter = Process.GetCurrentProcess().WorkingSet64;
        return new StressReport(network, inputSize, threads, runsPerThread, runs, mismatches, errors, sw.Elapsed, allocated, workingBefore, workingAfter);
    }

    /// <summary>
    /// Runs <paramref name="network"/> compiled with each of <paramref name="threadCounts"/> (twice each) on the same
    /// input and returns a description of every output that is not bit-identical to the first (empty: deterministic).
    /// </summary>
    public static List<string> Determinism(Network network, IReadOnlyList<int> threadCounts, int seed = 7)
    {
        var input = Tensor.RandomNormal(network.InputShape.WithBatch(2), seed);
        float[]? first = null;
        var problems = new List<string>();
        foreach (int threads in threadCounts)
        {
            using var compiled = network.Compile(new CompileOptions { Threads = threads });
            for (int run = 0; run < 2; run++)
            {
                var y = compiled.Run(input).ToArray();
                if (first is null) { first = y; continue; }
                if (!BitEqual(y, first))
                    problems.Add($"{network.Name}: Threads = {threads}, run {run + 1} differs from Threads = {threadCounts[0]}, run 1");
            }
        }
        return problems;
    }

    /// <summary>True when both spans hold the same bits.</summary>
    public static bool BitEqual(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));
}
