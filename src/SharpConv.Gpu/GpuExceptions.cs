namespace SharpConv.Gpu;

/// <summary>
/// A step of the compiled network that the GPU backend cannot run (an op without a GPU kernel, or an algorithm forced
/// on a layer that cannot use it). Thrown by <see cref="GpuNetwork.Create(SharpConv.Compilation.CompiledNetwork, GpuOptions?)"/>,
/// never by a run.
/// </summary>
public sealed class GpuUnsupportedOperatorException : SharpConvException
{
    /// <summary>Creates the exception for step <paramref name="node"/> running <paramref name="opKind"/>.</summary>
    public GpuUnsupportedOperatorException(string node, string opKind, string reason)
        : base($"node '{node}': {opKind} is not supported by the GPU backend: {reason}")
    {
        Node = node; OpKind = opKind; Reason = reason;
    }
    /// <summary>The step's (node's) name.</summary>
    public string Node { get; }
    /// <summary>The op kind, e.g. <c>Conv2d</c>.</summary>
    public string OpKind { get; }
    /// <summary>Why.</summary>
    public string Reason { get; }
}

/// <summary>The requested accelerator is not present (no CUDA driver or GPU, no OpenCL platform, an index out of range).</summary>
public sealed class GpuDeviceNotFoundException : SharpConvException
{
    /// <summary>Creates the exception for <paramref name="device"/>.</summary>
    public GpuDeviceNotFoundException(GpuDevice device, int index, string found, Exception? inner = null)
        : base($"no {device} device #{index} was found; available: {found}.", inner)
    {
        Device = device; Index = index;
    }
    /// <summary>The kind asked for.</summary>
    public GpuDevice Device { get; }
    /// <summary>The index asked for.</summary>
    public int Index { get; }
}
