using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace SharpConv.Gpu.Execution;

/// <summary>Where one weight tensor lives inside the packed device weight buffer.</summary>
internal readonly record struct WeightRef(long Offset, int Length);

/// <summary>
/// Collects every weight, bias, transformed filter bank and graph constant at create time, then uploads them all in
/// one device buffer with one copy. Weights arrive already BN-folded by the CPU compile; transformed forms (the
/// Winograd <c>U</c>, an unfolded BatchNorm's affine pair) are computed once here, never per run.
/// </summary>
internal sealed class WeightStore : IDisposable
{
    // 64 floats = 256 bytes: every tensor starts on a boundary that suits coalesced loads on any GPU.
    private const int Alignment = 64;
    private readonly List<(long Offset, float[] Data)> _pending = new();
    private readonly Dictionary<object, WeightRef> _byKey = new(ReferenceEqualityComparer.Instance);
    private long _length;
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

    /// <summary>Adds <paramref name="data"/> (copied) once per <paramref name="key"/> (a tensor or an op), returning its place.</summary>
    public WeightRef Add(object key, ReadOnlySpan<float> data)
    {
        if (_buffer is not null) throw new InvalidOperationException("weights were already uploaded.");
        if (_byKey.TryGetValue(key, out var known)) return known;
        var r = new WeightRef(_length, data.Length);
        _pending.Add((_length, data.ToArray()));
        _length += (Math.Max(1, data.Length) + Alignment - 1) / Alignment * Alignment;
        _byKey[key] = r;
        return r;
    }

    /// <summary>The place of a tensor added earlier under <paramref name="key"/>.</summary>
    public bool TryGet(object key, out WeightRef r) => _byKey.TryGetValue(key, out r);

    /// <summary>Total floats on the device.</summary>
    public long Length => _length;

    /// <summary>Allocates the buffer and copies everything in.</summary>
    public void Upload(Accelerator accelerator)
    {
        var host = new float[Math.Max(1, _length)];
        foreach (var (offset, data) in _pending) data.CopyTo(host, offset);
        _buffer = accelerator.Allocate1D<float>(host.LongLength);
        _buffer.View.CopyFromCPU(ref host[0], host.LongLength);
        _pending.Clear();
    }

    /// <summary>The whole device buffer.</summary>
    public ArrayView<float> View => _buffer?.View ?? throw new InvalidOperationException("weights are not uploaded yet.");

    /// <summary>The device view of one tensor.</summary>
    public ArrayView<float> this[WeightRef r] => View.SubView(r.Offset, Math.Max(1, r.Length));

    /// <inheritdoc/>
    public void Dispose() => _buffer?.Dispose();
}
