using SharpConv.Runtime;

namespace SharpConv.Compilation;

/// <summary>
/// Runs a plan's image-wise steps with few weights (<see cref="ExecutionPlan.SplitsBatch"/>) with the batch cut into one part per
/// thread: each thread computes the step for its own images, with its own scratch, instead of every thread taking a
/// share of every image's tiles.
/// <para>
/// Why: a thread then touches only its own images' activations (at batch 8 those pass through memory rather than the
/// cache), and each part is a whole kernel call, with no tile-level imbalance at the step's end. Measured
/// (`SpeedProbe -b 8 -t 2 -vs nosplit`, paired, the 2-core Zen 1): DenseNet-121 625 vs 680 ms, GoogLeNet 260 vs
/// 270, ResNet-18 252 vs 255, SqueezeNet 1.1 87 vs 87. Every part still ends with the step: the arena reuses a dead
/// value's memory for a later one by the plan's step order, which a part running ahead into later steps would break.
/// </para>
/// <para>
/// The bits do not change: every kernel runs the plan's algorithms (<see cref="RunContext.PlanBatch"/>) and computes
/// each image alone, so a part gives the same values as the whole batch. With T threads the parts are ⌊B/T⌋ images
/// each; the B mod T images left over then run with every thread on the step, as without a split. Steps that mix
/// images or share big weights across them (fully connected layers) always run on the whole batch.
/// </para>
/// </summary>
internal sealed class BatchSplit
{
    /// <summary>On or off (a measurement knob for the perf probes; the results are the same either way).</summary>
    internal static bool Enabled = true;

    /// <summary>
    /// Largest weight tensor (floats) of a step that splits. With the batch cut, every thread reads all of a layer's
    /// weights instead of its share: free for a GEMM that reads them once an image anyway, not for Winograd's batched
    /// products, whose transformed weights (4× the size for F(4,3)) then go through memory once a thread. `-vs nosplit`
    /// at batch 8 on 2 threads read VGG-16 0.98 with every image-wise step split, 1.02–1.04 with this bound (its 3×3
    /// layers of 256 channels split, of 512 not); SqueezeNet 1.1's 512→1000 classifier split or not runs the same.
    /// </summary>
    internal const long MaxWeightElements = 1024 * 1024;

    private readonly ExecutionPlan _plan;
    private readonly Tensor[][][] _partInputs;   // [part][step][input]
    private readonly Tensor[][] _partOutputs;    // [part][step]
    private readonly Tensor[][]? _restInputs;    // [step][input]: the images after the parts
    private readonly Tensor[]? _restOutputs;
    private readonly RunContext[] _workers;      // one per part: inline, its own scratch
    private readonly RunContext _whole;

    private BatchSplit(ExecutionPlan plan, Tensor[] slots, int parts, int perPart, RunContext whole, Func<long, Memory<float>> allocate)
    {
        _plan = plan;
        _whole = whole;
        var steps = plan.Steps;
        Tensor View(int slot, int first, int count) => slots[slot].Images(first, count);
        _partInputs = new Tensor[parts][][];
        _partOutputs = new Tensor[parts][];
        long workerScratch = 0;
        for (int part = 0; part < parts; part++)
        {
            _partInputs[part] = new Tensor[steps.Count][];
            _partOutputs[part] = new Tensor[steps.Count];
            for (int s = 0; s < steps.Count; s++)
            {
                if (!plan.SplitsBatch(s)) continue;
                var step = steps[s];
                _partInputs[part][s] = step.InputSlots.Select(i => View(i, part * perPart, perPart)).ToArray();
                _partOutputs[part][s] = View(step.OutputSlot, part * perPart, perPart);
                if (part == 0)
                    workerScratch = Math.Max(workerScratch, step.Kernel.PartScratchElements(
                        _partInputs[0][s].Select(t => t.Shape).ToArray(), _partOutputs[0][s].Shape, plan.Batch, 1));
            }
        }
        _workers = new RunContext[parts];
        for (int t = 0; t < parts; t++) _workers[t] = new RunContext(allocate(workerScratch), 1, plan.Batch);

        int rest = plan.Batch - parts * perPart;
        if (rest > 0)
        {
            _restInputs = new Tensor[steps.Count][];
            _restOutputs = new Tensor[steps.Count];
            for (int s = 0; s < steps.Count; s++)
            {
                if (!plan.SplitsBatch(s)) continue;
                _restInputs[s] = steps[s].InputSlots.Select(i => View(i, parts * perPart, rest)).ToArray();
                _restOutputs[s] = View(steps[s].OutputSlot, parts * perPart, rest);
            }
        }
    }

    /// <summary>The split for a plan run on <paramref name="threads"/> threads, or null when it has nothing to split
    /// (one thread, fewer images than threads, no image-wise step).</summary>
    public static BatchSplit? Create(ExecutionPlan plan, Tensor[] slots, int threads, RunContext whole, Func<long, Memory<float>> allocate)
    {
        int perPart = plan.Batch / threads;
        if (threads < 2 || perPart < 1 || !Enumerable.Range(0, plan.Steps.Count).Any(plan.SplitsBatch)) return null;
        return new BatchSplit(plan, slots, threads, perPart, whole, allocate);
    }

    /// <summary>Scratch floats the images left over after the parts need on the whole run's threads: the run's scratch
    /// is the larger of this and the plan's (the leftover images run the plan's algorithms on fewer images, so in
    /// practice the plan's suffices).</summary>
    public static long RestScratchElements(ExecutionPlan plan, int threads)
    {
        int rest = threads < 2 ? 0 : plan.Batch % threads;
        if (rest == 0 || plan.Batch < threads) return 0;
        long most = 0;
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            if (!plan.SplitsBatch(s)) continue;
            var step = plan.Steps[s];
            most = Math.Max(most, step.Kernel.PartScratchElements(step.InputShapes.Select(x => x.WithBatch(rest)).ToArray(), step.OutputShape.WithBatch(rest), plan.Batch, threads));
        }
        return most;
    }

    /// <summary>Runs step <paramref name="step"/> (one the plan splits) on every image: each part on its own thread, then the
    /// leftover images on all threads.</summary>
    public void Run(int step, CancellationToken cancellation)
    {
        _whole.Scheduler!.For(_workers.Length, new PartBody { Split = this, Step = step, Cancellation = cancellation });
        if (_restInputs is not null) _plan.Steps[step].Kernel.Execute(_restInputs[step], _restOutputs![step], _whole);
    }

    private struct PartBody : IParallelBody
    {
        public BatchSplit Split;
        public int Step;
        public CancellationToken Cancellation;

        public readonly void Run(int begin, int end, int thread)
        {
            var kernel = Split._plan.Steps[Step].Kernel;
            for (int part = begin; part < end; part++)
            {
                // A part's scratch goes with the part, not the thread: a thread that claims two parts runs them in turn.
                var context = Split._workers[part];
                context.Cancellation = Cancellation;
                kernel.Execute(Split._partInputs[part][Step], Split._partOutputs[part][Step], context);
            }
        }
    }
}
