// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q convolution output · R×S kernel;
//                   P'×Q' the max pool's output. A band = a run of pooled rows and the convolution rows under them.
using System.Runtime.CompilerServices;
using SharpConv.Kernels.Pool;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// A convolution and the max pool after it in one pass, band by band: for a run of pooled rows, the convolution rows
/// their windows cover are computed into a per-thread buffer and pooled from there, so the full-resolution activation
/// is never written out for the whole batch and read back. That activation is the biggest tensor of the classic stems
/// (ResNet's, GoogLeNet's, DenseNet's and SqueezeNet's 64–96 × 109–112² maps: 25–36 MB at batch 8), where writing it
/// and reading it back cost about as much as the stem's arithmetic.
/// <para>
/// Each band's convolution is the layer itself on the input rows the band reads (copied into the buffer, padding
/// re-expressed as the band's own), run by the same algorithm — direct or im2col — on the calling thread. Both sum
/// every output in an order that does not depend on how the rows are cut, so the result is bit-identical to the
/// convolution followed by the pool, for any band count. The rows where two bands' windows meet are computed by both
/// (one convolution row per band boundary with 3×3/2 pools), so bands are few and large: an image is cut into as many
/// as the threads need at the compiled batch, at least two. `KernelProbe convpool`, 2 threads, ms apart → fused:
/// ResNet's 7×7/2 stem + 3×3/2 pool 12.7 → 10.8 at batch 8 and 1.31 → 1.34 at batch 1; SqueezeNet 1.1's 3×3/2 stem
/// 4.70 → 3.83 and 0.53 → 0.41. Bands of 6 rows (a 384 KiB buffer, to stay in L2) were slower: 8 % of the
/// convolution recomputed and the per-band setup outweighed the cache. Work items are (image, band).
/// </para>
/// </summary>
internal sealed unsafe class PooledConv
{
    private readonly ConvParams _p;
    private readonly PoolParams _pool;          // over the whole convolution output
    private readonly int _rowsPerBand, _bands;
    private readonly Band[] _band;
    private readonly int _inputFloats, _convFloats, _convScratch, _poolScratch;

    private sealed class Band
    {
        public required int FirstPooledRow, InputRow, InputRows;
        public required PreparedConv Conv;
        public required PoolParams Pool;
    }

    private static readonly PooledConv Empty = new(default, default, 0, []);

    private PooledConv(in ConvParams p, in PoolParams pool, int rowsPerBand, Band[] bands)
    {
        _p = p; _pool = pool; _rowsPerBand = rowsPerBand; _band = bands; _bands = bands.Length;
        foreach (var b in bands)
        {
            _inputFloats = Math.Max(_inputFloats, Align(b.Conv.Params.InputElements));
            _convFloats = Math.Max(_convFloats, Align(b.Conv.Params.OutputElements));
            _convScratch = Math.Max(_convScratch, Align(b.Conv.ScratchElements(1, 1)));
            _poolScratch = Math.Max(_poolScratch, Align(Pooling.ScratchElements(b.Pool, 1)));
        }
    }

    private static int Align(long floats) => checked((int)((floats + 15) / 16 * 16));

    /// <summary>The layer's shape.</summary>
    public ConvParams Params => _p;
    /// <summary>The pool over the convolution's output.</summary>
    public PoolParams Pool => _pool;
    /// <summary>The convolution algorithm every band runs.</summary>
    public ConvAlgorithm Algorithm => _band[0].Conv.Algorithm;
    /// <summary>Pooled rows per band.</summary>
    public int RowsPerBand => _rowsPerBand;

    /// <summary>
    /// Prepares the fused layer, or returns null where the pool cannot be cut into bands exactly (then the two run
    /// apart). <paramref name="pool"/> is over the convolution's output (C = K, H×W = P×Q); each image is cut into
    /// <paramref name="bandsPerImage"/> bands (fewer on maps with fewer pooled rows).
    /// </summary>
    public static PooledConv? TryCreate(ConvAlgorithm algorithm, in ConvParams p, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Activation activation, in PoolParams pool, int bandsPerImage = 2)
        => Plan(algorithm, p, weights, bias, activation, pool, bandsPerImage, create: true);

    /// <summary>Whether <see cref="TryCreate"/> would fuse the layer (the bands cut the pool exactly and the algorithm
    /// runs every band).</summary>
    public static bool Fits(ConvAlgorithm algorithm, in ConvParams p, in PoolParams pool)
        => Plan(algorithm, p, default, default, Activation.None, pool, 2, create: false) != null;

    private static PooledConv? Plan(ConvAlgorithm algorithm, in ConvParams p, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Activation activation, in PoolParams pool, int bandsPerImage, bool create)
    {
        p.Validate();
        pool.Validate();
        if (algorithm is not (ConvAlgorithm.Direct or ConvAlgorithm.Im2ColGemm) || p.Groups != 1 || pool.C != p.K || pool.H != p.P || pool.W != p.Q)
            return null;
        int pooledRows = pool.P, pooledCols = pool.Q;
        int rowsPerBand = (pooledRows + Math.Max(1, bandsPerImage) - 1) / Math.Max(1, bandsPerImage);
        int bands = (pooledRows + rowsPerBand - 1) / rowsPerBand;
        var convs = new Dictionary<(int, int, int, int), PreparedConv>();
        var result = new Band[bands];
        for (int b = 0; b < bands; b++)
        {
            int r0 = b * rowsPerBand, r1 = Math.Min(pooledRows, r0 + rowsPerBand);
            // Convolution rows [a, e) under pooled rows [r0, r1).
            int windowTop = r0 * pool.StrideH - pool.PadTop;
            int a = Math.Max(0, windowTop), e = Math.Min(p.P, (r1 - 1) * pool.StrideH - pool.PadTop + pool.R);
            if (e <= a) return null;
            // The band's pool: its rows, the padding above the first window and below the last re-expressed.
            int padTop = a - windowTop;
            int padBottom = Math.Max(0, (r1 - 1 - r0) * pool.StrideH + pool.R - padTop - (e - a));
            int padRight = Math.Max(pool.PadRight, (pooledCols - 1) * pool.StrideW + pool.S - pool.PadLeft - p.Q);
            var bandPool = new PoolParams(p.K, e - a, p.Q, pool.R, pool.S, pool.StrideH)
            {
                StrideW = pool.StrideW, PadTop = padTop, PadBottom = padBottom, PadLeft = pool.PadLeft, PadRight = padRight,
            };
            if (padTop >= pool.R || padBottom >= pool.R || padRight >= pool.S || bandPool.P != r1 - r0 || bandPool.Q != pooledCols) return null;
            // The band's convolution: the input rows it reads, with the padding that falls inside them.
            long inTop = (long)a * p.StrideH - p.PadTop, inEnd = (long)(e - 1) * p.StrideH - p.PadTop + (long)(p.R - 1) * p.DilationH + 1;
            int i0 = (int)Math.Max(0, inTop), i1 = (int)Math.Min(p.H, inEnd);
            if (i1 <= i0) return null;
            int convPadTop = (int)(i0 - inTop), convPadBottom = (int)(inEnd - i1);
            var key = (i1 - i0, convPadTop, convPadBottom, e - a);
            if (!convs.TryGetValue(key, out var conv))
            {
                var bp = p with { H = i1 - i0, PadTop = convPadTop, PadBottom = convPadBottom };
                if (bp.P != e - a || bp.Q != p.Q || !ConvAlgorithmChooser.Supports(algorithm, bp)) return null;
                if (!create) continue;
                convs[key] = conv = PreparedConv.Create(algorithm, bp, weights, bias, activation);
            }
            result[b] = new Band { FirstPooledRow = r0, InputRow = i0, InputRows = i1 - i0, Conv = conv, Pool = bandPool };
        }
        return create ? new PooledConv(p, pool, rowsPerBand, result) : Empty;
    }

    private int PerThread => _inputFloats + _convFloats + _convScratch + _poolScratch + 16;

    /// <summary>Scratch floats for <paramref name="threads"/> threads.</summary>
    public long ScratchElements(int threads) => (long)threads * PerThread;

    /// <summary>
    /// Runs <paramref name="batch"/> images: input batch × C × H × W, output image n (K × P' × Q') at
    /// <c>output[n · <paramref name="outputImageStride"/> …]</c> (wider than an image when it is a slice of a
    /// concatenation written in place, as DenseNet's first block reads its stem).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short or the stride is smaller than an image.</exception>
    public void Execute(ReadOnlySpan<float> input, int batch, Span<float> output, long outputImageStride, Scheduler? scheduler, Span<float> scratch)
    {
        scheduler ??= Scheduler.Inline;
        long outImage = (long)_pool.C * _pool.P * _pool.Q;
        if (batch <= 0) throw new ArgumentException($"conv+pool {_p}: batch must be positive, got {batch}.");
        if (outputImageStride < outImage) throw new ArgumentException($"conv+pool {_p}: the output image stride {outputImageStride} is smaller than an image ({outImage}).");
        if (input.Length < batch * _p.InputElements) throw new ArgumentException($"conv+pool {_p}: input needs {batch * _p.InputElements} values, got {input.Length}.");
        if (output.Length < (batch - 1) * outputImageStride + outImage) throw new ArgumentException($"conv+pool {_p}: output needs {(batch - 1) * outputImageStride + outImage} values, got {output.Length}.");
        if (scratch.Length < ScratchElements(scheduler.ThreadCount)) throw new ArgumentException($"conv+pool {_p}: scratch needs {ScratchElements(scheduler.ThreadCount)} floats, got {scratch.Length}.");
        fixed (float* x = input) fixed (float* y = output) fixed (float* s = scratch)
            scheduler.For(batch * _bands, new BandBody { Layer = this, X = x, Y = y, OutStride = outputImageStride, Scratch = s });
    }

    private struct BandBody : IParallelBody
    {
        public PooledConv Layer;
        public float* X, Y, Scratch;
        public long OutStride;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            var layer = Layer;
            var p = layer._p;
            float* inBuf = (float*)(((nint)(Scratch + (long)thread * layer.PerThread) + 63) & ~(nint)63);
            float* convOut = inBuf + layer._inputFloats;
            float* convScratch = convOut + layer._convFloats;
            float* poolScratch = convScratch + layer._convScratch;
            long plane = (long)p.H * p.W, pooledPlane = (long)layer._pool.P * layer._pool.Q;
            for (int item = begin; item < end; item++)
            {
                int n = item / layer._bands;
                var band = layer._band[item % layer._bands];
                // The band's input rows, channel by channel, as one contiguous image of InputRows rows.
                long rows = (long)band.InputRows * p.W;
                float* src = X + n * p.InputElements + (long)band.InputRow * p.W;
                for (int c = 0; c < p.C; c++)
                    new ReadOnlySpan<float>(src + c * plane, (int)rows).CopyTo(new Span<float>(inBuf + c * rows, (int)rows));
                var conv = band.Conv;
                conv.Execute(new ReadOnlySpan<float>(inBuf, (int)conv.Params.InputElements), 1,
                    new Span<float>(convOut, (int)conv.Params.OutputElements), default, Scheduler.Inline,
                    new Span<float>(convScratch, layer._convScratch));
                Pooling.MaxPlanes(convOut, band.Pool, Y + n * OutStride + (long)band.FirstPooledRow * layer._pool.Q,
                    pooledPlane, poolScratch);
            }
        }
    }
}
