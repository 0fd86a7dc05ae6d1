// Dimension legend: N batch · C in-channels · K out-channels · P×Q output · G groups · Kd = C/G·R·S GEMM depth.
// Folded: out_g[K/G × (n·PQ)] = W_g · B_g[Kd × (n·PQ)], B's column b·PQ + j = image b's pixel j.
using System.Numerics;
using System.Runtime.CompilerServices;
using SharpConv.Kernels.Gemm;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// Batch folding for layers with small output maps: the images of a batch become the columns of ONE GEMM instead of
/// one GEMM each. A 7×7 map is 49 columns — two 32-wide micro-tiles, a quarter of them padding, and one partial tile
/// per row panel — while 8 images make 392 columns that tile almost exactly and split evenly over threads.
/// <para>
/// Steps: (1) B is gathered into scratch, image after image along the columns (for 1×1 stride-1 layers a copy of the
/// input planes, otherwise the im2col rows, strided and padded); (2) the GEMM writes <c>W·B + bias</c> to a scratch
/// C; (3) a scatter puts each image's columns back into NCHW, adding the residual and clamping on the way. Each output
/// is the same FMA chain over the same K blocks, then <c>+bias</c>, <c>+residual</c>, clamp, in the same order as
/// the unfolded store, so the result is bit-identical to the unfolded path (tested).
/// </para>
/// Images are folded in chunks so the scratch stays bounded (<see cref="MaxScratchFloats"/>).
/// </summary>
internal static unsafe class BatchFold
{
    /// <summary>Upper bound of the B and C scratch of one chunk (16 MiB): a chunk of images stays in L3.</summary>
    internal const long MaxScratchFloats = 4L << 20;

    /// <summary>Folding on or off (a measurement knob for the perf probes; results are the same either way).</summary>
    internal static bool Enabled = true;

    /// <summary>Overrides the rule for every layer (a measurement knob for the perf probes).</summary>
    internal static bool? Force;

    /// <summary>
    /// True when folding pays: more than one image, per-image tiling wastes over 5 % of the columns in padding, and
    /// more than 16 output channels. The padding is counted in <paramref name="columnStep"/> columns: the vector's lanes
    /// where a partial last panel runs a masked tail kernel (<see cref="GemmKernel.ColumnStep"/>), else whole panels.
    /// With 16-lane tails that folds 7×7 (49 of 64 columns) and 14×14 maps (196 of 208), not 13×13 (169 of 176) or
    /// 27×27 (729 of 736). Measured at batch 8 on 2 threads (perf/KernelProbe <c>folds</c>, ms folded vs per image):
    /// GoogLeNet's 480→192 @14 1.60 vs 2.03, 832→48 @7 0.26 vs 0.54, ResNet-50's 1024→256 @14 4.68 vs 5.01; per image
    /// now faster on SqueezeNet's 13×13 and 27×27 layers (the classifier 512→1000 @13 6.92 vs 7.48, 64→256 @13 0.25 vs
    /// 0.32, 256→32 @27 0.55 vs 0.69), whose partial panels the masked tails made cheap. Depends on the shape, the batch
    /// and the instruction set only, never on threads.
    /// </summary>
    public static bool Pays(in ConvParams p, int batch, int columnStep)
    {
        if (!Enabled || batch <= 1) return false;
        if (Force is { } forced) return forced && ImagesPerChunk(p, batch) >= 2;
        int pq = p.P * p.Q;
        int padded = (pq + columnStep - 1) / columnStep * columnStep;
        return (padded - pq) > 0.05 * pq && p.K / p.Groups > 16 && ImagesPerChunk(p, batch) >= 2;
    }

    /// <summary>Images per chunk: as many as fit <see cref="MaxScratchFloats"/>, at most the batch, at least 1.</summary>
    public static int ImagesPerChunk(in ConvParams p, int batch)
    {
        long perImage = PerImageFloats(p);
        return (int)Math.Clamp(MaxScratchFloats / Math.Max(1, perImage), 1, batch);
    }

    private static long PerImageFloats(in ConvParams p)
    {
        long depth = (long)p.C / p.Groups * p.R * p.S;
        return (depth * p.Groups + p.K) * p.P * p.Q;
    }

    /// <summary>Scratch floats for folding <paramref name="batch"/> images (B + C of one chunk, then the GEMM's).</summary>
    public static long ScratchElements(in ConvParams p, int batch, int threads)
        => PerImageFloats(p) * ImagesPerChunk(p, batch) + 64 + PackedGemm.ScratchElements(threads);

    /// <summary>Runs the layer folded. <paramref name="source"/> yields im2col rows per image (as the unfolded path
    /// reads them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TB>(PackedMatrix w, in ConvParams p, TB source, int batch, float* output, long outStride, float* residual,
        float* bias, Activation activation, Scheduler scheduler, float* scratch) where TB : struct, IBSource
    {
        int pq = p.P * p.Q, g = p.Groups, m = p.K / g;
        int depth = p.C / g * p.R * p.S;
        int chunk = ImagesPerChunk(p, batch);
        float* bBuf = scratch;
        float* cBuf = bBuf + (long)g * depth * chunk * pq;
        float* gemmScratch = (float*)(((nint)(cBuf + (long)p.K * chunk * pq) + 63) & ~(nint)63);
        for (int b0 = 0; b0 < batch; b0 += chunk)
        {
            int n = Math.Min(chunk, batch - b0);
            int cols = n * pq;
            scheduler.For(g * depth * n, new GatherBody<TB>
            {
                Source = source, Dst = bBuf, Depth = depth, Images = n, FirstImage = b0, Pq = pq, Cols = cols,
            });
            var job = new GemmJob
            {
                Batch = 1, N = cols,
                C = cBuf, Ldc = cols, CGroupStride = (long)m * cols, CBatchStride = 0,
                Bias = bias, Residual = null, Activation = Activation.None, Scratch = gemmScratch,
            };
            var src = new MatrixSource { B = bBuf, Ldb = cols, GroupStride = (long)depth * cols, BatchStride = 0 };
            PackedGemm.Run(w, ref job, src, scheduler);
            scheduler.For(p.K * n, new ScatterBody
            {
                C = cBuf, Cols = cols, Pq = pq, Channels = p.K, OutStride = outStride,
                Output = output + b0 * outStride, Residual = residual == null ? null : residual + b0 * outStride,
                Activation = activation,
            });
        }
    }

    /// <summary>Item = (group, depth row, image): that image's PQ values of the row, at its column offset.</summary>
    private struct GatherBody<TB> : IParallelBody where TB : struct, IBSource
    {
        public TB Source;
        public float* Dst;
        public int Depth, Images, FirstImage, Pq, Cols;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            for (int item = begin; item < end; item++)
            {
                int image = item % Images, row = item / Images;
                int group = row / Depth, k = row % Depth;
                float* dst = Dst + (long)row * Cols + (long)image * Pq;
                Source.CopyRows(FirstImage + image, group, k, k + 1, Pq, dst, Cols);
            }
        }
    }

    /// <summary>Item = (image, channel): <c>out = clamp(C + residual)</c> for that plane.</summary>
    private struct ScatterBody : IParallelBody
    {
        public float* C, Output, Residual;
        public int Cols, Pq, Channels;
        public long OutStride;
        public Activation Activation;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, int thread)
        {
            bool clamp = !Activation.IsIdentity;
            var lo = new Vector<float>(Activation.Min);
            var hi = new Vector<float>(Activation.Max);
            int width = Vector<float>.Count;
            for (int item = begin; item < end; item++)
            {
                int image = item / Channels, channel = item % Channels;
                float* c = C + (long)channel * Cols + (long)image * Pq;
                long planeOffset = image * OutStride + (long)channel * Pq;
                float* o = Output + planeOffset;
                float* r = Residual == null ? null : Residual + planeOffset;
                int j = 0;
                for (; j + width <= Pq; j += width)
                {
                    var v = Vector.Load(c + j);
                    if (r != null) v += Vector.Load(r + j);
                    if (clamp) v = Activation.Clamp(v, lo, hi);
                    v.Store(o + j);
                }
                for (; j < Pq; j++)
                {
                    float v = c[j];
                    if (r != null) v += r[j];
                    if (clamp) v = Activation.Apply(v);
                    o[j] = v;
                }
            }
        }
    }
}
