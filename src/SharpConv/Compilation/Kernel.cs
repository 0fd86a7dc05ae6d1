namespace SharpConv.Compilation;

/// <summary>
/// What runs one step of a compiled network. A kernel is made once per layer at compile time (weights transformed
/// and packed then) and executed many times, possibly from several runs at once: it must keep no per-run state
/// outside the <see cref="RunContext"/> it is given.
/// </summary>
public abstract class Kernel
{
    /// <summary>The algorithm's name as the summary and profiler show it (e.g. <c>reference</c>, <c>winograd4x3</c>).</summary>
    public abstract string Algorithm { get; }

    /// <summary>The algorithm's name for these shapes (a kernel may run a different algorithm per batch size).</summary>
    public virtual string AlgorithmFor(IReadOnlyList<Shape> inputs, Shape output) => Algorithm;

    /// <summary>Scratch floats one execution needs for these shapes (planned once per batch size, never allocated per run).</summary>
    public virtual long ScratchElements(IReadOnlyList<Shape> inputs, Shape output) => 0;

    /// <summary>Whether <see cref="Execute"/> writes an output view whose images lie <see cref="Tensor.ImageStride"/>
    /// apart (a slice of a concatenation it writes into in place). Kernels that say no only ever get dense outputs
    /// (or a single image, where the two are the same).</summary>
    internal virtual bool WritesImageStrided => false;

    /// <summary>Whether <see cref="Execute"/> reads input views whose images lie <see cref="Tensor.ImageStride"/> apart.</summary>
    internal virtual bool ReadsImageStrided => false;

    /// <summary>
    /// Whether every output image depends only on the same image of each input, so a plan may cut the batch into parts
    /// that run on separate threads (<see cref="BatchSplit"/>). Such a kernel must give each image the same bits
    /// whatever part it runs in: it runs the algorithms of <see cref="RunContext.PlanBatch"/>, not of the part's size.
    /// </summary>
    internal virtual bool ImageWise => false;

    /// <summary>Weights the kernel reads on every call (floats): a split batch has every thread read all of them.</summary>
    internal virtual long WeightElements => 0;

    /// <summary>Scratch floats to run <paramref name="output"/>'s images — a part of a plan's batch of
    /// <paramref name="planBatch"/> — on <paramref name="threads"/> threads. The default asks for what the whole-batch
    /// execution would.</summary>
    internal virtual long PartScratchElements(IReadOnlyList<Shape> inputs, Shape output, int planBatch, int threads) => ScratchElements(inputs, output);

    /// <summary>Computes <paramref name="output"/> from <paramref name="inputs"/>.</summary>
    public abstract void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context);
}

/// <summary>Per-run resources handed to kernels: scratch memory and the thread budget.</summary>
public sealed class RunContext
{
    internal RunContext(Memory<float> scratch, int threads, int planBatch)
    {
        Scratch = scratch; Threads = threads; PlanBatch = planBatch;
        Scheduler = threads > 1 ? new Runtime.Scheduler(threads) : null;
    }
    /// <summary>Scratch memory, at least as large as the step's <see cref="Kernel.ScratchElements"/>.</summary>
    public Memory<float> Scratch { get; }
    /// <summary>Threads this run may use.</summary>
    public int Threads { get; }
    /// <summary>The parallel-for of this run (null: one thread, run inline). Each pooled run context owns one, so runs in flight never share workers.</summary>
    public Runtime.Scheduler? Scheduler { get; }
    /// <summary>The batch size of the plan being run: kernels whose algorithm depends on the batch choose by it, also
    /// when they are handed only a part of that batch.</summary>
    internal int PlanBatch { get; }
    /// <summary>Cancellation of the current run (checked between steps; long kernels may check it too).</summary>
    public CancellationToken Cancellation { get; internal set; }
}

/// <summary>Runs an op's reference kernel.</summary>
public sealed class ReferenceKernel : Kernel
{
    private readonly Ops.Op _op;
    /// <summary>Wraps <paramref name="op"/>.</summary>
    public ReferenceKernel(Ops.Op op) => _op = op;
    /// <inheritdoc/>
    public override string Algorithm => "reference";
    /// <inheritdoc/>
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context) => _op.RunReference(inputs, output);
}
