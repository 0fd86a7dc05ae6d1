using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using SharpConv.Compilation;
using SharpConv.Gpu.Execution;
using SharpConv.Gpu.Layers;

namespace SharpConv.Gpu;

/// <summary>
/// A <see cref="CompiledNetwork"/> running on an ILGPU accelerator. It executes the CPU compile's own step list — the
/// same BN-folded weights, the same fused residual and clamp epilogues — with device kernels:
/// <list type="bullet">
/// <item>weights (and graph constants) are uploaded once, at <see cref="Create(CompiledNetwork, GpuOptions?)"/>, into one buffer;</item>
/// <item>per batch size, one device arena laid out by liveness (views alias their input) and one scratch buffer are
/// allocated on first use and kept;</item>
/// <item>a run is one host→device copy per input, the kernel launches, one device→host copy per output.</item>
/// </list>
/// Every step's support is decided at create time: an op without a GPU kernel throws
/// <see cref="GpuUnsupportedOperatorException"/> there, never during a run. Runs on one accelerator are serialised.
/// </summary>
public sealed class GpuNetwork : IDisposable
{
    private readonly CompiledNetwork _compiled;
    private readonly GpuAccelerator _accelerator;
    private readonly bool _ownsAccelerator;
    private readonly GpuOptions _options;
    private readonly GpuLayer[] _layers;
    private readonly WeightStore _weights;
    private readonly Dictionary<int, BatchState> _batches = new();
    private bool _disposed;

    private GpuNetwork(CompiledNetwork compiled, GpuAccelerator accelerator, bool owns, GpuOptions options)
    {
        _compiled = compiled; _accelerator = accelerator; _ownsAccelerator = owns; _options = options;
        _weights = new WeightStore();
        try
        {
            lock (accelerator.Gate)
            {
                accelerator.ThrowIfDisposed();
                var plan = compiled.PlanFor(compiled.DeclaredBatch);
                _layers = new GpuLayer[plan.Steps.Count];
                for (int i = 0; i < _layers.Length; i++)
                    _layers[i] = LayerFactory.Create(plan.Steps[i], options, _weights, accelerator.Kernels);
                for (int s = 0; s < plan.SlotShapes.Count; s++)
                    if (plan.ConstantValue(s) is { } constant) _weights.Add(constant, constant.Span);
                _weights.Upload(accelerator.Device);
                accelerator.Device.Synchronize();
            }
        }
        catch
        {
            _weights.Dispose();
            throw;
        }
    }

    /// <summary>Opens the accelerator <paramref name="options"/> asks for (see <see cref="GpuAccelerator.Open"/>) and prepares <paramref name="compiled"/> on it; the network owns the accelerator.</summary>
    public static GpuNetwork Create(CompiledNetwork compiled, GpuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        options ??= new GpuOptions();
        var accelerator = GpuAccelerator.Open(options.Device, options.DeviceIndex);
        try { return new GpuNetwork(compiled, accelerator, owns: true, options); }
        catch { accelerator.Dispose(); throw; }
    }

    /// <summary>Prepares <paramref name="compiled"/> on an accelerator the caller opened and keeps ownership of (kernels compile once per accelerator).</summary>
    public static GpuNetwork Create(CompiledNetwork compiled, GpuAccelerator accelerator, GpuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(accelerator);
        return new GpuNetwork(compiled, accelerator, owns: false, options ?? new GpuOptions());
    }

    /// <summary>The compiled network this runs.</summary>
    public CompiledNetwork Compiled => _compiled;

    /// <summary>The accelerator it runs on.</summary>
    public GpuAccelerator Accelerator => _accelerator;

    /// <summary>The device algorithm of each step, in step order (e.g. <c>gpu-winograd2x3</c>, <c>gpu-view</c>).</summary>
    public IReadOnlyList<string> StepAlgorithms => _layers.Select(l => l.Algorithm).ToArray();

    /// <summary>Floats of device memory for weights and constants.</summary>
    public long WeightElements => _weights.Length;

    /// <summary>Floats of device arena plus scratch used at <paramref name="batch"/> (allocating them if that batch has not run yet).</summary>
    public long ActivationElements(int batch)
    {
        lock (_accelerator.Gate) { var b = GetBatch(batch); return b.Arena.Length + b.Scratch.Length; }
    }

    /// <summary>Runs on one input and returns a new output tensor.</summary>
    public Tensor Run(Tensor input, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        int batch = input.Shape.Rank > 0 ? input.Shape[0] : 1;
        var plan = _compiled.PlanFor(Math.Max(1, batch));
        var output = new Tensor(plan.SlotShapes[plan.OutputSlots[0]]);
        Run([input], [output], cancellation, null);
        return output;
    }

    /// <summary>Runs on one input into a caller-owned output of the right shape.</summary>
    public void Run(Tensor input, Tensor output, CancellationToken cancellation = default) =>
        Run(new ReadOnlySpan<Tensor>(in input), new ReadOnlySpan<Tensor>(in output), cancellation, null);

    /// <summary>
    /// Runs with several inputs and outputs (in the network's order). With an <paramref name="observer"/>, the device is
    /// synchronised before <see cref="IStepObserver.StepStarting"/> and before <see cref="IStepObserver.StepFinished"/>,
    /// so a stopwatch in the observer measures each step's kernels (at the price of losing the overlap between launches).
    /// </summary>
    public void Run(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, CancellationToken cancellation = default, IStepObserver? observer = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var network = _compiled.Network;
        if (inputs.Length != network.Inputs.Count)
            throw new ShapeMismatchException($"network '{network.Name}' (GPU)", $"{network.Inputs.Count} input tensor(s)", $"{inputs.Length}");
        int batch = CheckInput(0, inputs[0]);
        for (int i = 1; i < inputs.Length; i++)
            if (CheckInput(i, inputs[i]) != batch)
                throw new ShapeMismatchException(network.Inputs[i].Name, $"batch {batch} like the first input", $"batch {inputs[i].Shape[0]}");
        var plan = _compiled.PlanFor(batch);
        if (outputs.Length != plan.OutputSlots.Count)
            throw new ShapeMismatchException($"network '{network.Name}' (GPU)", $"{plan.OutputSlots.Count} output tensor(s)", $"{outputs.Length}");
        for (int i = 0; i < outputs.Length; i++)
        {
            var expected = plan.SlotShapes[plan.OutputSlots[i]];
            if (outputs[i].Shape != expected)
                throw new ShapeMismatchException($"output {i} of '{network.Name}' (GPU)", expected.ToString(), outputs[i].Shape.ToString());
        }

        lock (_accelerator.Gate)
        {
            _accelerator.ThrowIfDisposed();
            var state = GetBatch(batch);
            for (int i = 0; i < inputs.Length; i++)
            {
                var span = inputs[i].Span;
                state.SlotView(plan.InputSlots[i]).CopyFromCPU(ref MemoryMarshal.GetReference(span), span.Length);
            }
            var steps = plan.Steps;
            for (int s = 0; s < steps.Count; s++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (observer is not null) { _accelerator.Device.Synchronize(); observer.StepStarting(steps[s]); }
                state.Launchers[s]?.Invoke();
                if (observer is not null) { _accelerator.Device.Synchronize(); observer.StepFinished(steps[s]); }
            }
            for (int i = 0; i < outputs.Length; i++)
            {
                var span = outputs[i].Span;
                // Synchronous: waits for the kernels, then copies.
                state.SlotView(plan.OutputSlots[i]).CopyToCPU(ref MemoryMarshal.GetReference(span), span.Length);
            }
        }
    }

    private int CheckInput(int index, Tensor input)
    {
        var declared = _compiled.Network.Inputs[index].OutputShape;
        var found = input.Shape;
        bool ok = found.Rank == declared.Rank && found.Rank > 0 && found[0] >= 1;
        for (int d = 1; ok && d < found.Rank; d++) ok = found[d] == declared[d];
        if (!ok)
        {
            string expected = declared.Rank > 0 ? "N×" + string.Join("×", declared.ToArray().Skip(1)) : declared.ToString();
            throw new ShapeMismatchException($"input '{_compiled.Network.Inputs[index].Name}' of '{_compiled.Network.Name}' (GPU)", expected, found.ToString());
        }
        return found[0];
    }

    // Called under the accelerator's gate.
    private BatchState GetBatch(int batch)
    {
        if (_batches.TryGetValue(batch, out var state)) return state;
        state = new BatchState(_compiled.PlanFor(batch), _layers, _weights, _accelerator, _options);
        _batches[batch] = state;
        return state;
    }

    /// <summary>Frees the device buffers (and the accelerator when this network opened it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_accelerator.Gate)
        {
            foreach (var b in _batches.Values) b.Dispose();
            _batches.Clear();
            _weights.Dispose();
        }
        if (_ownsAccelerator) _accelerator.Dispose();
    }

    /// <summary>One batch size's device memory and bound launchers.</summary>
    private sealed class BatchState : IDisposable
    {
        private readonly ExecutionPlan _plan;
        private readonly DeviceMemoryPlan _memory;
        private readonly WeightStore _weights;

        public BatchState(ExecutionPlan plan, GpuLayer[] layers, WeightStore weights, GpuAccelerator accelerator, GpuOptions options)
        {
            _plan = plan; _weights = weights;
            _memory = new DeviceMemoryPlan(plan, step => layers[step.Index].IsView);
            long scratch = 1;
            foreach (var step in plan.Steps) scratch = Math.Max(scratch, layers[step.Index].ScratchElements(step, options.MaxScratchElements));
            var device = accelerator.Device;
            Arena = device.Allocate1D<float>(_memory.ArenaElements);
            Scratch = device.Allocate1D<float>(scratch);
            Dummy = device.Allocate1D<float>(1);
            Launchers = new Action?[plan.Steps.Count];
            foreach (var step in plan.Steps)
            {
                var context = new BindContext
                {
                    Kernels = accelerator.Kernels, Step = step,
                    Inputs = step.InputSlots.Select(SlotView).ToArray(), Output = SlotView(step.OutputSlot),
                    Scratch = Scratch.View, Weights = weights, Dummy = Dummy.View, MaxScratch = options.MaxScratchElements,
                };
                Launchers[step.Index] = layers[step.Index].Bind(context);
            }
        }

        public MemoryBuffer1D<float, Stride1D.Dense> Arena { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> Scratch { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> Dummy { get; }
        public Action?[] Launchers { get; }

        /// <summary>The device memory of a slot: its (root's) arena region, or the constant's place in the weight buffer.</summary>
        public ArrayView<float> SlotView(int slot)
        {
            long length = _plan.SlotShapes[slot].ElementCount;
            int root = _memory.Root[slot];
            if (_plan.ConstantValue(root) is { } constant)
            {
                if (!_weights.TryGet(constant, out var r)) throw new InvalidOperationException($"constant slot {root} was not uploaded.");
                return _weights.View.SubView(r.Offset, length);
            }
            return ((ArrayView<float>)Arena.View).SubView(_memory.Offsets[slot], length);
        }

        public void Dispose() { Arena.Dispose(); Scratch.Dispose(); Dummy.Dispose(); }
    }
}
