using SharpConv.Runtime;

namespace SharpConv.Compilation;

/// <summary>
/// Runs a plan's image-wise steps with few weights (<see cref="ExecutionPlan.SplitsBatch"/>) with the batch cut into one part per
/// thread: each thread computes the steps for its own images, in its own arena and with its own scratch, instead of
/// every thread taking a share of every image's tiles.
/// <para>
/// Why: a thread then touches only its own images' activations (at batch 8 those pass through memory rather than the
/// cache), and each part is a whole kernel call, with no tile-level imbalance at the step's end. Measured
/// (`SpeedProbe -b 8 -t 2 -vs nosplit`, paired, the 2-core Zen 1): DenseNet-121 625 vs 680 ms, GoogLeNet 260 vs
/// 270, ResNet-18 252 vs 255, SqueezeNet 1.1 87 vs 87.
/// </para>
/// <para>
/// A part runs a whole segment of such steps (<see cref="ExecutionPlan.Segments"/>) without waiting for the other
/// parts between steps: a step's time differs between parts (the machine is shared), and a barrier after every
/// step makes every step last as long as its slowest part. Each part therefore has an arena of its own, planned for its
/// images (<see cref="ExecutionPlan.ForPart"/>): in the whole batch's arena, a part running ahead could write a
/// later value into memory that a dead value shares with one the other part is still reading. Values cross between
/// the arenas only where a segment begins or ends. A segment whose copies would cost more than that saves (a lone
/// pooling step between two layers too big to split) stays in the whole arena, its parts waiting for each other after
/// every step (<see cref="StepSegment.InPartArenas"/>). A run that reports its steps to an observer (the profiler)
/// also waits for every part after every step, so each step can be timed.
/// </para>
/// <para>
/// The bits do not change: every kernel runs the plan's algorithms (<see cref="RunContext.PlanBatch"/>) and computes
/// each image alone, so a part gives the same values as the whole batch. With T threads the parts are ⌊B/T⌋ images
/// each; the B mod T images left over then run in the whole arena with every thread on each step, as without a split.
/// Steps that mix images or share big weights across them (fully connected layers) always run on the whole batch.
/// </para>
/// </summary>
internal sealed class BatchSplit
{
    /// <summary>On or off (a measurement knob for the perf probes; the results are the same either way). Read when a
    /// run's context is made: the first run at a batch size.</summary>
    internal static bool Enabled = true;

    /// <summary>Whether an unobserved run lets each part run a segment's steps without waiting for the others (a
    /// measurement knob for the perf probes; off, parts wait for each other after every step as in an observed run).</summary>
    internal static bool WholeSegments = true;

    /// <summary>
    /// Largest weight tensor (floats) of a step that splits. With the batch cut, every thread reads all of a layer's
    /// weights instead of its share: free for a GEMM that reads them once an image anyway, not for Winograd's batched
    /// products, whose transformed weights (4× the size for F(4,3)) then go through memory once a thread. `-vs nosplit`
    /// at batch 8 on 2 threads read VGG-16 0.98 with every image-wise step split, 1.02–1.04 with this bound (its 3×3
    /// layers of 256 channels split, of 512 not); SqueezeNet 1.1's 512→1000 classifier split or not runs the same.
    /// </summary>
    internal static long MaxWeightElements = DefaultMaxWeightElements;

    /// <summary>The default of <see cref="MaxWeightElements"/> (tests lower it to cut networks into several segments).</summary>
    internal const long DefaultMaxWeightElements = 1024 * 1024;

    private readonly ExecutionPlan _plan;
    private readonly Part[] _parts;
    private readonly Tensor[][]? _restInputs;    // [step][input]: the images after the parts, in the whole arena
    private readonly Tensor[]? _restOutputs;
    private readonly RunContext _whole;

    /// <summary>One part's images: the views its steps run on and what crosses between its arena and the whole one.</summary>
    private sealed class Part(RunContext context, Tensor[]?[] stepInputs, Tensor?[] stepOutputs, ImageCopy[][] copyIn, ImageCopy[][] copyOut)
    {
        /// <summary>Inline (one thread), with the part's own scratch.</summary>
        public RunContext Context { get; } = context;
        // [step][input]: in the part's arena, or its images of the whole arena for a segment that stays there; null
        // for a step that does not split.
        public Tensor[]?[] StepInputs { get; } = stepInputs;
        public Tensor?[] StepOutputs { get; } = stepOutputs;     // [step]
        public ImageCopy[][] CopyIn { get; } = copyIn;           // [segment]
        public ImageCopy[][] CopyOut { get; } = copyOut;         // [segment]
    }

    /// <summary>A value's images copied between two views of the same shape (either may be image-strided).</summary>
    private readonly record struct ImageCopy(Tensor From, Tensor To)
    {
        public void Run()
        {
            int images = From.Shape[0];
            int image = checked((int)From.Shape.ElementsFrom(1));
            int fromStride = (int)From.ImageStride, toStride = (int)To.ImageStride;
            var from = From.Span;
            var to = To.Span;
            if (fromStride == image && toStride == image) { from.CopyTo(to); return; }
            for (int n = 0; n < images; n++) from.Slice(n * fromStride, image).CopyTo(to.Slice(n * toStride, image));
        }
    }

    private BatchSplit(ExecutionPlan plan, Tensor?[] wholeSlots, int parts, int perPart, RunContext whole, Func<long, Memory<float>> allocate)
    {
        _plan = plan;
        _whole = whole;
        var steps = plan.Steps;
        var partPlan = plan.ForPart(perPart);
        long scratch = 0;
        for (int s = 0; s < steps.Count; s++)
            if (plan.SplitsBatch(s))
                scratch = Math.Max(scratch, steps[s].Kernel.PartScratchElements(partPlan.Steps[s].InputShapes, partPlan.Steps[s].OutputShape, plan.Batch, 1));
        _parts = new Part[parts];
        for (int part = 0; part < parts; part++)
        {
            var slots = partPlan.SlotViews(allocate(partPlan.ArenaElements));
            int first = part * perPart;
            Tensor Whole(int slot) => wholeSlots[slot]!.Images(first, perPart);
            var inputs = new Tensor[]?[steps.Count];
            var outputs = new Tensor?[steps.Count];
            for (int s = 0; s < steps.Count; s++)
            {
                if (!plan.SplitsBatch(s)) continue;
                Func<int, Tensor> view = plan.Segments[plan.SegmentOf(s)].InPartArenas ? i => slots[i] : Whole;
                inputs[s] = steps[s].InputSlots.Select(view).ToArray();
                outputs[s] = view(steps[s].OutputSlot);
            }
            var copyIn = plan.Segments.Select(g => g.CopyIn.Select(slot => new ImageCopy(Whole(slot), slots[slot])).ToArray()).ToArray();
            var copyOut = plan.Segments.Select(g => g.CopyOut.Select(slot => new ImageCopy(slots[slot], Whole(slot))).ToArray()).ToArray();
            _parts[part] = new Part(new RunContext(allocate(scratch), 1, plan.Batch), inputs, outputs, copyIn, copyOut);
        }

        int rest = plan.Batch - parts * perPart;
        if (rest > 0)
        {
            _restInputs = new Tensor[steps.Count][];
            _restOutputs = new Tensor[steps.Count];
            for (int s = 0; s < steps.Count; s++)
            {
                if (!plan.SplitsBatch(s)) continue;
                _restInputs[s] = steps[s].InputSlots.Select(i => wholeSlots[i]!.Images(parts * perPart, rest)).ToArray();
                _restOutputs[s] = wholeSlots[steps[s].OutputSlot]!.Images(parts * perPart, rest);
            }
        }
    }

    /// <summary>Whether a run of <paramref name="plan"/> on <paramref name="threads"/> threads cuts its batch (not with one
    /// thread, fewer images than threads, no image-wise step, or <see cref="Enabled"/> off).</summary>
    public static bool Splits(ExecutionPlan plan, int threads) =>
        Enabled && threads >= 2 && plan.Batch >= threads && plan.Segments.Count > 0;

    /// <summary>The split for a plan run on <paramref name="threads"/> threads (null where <see cref="Splits"/> says no),
    /// over the whole batch's views <paramref name="slots"/>.</summary>
    public static BatchSplit? Create(ExecutionPlan plan, Tensor?[] slots, int threads, RunContext whole, Func<long, Memory<float>> allocate) =>
        Splits(plan, threads) ? new BatchSplit(plan, slots, threads, plan.Batch / threads, whole, allocate) : null;

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

    /// <summary>
    /// Runs steps <paramref name="first"/>…<paramref name="last"/> of segment <paramref name="segment"/> on every
    /// image: each part on its own thread (copying its inputs in first when <paramref name="first"/> begins the
    /// segment), then the leftover images on all threads. When <paramref name="last"/> ends the segment, the parts
    /// then copy out what later steps read in the whole arena. That copy waits for every part and the leftover images:
    /// the values it writes may share whole-arena memory with values that a slower part is still copying in, or that
    /// the leftover images' earlier steps write.
    /// </summary>
    public void Run(int segment, int first, int last, CancellationToken cancellation)
    {
        var bounds = _plan.Segments[segment];
        var scheduler = _whole.Scheduler!;
        if (!bounds.InPartArenas)
        {
            // In the whole arena, a part running ahead could overwrite what another still reads: one step at a time.
            for (int s = first; s <= last; s++)
            {
                if (!_plan.SplitsBatch(s)) continue;
                scheduler.For(_parts.Length, new StepsBody { Split = this, Segment = segment, First = s, Last = s, Cancellation = cancellation });
                RunRest(s, s, cancellation);
            }
            return;
        }
        scheduler.For(_parts.Length, new StepsBody { Split = this, Segment = segment, First = first, Last = last, Cancellation = cancellation });
        RunRest(first, last, cancellation);
        if (last == bounds.Last && bounds.CopyOut.Length > 0) scheduler.For(_parts.Length, new CopyOutBody { Split = this, Segment = segment });
    }

    /// <summary>Steps <paramref name="first"/>…<paramref name="last"/> on the images after the parts, in the whole arena, on every thread.</summary>
    private void RunRest(int first, int last, CancellationToken cancellation)
    {
        if (_restInputs is null) return;
        for (int s = first; s <= last; s++)
        {
            if (!_plan.SplitsBatch(s)) continue;
            cancellation.ThrowIfCancellationRequested();
            _plan.Steps[s].Kernel.Execute(_restInputs[s], _restOutputs![s], _whole);
        }
    }

    private struct StepsBody : IParallelBody
    {
        public BatchSplit Split;
        public int Segment, First, Last;
        public CancellationToken Cancellation;

        public readonly void Run(int begin, int end, int thread)
        {
            var plan = Split._plan;
            for (int index = begin; index < end; index++)
            {
                // A part's arena and scratch go with the part, not the thread: a thread that claims two parts runs them in turn.
                var part = Split._parts[index];
                part.Context.Cancellation = Cancellation;
                if (First == plan.Segments[Segment].First)
                    foreach (var copy in part.CopyIn[Segment]) copy.Run();
                for (int s = First; s <= Last; s++)
                {
                    if (!plan.SplitsBatch(s)) continue;
                    Cancellation.ThrowIfCancellationRequested();
                    plan.Steps[s].Kernel.Execute(part.StepInputs[s], part.StepOutputs[s]!, part.Context);
                }
            }
        }
    }

    private struct CopyOutBody : IParallelBody
    {
        public BatchSplit Split;
        public int Segment;

        public readonly void Run(int begin, int end, int thread)
        {
            for (int index = begin; index < end; index++)
                foreach (var copy in Split._parts[index].CopyOut[Segment]) copy.Run();
        }
    }
}
