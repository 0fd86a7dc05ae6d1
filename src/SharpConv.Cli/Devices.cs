using SharpConv.Analysis;
using SharpConv.Compilation;
using SharpConv.Gpu;

namespace SharpConv.Cli;

/// <summary>
/// Where a command runs a compiled network: the CPU engine itself, or the GPU backend on the device a
/// <c>--device</c> argument names (<see cref="DeviceChoice.Accepted"/>). Both execute the same compiled plan, so the
/// profiler's rows line up whichever runs.
/// </summary>
public sealed class DeviceRunner : IDisposable
{
    private readonly CompiledNetwork _compiled;
    private readonly GpuNetwork? _gpu;

    private DeviceRunner(CompiledNetwork compiled, GpuNetwork? gpu, string label) { _compiled = compiled; _gpu = gpu; Label = label; }

    /// <summary>Opens the device <paramref name="device"/> names for <paramref name="compiled"/>.</summary>
    /// <exception cref="CliException">Unknown device name.</exception>
    public static DeviceRunner Create(CompiledNetwork compiled, string device)
    {
        if (!DeviceChoice.TryParse(device, out var choice))
            throw new CliException($"unknown --device '{device}'; expected one of: {DeviceChoice.Accepted}.");
        if (choice.UsesCpuEngine) return new DeviceRunner(compiled, null, "cpu");
        var gpu = GpuNetwork.Create(compiled, new GpuOptions { Device = choice.Gpu });
        return new DeviceRunner(compiled, gpu, $"{choice} ({gpu.Accelerator})");
    }

    /// <summary>What the device is, for output.</summary>
    public string Label { get; }

    /// <summary>Runs one batch.</summary>
    public void Run(Tensor input, Tensor output, CancellationToken cancellation)
    {
        if (_gpu is null) _compiled.Run(input, output, cancellation);
        else _gpu.Run(input, output, cancellation);
    }

    /// <summary>The runner the profiler drives.</summary>
    public Profiler.NetworkRunner Runner => _gpu is null ? _compiled.Run : _gpu.Run;

    /// <summary>Per-step algorithm names of the device (null: the CPU kernels').</summary>
    public Func<CompiledStep, string>? AlgorithmOf
    {
        get
        {
            if (_gpu is null) return null;
            var names = _gpu.StepAlgorithms;
            return step => names[step.Index];
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gpu?.Dispose();
}
