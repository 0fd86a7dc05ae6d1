using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpConv.Graph;

namespace SharpConv.Compilation;

/// <summary>Observes each step of a run (the profiler uses it). Calls happen on the thread that called Run.</summary>
public interface IStepObserver
{
    /// <summary>Before step <paramref name="step"/> runs.</summary>
    void StepStarting(CompiledStep step);
    /// <summary>After step <paramref name="step"/> ran.</summary>
    void StepFinished(CompiledStep step);
}

/// <summary>
/// A network prepared for fast repeated runs: rewritten (BatchNorm folded, identities removed), a kernel per layer,
/// and an arena plan per batch size. Safe to <see cref="Run(Tensor, Tensor, CancellationToken)"/> from many threads
/// at once: each run rents its own arena from a pool; a steady-state run allocates nothing.
/// </summary>
public sealed class CompiledNetwork : IDisposable
{
    private readonly CompilationGraph _graph;
    private readonly ConcurrentDictionary<int, PlanWithPool> _plans = new();
    private bool _disposed;

    internal CompiledNetwork(Network network, CompilationGraph graph, CompileOptions options)
    {
        Network = network; _graph = graph; Options = options;
        DeclaredBatch = network.InputShape.Rank > 0 ? network.InputShape[0] : 1;
    }

    /// <summary>The network this was compiled from.</summary>
    public Network Network { get; }
    /// <summary>The options used.</summary>
    public CompileOptions Options { get; }
    /// <summary>The batch size the network was declared with.</summary>
    public int DeclaredBatch { get; }
    /// <summary>What the compile passes did.</summary>
    public IReadOnlyList<string> CompileLog => _graph.Log;

    /// <summary>The execution plan for a batch size (made on first use, then cached).</summary>
    public ExecutionPlan PlanFor(int batch) => GetPlan(batch).Plan;

    /// <summary>The steps at the declared batch size.</summary>
    public IReadOnlyList<CompiledStep> Steps => PlanFor(DeclaredBatch).Steps;

    private PlanWithPool GetPlan(int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_plans.TryGetValue(batch, out var p)) { p.LastUsed = Environment.TickCount64; return p; }
        if (batch < 1) throw new ShapeMismatchException($"network '{Network.Name}'", "a batch size ≥ 1", batch.ToString());
        return AddPlan(batch);
    }

    // Kept out of GetPlan: its lambdas capture the batch, and a captured parameter costs an allocation on every call
    // of the method that declares it — the steady-state path must not pay that.
    private PlanWithPool AddPlan(int batch)
    {
        var added = _plans.GetOrAdd(batch, b => new PlanWithPool(new ExecutionPlan(_graph, b, Options.ConcatInPlace)));
        added.LastUsed = Environment.TickCount64;
        // Bound the memory a stream of new batch sizes can pin: the least recently used plans (and their arenas) go.
        while (_plans.Count > Options.MaxCachedBatchSizes)
        {
            var oldest = _plans.Where(kv => kv.Key != batch).OrderBy(kv => kv.Value.LastUsed).FirstOrDefault();
            if (oldest.Value is null || !_plans.TryRemove(oldest.Key, out _)) break;
        }
        return added;
    }

    /// <summary>
    /// Runs on one input and returns a new output tensor — the first output of a network with several (allocates the
    /// outputs; use the other overloads to avoid that).
    /// </summary>
    public Tensor Run(Tensor input, CancellationToken cancellation = default)
    {
        int batch = CheckInput(0, input);
        var plan = PlanFor(batch);
        var outputs = new Tensor[plan.OutputSlots.Count];
        for (int i = 0; i < outputs.Length; i++) outputs[i] = new Tensor(plan.SlotShapes[plan.OutputSlots[i]]);
        Run([input], outputs, cancellation, null);
        return outputs[0];
    }

    /// <summary>Runs on one input into a caller-owned output of the right shape. Allocates nothing in steady state.</summary>
    public void Run(Tensor input, Tensor output, CancellationToken cancellation = default) =>
        Run(new ReadOnlySpan<Tensor>(in input), new ReadOnlySpan<Tensor>(in output), cancellation, null);

    /// <summary>Runs with several inputs and outputs (in the network's order), reporting each step to <paramref name="observer"/>.</summary>
    public void Run(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, CancellationToken cancellation = default, IStepObserver? observer = null)
    {
        if (inputs.Length != Network.Inputs.Count)
            throw new ShapeMismatchException($"network '{Network.Name}'", $"{Network.Inputs.Count} input tensor(s)", $"{inputs.Length}");
        if (outputs.Length != _graph.Outputs.Count)
            throw new ShapeMismatchException($"network '{Network.Name}'", $"{_graph.Outputs.Count} output tensor(s)", $"{outputs.Length}");
        int batch = CheckInput(0, inputs[0]);
        for (int i = 1; i < inputs.Length; i++)
            if (CheckInput(i, inputs[i]) != batch)
                throw new ShapeMismatchException(Network.Inputs[i].Name, $"batch {batch} like the first input", $"batch {inputs[i].Shape[0]}");
        var entry = GetPlan(batch);
        var plan = entry.Plan;
        for (int i = 0; i < outputs.Length; i++)
        {
            var expected = plan.SlotShapes[plan.OutputSlots[i]];
            if (outputs[i].Shape != expected)
                throw new ShapeMismatchException($"output '{_graph.Outputs[i].Name}'", expected.ToString(), outputs[i].Shape.ToString());
        }

        var context = entry.Rent(Options.Threads);
        try
        {
            context.Run.Cancellation = cancellation;
            for (int i = 0; i < inputs.Length; i++) inputs[i].Span.CopyTo(context.Slots[plan.InputSlots[i]]!.Span);
            var steps = plan.Steps;
            var split = context.Split;
            for (int s = 0; s < steps.Count; s++)
            {
                cancellation.ThrowIfCancellationRequested();
                var step = steps[s];
                int segment = split is null ? -1 : plan.SegmentOf(s);
                if (segment >= 0 && observer is null && BatchSplit.WholeSegments)
                {
                    // The parts run the whole segment, each at its own pace.
                    int last = plan.Segments[segment].Last;
                    split!.Run(segment, s, last, cancellation);
                    s = last;
                    continue;
                }
                observer?.StepStarting(step);
                if (!step.InPlace)
                {
                    if (segment >= 0) split!.Run(segment, s, s, cancellation);
                    else step.Kernel.Execute(context.StepInputs[s], context.Slots[step.OutputSlot]!, context.Run);
                }
                observer?.StepFinished(step);
            }
            for (int i = 0; i < outputs.Length; i++) context.Slots[plan.OutputSlots[i]]!.Span.CopyTo(outputs[i].Span);
        }
        finally { entry.Return(context); }
    }

    private int CheckInput(int index, Tensor input)
    {
        var declared = Network.Inputs[index].OutputShape;
        var found = input.Shape;
        bool ok = found.Rank == declared.Rank && found.Rank > 0 && found[0] >= 1;
        for (int d = 1; ok && d < found.Rank; d++) ok = found[d] == declared[d];
        if (!ok)
        {
            string expected = declared.Rank > 0 ? "N×" + string.Join("×", declared.ToArray().Skip(1)) : declared.ToString();
            throw new ShapeMismatchException($"input '{Network.Inputs[index].Name}' of '{Network.Name}'", expected, found.ToString());
        }
        return found[0];
    }

    /// <summary>Drops the cached plans and arenas.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var plan in _plans.Values) plan.Dispose();
        _plans.Clear();
    }

    private sealed class PlanWithPool(ExecutionPlan plan)
    {
        private readonly ConcurrentBag<ExecutionContext> _pool = new();
        public ExecutionPlan Plan { get; } = plan;
        public long LastUsed;
        public ExecutionContext Rent(int threads) => _pool.TryTake(out var c) ? c : new ExecutionContext(Plan, threads);
        public void Return(ExecutionContext c) => _pool.Add(c);
        public void Dispose() { while (_pool.TryTake(out var c)) c.Run.Scheduler?.Dispose(); }
    }

    /// <summary>One arena with tensor views over it: what one run in flight needs.</summary>
    private sealed class ExecutionContext
    {
        public ExecutionContext(ExecutionPlan plan, int threads)
        {
            // When the batch's parts take every image, the values they keep in their own arenas need no memory here.
            bool partsOnly = BatchSplit.Splits(plan, threads) && plan.Batch % threads == 0;
            var slots = plan.SlotViews(AlignedBuffer(partsOnly ? plan.PartsOnlyArenaElements : plan.ArenaElements), partsOnly);
            Slots = slots;
            StepInputs = plan.Steps.Select(s => partsOnly && plan.RunsInPartArenas(s.Index) ? []
                : s.InputSlots.Select(i => slots[i] ?? throw new InvalidOperationException($"step {s.Name}: input slot {i} has no memory")).ToArray()).ToArray();
            Run = new RunContext(AlignedBuffer(Math.Max(plan.ScratchElements, BatchSplit.RestScratchElements(plan, threads))), threads, plan.Batch);
            Split = BatchSplit.Create(plan, slots, threads, Run, AlignedBuffer);
        }

        /// <summary>
        /// Zeroed memory that starts on a 64-byte boundary and never moves (pinned). Slots are planned on 64-byte
        /// offsets, so every activation then starts on a cache line. From an ordinary array (16-byte aligned), whether
        /// the kernels' 64-byte vector loads and stores straddle two lines would depend on where the arena happened to
        /// land, as it did for the stack buffers of the pooling and direct kernels (1.5× between runs).
        /// </summary>
        private static unsafe Memory<float> AlignedBuffer(long elements)
        {
            var array = GC.AllocateArray<float>(checked((int)elements + 16), pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            int skip = (int)((64 - (address & 63)) & 63) / sizeof(float);
            return array.AsMemory(skip, (int)elements);
        }
        /// <summary>The whole batch's views (null: a value that lives only in the batch parts' arenas).</summary>
        public Tensor?[] Slots { get; }
        public Tensor[][] StepInputs { get; }
        public RunContext Run { get; }
        /// <summary>How the image-wise steps run with the batch cut over the threads (null: they do not).</summary>
        public BatchSplit? Split { get; }
    }
}
