// Dimension legend: N batch · C channels · HW spatial size (H·W) of one plane.
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.Intrinsics;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Pool;

/// <summary>
/// The memory-bound passes a compiled network still makes outside its convolutions — an unfolded BatchNorm (+ReLU),
/// a clamp, an unfused add, a concatenation — split over the run's threads. On their own they are a fifth of
/// DenseNet's time on two threads when run on one. Every output element is computed by the same operations whoever
/// computes it, so results do not depend on the thread count.
/// </summary>
public static unsafe class ParallelElementwise
{
    /// <summary>Elements per work item of the flat passes: big enough to amortise a claim, small enough to balance.</summary>
    private const int Chunk = 16 * 1024;

    /// <summary><c>y[n,c,i] = clamp(x[n,c,i] · scale[c] + shift[c])</c> (one fused multiply-add per element).</summary>
    public static void ScaleShift(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int spatial,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Activation act, Scheduler? scheduler)
        => ScaleShift(x, (long)channels * spatial, y, batch, channels, spatial, scale, shift, act, scheduler);

    /// <summary>The same, reading input image n at <c>x[n · inputImageStride …]</c> (a slice of a wider
    /// concatenation); the output is dense.</summary>
    public static void ScaleShift(ReadOnlySpan<float> x, long inputImageStride, Span<float> y, int batch, int channels, int spatial,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Activation act, Scheduler? scheduler)
    {
        long image = (long)channels * spatial, n = batch * image;
        if (inputImageStride < image) throw new ArgumentException($"scale-shift: the input image stride {inputImageStride} is smaller than an image ({image}).");
        if (x.Length < (batch - 1) * inputImageStride + image || y.Length < n || scale.Length < channels || shift.Length < channels)
            throw new ArgumentException($"scale-shift: {batch}×{channels}×{spatial} needs that many values and {channels} scales/shifts.");
        scheduler ??= Scheduler.Inline;
        fixed (float* px = x) fixed (float* py = y) fixed (float* ps = scale) fixed (float* pb = shift)
            scheduler.For(batch * channels, new ScaleShiftBody { X = px, XStride = inputImageStride, Y = py, Scale = ps, Shift = pb, Channels = channels, Spatial = spatial, Act = act });
    }

    /// <summary><c>y = clamp(x)</c>.</summary>
    public static void Clamp(ReadOnlySpan<float> x, Span<float> y, Activation act, Scheduler? scheduler)
    {
        if (y.Length < x.Length) throw new ArgumentException($"clamp: output needs {x.Length} values, got {y.Length}.");
        scheduler ??= Scheduler.Inline;
        fixed (float* px = x) fixed (float* py = y)
            scheduler.For((x.Length + Chunk - 1) / Chunk, new FlatBody { A = px, Y = py, Length = x.Length, Act = act });
    }

    /// <summary><c>y = a + b</c>.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, Scheduler? scheduler)
    {
        if (b.Length < a.Length || y.Length < a.Length) throw new ArgumentException($"add: operands need {a.Length} values.");
        scheduler ??= Scheduler.Inline;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* py = y)
            scheduler.For((a.Length + Chunk - 1) / Chunk, new FlatBody { A = pa, B = pb, Y = py, Length = a.Length, Act = Activation.None });
    }

    /// <summary>Copies <paramref name="outer"/> blocks of <paramref name="block"/> values from <paramref name="x"/>
    /// (contiguous) to <paramref name="y"/> at <c>o · outStride + offset</c>: one input of a concatenation.</summary>
    public static void CopyBlocks(ReadOnlySpan<float> x, Span<float> y, int outer, long block, long outStride, long offset, Scheduler? scheduler)
        => CopyBlocks(x, block, y, outer, block, outStride, offset, scheduler);

    /// <summary>Copies <paramref name="outer"/> blocks of <paramref name="block"/> values from <paramref name="x"/> at
    /// <c>o · inStride</c> to <paramref name="y"/> at <c>o · outStride + offset</c>. A block already in place (the
    /// same address, as for an input written into the concatenation by its producer) is skipped.</summary>
    public static void CopyBlocks(ReadOnlySpan<float> x, long inStride, Span<float> y, int outer, long block, long outStride, long offset, Scheduler? scheduler)
    {
        if (outer <= 0 || block <= 0) return;
        if (inStride < block || x.Length < (outer - 1) * inStride + block || y.Length < (outer - 1) * outStride + offset + block)
            throw new ArgumentException($"concat copy: {outer} blocks of {block} do not fit.");
        scheduler ??= Scheduler.Inline;
        long perBlock = (block + Chunk - 1) / Chunk;
        fixed (float* px = x) fixed (float* py = y)
        {
            if (px == py + offset && inStride == outStride) return;
            scheduler.For((int)(outer * perBlock), new CopyBody { X = px, InStride = inStride, Y = py + offset, Block = block, OutStride = outStride, PerBlock = perBlock });
        }
    }

    private struct ScaleShiftBody : IParallelBody
    {
        public float* X, Y, Scale, Shift;
        public long XStride;
        public int Channels, Spatial;
        public Activation Act;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            for (int plane = begin; plane < end; plane++)
            {
                int c = plane % Channels;
                ScaleShiftRun(X + plane / Channels * XStride + (long)c * Spatial, Y + (long)plane * Spatial, Spatial, Scale[c], Shift[c], Act);
            }
        }
    }

    /// <summary><c>y[i] = clamp(x[i] · s + b)</c> for <paramref name="count"/> values: one rounded fused multiply-add
    /// each, whatever the vector width, so the BatchNorm pass and a convolution's input map (which share this) agree
    /// bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void ScaleShiftRun(float* x, float* y, int count, float s, float b, Activation act)
    {
        bool clamp = !act.IsIdentity;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var ws = Vector512.Create(s); var wb = Vector512.Create(b);
            var wlo = Vector512.Create(act.Min); var whi = Vector512.Create(act.Max);
            for (; i + 16 <= count; i += 16)
            {
                var v = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), ws, wb);
                if (clamp) v = Activation.Clamp(v, wlo, whi);
                v.Store(y + i);
            }
        }
        var vs = new Vector<float>(s); var vb = new Vector<float>(b);
        var lo = new Vector<float>(act.Min); var hi = new Vector<float>(act.Max);
        for (; i + Vector<float>.Count <= count; i += Vector<float>.Count)
        {
            var v = Vector.FusedMultiplyAdd(Vector.Load(x + i), vs, vb);
            if (clamp) v = Activation.Clamp(v, lo, hi);
            v.Store(y + i);
        }
        for (; i < count; i++)
        {
            float v = MathF.FusedMultiplyAdd(x[i], s, b);
            if (clamp) v = act.Apply(v);
            y[i] = v;
        }
    }

    /// <summary>Chunks of a flat pass: <c>y = clamp(a)</c>, or <c>y = a + b</c> when B is set.</summary>
    private struct FlatBody : IParallelBody
    {
        public float* A, B, Y;
        public int Length;
        public Activation Act;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            int from = begin * Chunk, to = (int)Math.Min((long)end * Chunk, Length);
            var a = new ReadOnlySpan<float>(A + from, to - from);
            var y = new Span<float>(Y + from, to - from);
            if (B != null) System.Numerics.Tensors.TensorPrimitives.Add(a, new ReadOnlySpan<float>(B + from, to - from), y);
            else Elementwise.Apply(Act, a, y);
        }
    }

    private struct CopyBody : IParallelBody
    {
        public float* X, Y;
        public long Block, InStride, OutStride, PerBlock;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            for (int item = begin; item < end; item++)
            {
                long o = item / PerBlock, part = item % PerBlock;
                long from = part * Chunk, len = Math.Min(Chunk, Block - from);
                Buffer.MemoryCopy(X + o * InStride + from, Y + o * OutStride + from, len * sizeof(float), len * sizeof(float));
            }
        }
    }
}
