using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using SharpConv.Gpu.Kernels;

namespace SharpConv.Gpu;

/// <summary>
/// An open ILGPU accelerator with the backend's kernels compiled for it. Opening one and compiling kernels is the
/// expensive part of getting started (hundreds of milliseconds), so several <see cref="GpuNetwork"/>s may share one.
/// Launches on it are serialised: runs of networks sharing an accelerator take turns.
/// </summary>
public sealed class GpuAccelerator : IDisposable
{
    // The CPU simulator's shape: 16 lanes × 16 warps = 256 threads per group, exactly the GEMM's 16×16 group (ILGPU's
    // default CPU device allows only 16 threads per group). One multiprocessor: the box running the tests is small.
    private static readonly CPUDevice SimulatedDevice = new(numThreadsPerWarp: 16, numWarpsPerMultiprocessor: 16, numMultiprocessors: 1);

    private readonly Context _context;
    private bool _disposed;

    private GpuAccelerator(Context context, Accelerator accelerator, GpuDevice kind)
    {
        _context = context; Device = accelerator; Kind = kind;
        Kernels = new KernelLibrary(accelerator);
    }

    /// <summary>
    /// Opens a device: <see cref="GpuDevice.Auto"/> tries CUDA, then OpenCL, then the CPU simulator. Throws
    /// <see cref="GpuDeviceNotFoundException"/> when an explicitly requested kind is absent.
    /// </summary>
    public static GpuAccelerator Open(GpuDevice device = GpuDevice.Auto, int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var context = Context.Create(builder =>
        {
            // Probing CUDA / OpenCL loads native drivers; only do it when a GPU may be wanted.
            if (device is GpuDevice.Auto or GpuDevice.Cuda) TryRegister(() => builder.Cuda());
            if (device is GpuDevice.Auto or GpuDevice.OpenCL) TryRegister(() => builder.OpenCL());
            if (device is GpuDevice.Auto or GpuDevice.CpuSim) builder.CPU(SimulatedDevice);
        });
        try
        {
            foreach (var kind in device == GpuDevice.Auto ? [GpuDevice.Cuda, GpuDevice.OpenCL, GpuDevice.CpuSim] : new[] { device })
            {
                var candidates = Candidates(context, kind);
                int at = device == GpuDevice.Auto ? 0 : index;
                if (at < candidates.Count)
                {
                    var d = candidates[at];
                    Accelerator acc = d is CPUDevice cpu ? cpu.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel) : d.CreateAccelerator(context);
                    return new GpuAccelerator(context, acc, kind);
                }
            }
            string found = string.Join(", ", context.Devices.Select(d => $"{d.AcceleratorType} '{d.Name}'"));
            throw new GpuDeviceNotFoundException(device, index, found.Length == 0 ? "none" : found);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static void TryRegister(Action register)
    {
        // A missing or broken driver means "no such device", which the caller reports; it must not crash the probe.
        try { register(); } catch (Exception e) when (e is not OutOfMemoryException) { }
    }

    private static List<Device> Candidates(Context context, GpuDevice kind)
    {
        var type = kind switch { GpuDevice.Cuda => AcceleratorType.Cuda, GpuDevice.OpenCL => AcceleratorType.OpenCL, _ => AcceleratorType.CPU };
        var list = new List<Device>();
        foreach (var d in context.Devices) if (d.AcceleratorType == type) list.Add(d);
        return list;
    }

    /// <summary>The kind actually opened (never <see cref="GpuDevice.Auto"/>).</summary>
    public GpuDevice Kind { get; }

    /// <summary>The device's name as the driver reports it.</summary>
    public string Name => Device.Name;

    /// <summary>Device memory in bytes.</summary>
    public long MemoryBytes => Device.MemorySize;

    /// <summary>One line for logs: kind, name, memory.</summary>
    public override string ToString() => $"{Kind}: {Name} ({(Kind == GpuDevice.CpuSim ? "host memory" : $"{MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB")})";

    internal Accelerator Device { get; }
    internal KernelLibrary Kernels { get; }
    /// <summary>Serialises kernel loading and launches (ILGPU streams are not meant for concurrent enqueueing).</summary>
    internal object Gate { get; } = new();

    /// <summary>Waits until everything enqueued on the device has finished.</summary>
    public void Synchronize() { lock (Gate) Device.Synchronize(); }

    /// <summary>Closes the accelerator (networks created on it must not run afterwards).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            Device.Dispose();
            _context.Dispose();
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
