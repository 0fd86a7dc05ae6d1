namespace SharpConv.Gpu;

/// <summary>Which ILGPU accelerator runs the network.</summary>
public enum GpuDevice
{
    /// <summary>CUDA if an NVIDIA GPU is present, else OpenCL if a capable device is, else <see cref="CpuSim"/>.</summary>
    Auto,
    /// <summary>An NVIDIA GPU through CUDA (PTX).</summary>
    Cuda,
    /// <summary>An OpenCL 2.0+ device (AMD, Intel, NVIDIA).</summary>
    OpenCL,
    /// <summary>
    /// ILGPU's CPU accelerator: every GPU thread simulated by a .NET thread, barriers and shared memory included.
    /// Slow — it exists so that the GPU kernels build and are tested on machines without a GPU.
    /// </summary>
    CpuSim,
}

/// <summary>How a convolution is computed on the device. Forceable per network or per layer (tests run every path).</summary>
public enum GpuConvAlgorithm
{
    /// <summary>The heuristic of <see cref="GpuNetwork"/>: direct for depthwise/narrow groups, GEMM for 1×1, Winograd for wide 3×3/1, im2col otherwise.</summary>
    Auto,
    /// <summary>A 1×1, stride-1, unpadded convolution as one GEMM reading the NCHW input in place (no scratch).</summary>
    Gemm1x1,
    /// <summary>im2col into scratch, then the tiled GEMM (any stride, padding, dilation, groups).</summary>
    Im2colGemm,
    /// <summary>One thread per output element summing its window (any convolution; the choice for depthwise).</summary>
    Direct,
    /// <summary>Winograd F(2×2, 3×3): 3×3, stride 1, dilation 1, one group. Error up to ~1e-4 relative, not 1e-6.</summary>
    Winograd23,
}

/// <summary>Options of <see cref="GpuNetwork.Create(SharpConv.Compilation.CompiledNetwork, GpuOptions?)"/>.</summary>
public sealed record GpuOptions
{
    /// <summary>The accelerator kind (default <see cref="GpuDevice.Auto"/>).</summary>
    public GpuDevice Device { get; init; } = GpuDevice.Auto;

    /// <summary>Which device of that kind, when there are several (0 = the first).</summary>
    public int DeviceIndex { get; init; }

    /// <summary>Algorithm forced on every convolution that supports it (others keep the heuristic's choice).</summary>
    public GpuConvAlgorithm ConvAlgorithm { get; init; } = GpuConvAlgorithm.Auto;

    /// <summary>
    /// Algorithm forced per layer (step name → algorithm); wins over <see cref="ConvAlgorithm"/>. Forcing an algorithm
    /// a layer cannot use is an error at create time.
    /// </summary>
    public IReadOnlyDictionary<string, GpuConvAlgorithm> LayerAlgorithms { get; init; } = new Dictionary<string, GpuConvAlgorithm>();

    /// <summary>
    /// Most floats of device scratch (im2col columns, Winograd tiles). Larger batches are processed in chunks of
    /// images that fit, so memory stays bounded at batch 64 on a large network. Default 32 Mi floats (128 MiB).
    /// </summary>
    public long MaxScratchElements { get; init; } = 32L << 20;
}

/// <summary>
/// What a <c>--device</c> argument asks for: the normal CPU engine, or a GPU backend device. A helper for command-line
/// front ends: <c>cpu</c>, <c>cuda</c>, <c>opencl</c>, <c>cpu-sim</c>, <c>gpu</c>/<c>auto</c>.
/// </summary>
/// <param name="UsesCpuEngine">True for <c>cpu</c>: run the <see cref="SharpConv.Compilation.CompiledNetwork"/> itself, no GPU backend.</param>
/// <param name="Gpu">The GPU device kind when <paramref name="UsesCpuEngine"/> is false.</param>
public readonly record struct DeviceChoice(bool UsesCpuEngine, GpuDevice Gpu)
{
    /// <summary>The accepted spellings, for help texts.</summary>
    public const string Accepted = "cpu, cuda, opencl, cpu-sim, gpu (auto)";

    /// <summary>Parses a <c>--device</c> value (case-insensitive); throws <see cref="ArgumentException"/> listing the accepted values.</summary>
    public static DeviceChoice Parse(string value) =>
        TryParse(value, out var choice) ? choice : throw new ArgumentException($"unknown device '{value}'; expected one of: {Accepted}.", nameof(value));

    /// <summary>Parses a <c>--device</c> value; false when it is not one of <see cref="Accepted"/>.</summary>
    public static bool TryParse(string? value, out DeviceChoice choice)
    {
        choice = (value ?? "").Trim().ToLowerInvariant() switch
        {
            "cpu" => new DeviceChoice(true, GpuDevice.Auto),
            "cuda" => new DeviceChoice(false, GpuDevice.Cuda),
            "opencl" or "cl" => new DeviceChoice(false, GpuDevice.OpenCL),
            "cpu-sim" or "cpusim" or "sim" => new DeviceChoice(false, GpuDevice.CpuSim),
            "gpu" or "auto" => new DeviceChoice(false, GpuDevice.Auto),
            _ => new DeviceChoice(true, (GpuDevice)(-1)),
        };
        return (int)choice.Gpu >= 0;
    }

    /// <inheritdoc/>
    public override string ToString() => UsesCpuEngine ? "cpu" : Gpu switch
    {
        GpuDevice.Cuda => "cuda", GpuDevice.OpenCL => "opencl", GpuDevice.CpuSim => "cpu-sim", _ => "gpu",
    };
}
