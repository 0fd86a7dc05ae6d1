namespace SharpConv.Compilation;

/// <summary>Which family of kernels a compiled network runs.</summary>
public enum KernelSet
{
    /// <summary>The readable reference kernels only: the oracle, slow on purpose.</summary>
    Reference,
    /// <summary>The fastest kernel available for each layer (falls back to the reference where none is faster).</summary>
    Fast,
}

/// <summary>How <see cref="Graph.Network.Compile"/> prepares a network.</summary>
public sealed record CompileOptions
{
    /// <summary>Worker threads for one run (default: the machine's cores). Results do not depend on it.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Reference or fast kernels.</summary>
    public KernelSet Kernels { get; init; } = KernelSet.Fast;

    /// <summary>Fold BatchNorm into the preceding convolution or linear layer (changes results by rounding only).</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Fuse residual adds and ReLU/Clip into the producing convolution or linear layer.</summary>
    public bool Fuse { get; init; } = true;

    /// <summary>
    /// Batch sizes whose plans and arenas are kept at once (default 4); running a fifth drops the least recently used,
    /// so a stream of new input shapes cannot grow memory without bound.
    /// </summary>
    public int MaxCachedBatchSizes { get; init; } = 4;

    /// <summary>
    /// Write the inputs of channel concatenations straight into the concatenation (SqueezeNet's fire modules,
    /// GoogLeNet's Inception modules, DenseNet's blocks), so no copy runs; on by default. Off, every concatenation
    /// copies (same results, bit for bit).
    /// </summary>
    public bool ConcatInPlace { get; init; } = true;

    /// <summary>Remove layers that are the identity at inference (Dropout, ×1 scaling).</summary>
    public bool RemoveIdentities { get; init; } = true;

    /// <summary>Algorithm forced on every convolution that supports it, by name (e.g. <c>im2col</c>), or null for the heuristic.</summary>
    public string? ConvAlgorithm { get; init; }

    /// <summary>Algorithm forced per layer: node name → algorithm name. Wins over <see cref="ConvAlgorithm"/>.</summary>
    public IReadOnlyDictionary<string, string> LayerAlgorithms { get; init; } = new Dictionary<string, string>();

    /// <summary>The options of the oracle: reference kernels, one thread, no rewriting of the graph.</summary>
    public static CompileOptions Reference { get; } = new() { Threads = 1, Kernels = KernelSet.Reference, FoldBatchNorm = false, RemoveIdentities = false, Fuse = false, ConcatInPlace = false };
}
