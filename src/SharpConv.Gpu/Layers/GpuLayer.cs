using ILGPU;
using SharpConv.Compilation;
using SharpConv.Gpu.Execution;
using SharpConv.Gpu.Kernels;

namespace SharpConv.Gpu.Layers;

/// <summary>
/// The device form of one step: made once at create time (weights already in the <see cref="WeightStore"/>, kernels
/// compiled), then bound once per batch size to that batch's device views, giving a launcher that the run calls.
/// Like a CPU <see cref="Kernel"/>, it keeps no per-run state.
/// </summary>
internal abstract class GpuLayer
{
    /// <summary>The algorithm name the summary and profile show, e.g. <c>gpu-im2col-gemm</c>.</summary>
    public abstract string Algorithm { get; }

    /// <summary>True for steps that move no data (Flatten, Reshape, Dropout): their output aliases their input.</summary>
    public virtual bool IsView => false;

    /// <summary>Device scratch floats one execution needs at this step's shapes.</summary>
    public virtual long ScratchElements(CompiledStep step, long maxScratch) => 0;

    /// <summary>Binds to one batch's device memory and returns what enqueues the step's kernels (null for views).</summary>
    public abstract Action? Bind(BindContext c);

    /// <summary>Launches an element-wise kernel unless there is nothing to do (ILGPU rejects empty launches on some back ends).</summary>
    protected static void Launch1D(long count, Action<Index1D> launch)
    {
        if (count > 0) launch((int)count);
    }
}

/// <summary>What a layer binds to: the step at this batch size, its operand views, scratch and weights.</summary>
internal sealed class BindContext
{
    public required KernelLibrary Kernels { get; init; }
    public required CompiledStep Step { get; init; }
    public required ArrayView<float>[] Inputs { get; init; }
    public required ArrayView<float> Output { get; init; }
    public required ArrayView<float> Scratch { get; init; }
    public required WeightStore Weights { get; init; }
    /// <summary>A one-float placeholder for operands a launch does not use (no bias, no residual).</summary>
    public required ArrayView<float> Dummy { get; init; }
    public required long MaxScratch { get; init; }
}
