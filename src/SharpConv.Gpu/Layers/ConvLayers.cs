using ILGPU;
using SharpConv.Compilation;
using SharpConv.Gpu.Execution;
using SharpConv.Gpu.Kernels;
using SharpConv.Ops;

namespace SharpConv.Gpu.Layers;

// Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups
//                   (Cg = C/G, Kg = K/G) · T Winograd tiles per chunk.

/// <summary>
/// A convolution (plain or with a fused residual and clamp) on one of four algorithms. The choice is a small table —
/// a heuristic written from the kernels' shapes, not measured on a GPU (none was available while writing it):
/// <list type="bullet">
/// <item>groups &gt; 1 with fewer than 8 channels per group on either side (depthwise, ShuffleNet-like): <b>direct</b> — a GEMM would be a sliver;</item>
/// <item>1×1, stride 1, no padding: <b>gemm1x1</b> — the NCHW input already is the GEMM's B matrix;</item>
/// <item>3×3, stride 1, undilated, one group, C ≥ 16 and K ≥ 16: <b>winograd2x3</b> — 2.25× fewer multiplies, transforms amortised;</item>
/// <item>anything else: <b>im2col-gemm</b>.</item>
/// </list>
/// </summary>
internal sealed class ConvLayer : GpuLayer
{
    private readonly Conv2d _conv;
    private readonly bool _residual;
    private readonly Epilogue _epilogue;
    private readonly WeightRef _weight, _bias;
    private readonly bool _hasBias;

    public ConvLayer(string node, Conv2d conv, bool residual, Epilogue epilogue, GpuConvAlgorithm forced, bool forcedForLayer, WeightStore weights, KernelLibrary kernels)
    {
        _conv = conv; _residual = residual; _epilogue = epilogue;
        Choice = Choose(node, conv, forced, forcedForLayer);
        _hasBias = conv.Bias is not null;
        _weight = Choice == GpuConvAlgorithm.Winograd23
            ? weights.Add(conv, WinogradKernels.TransformWeights(conv.Weight.Value.Span, conv.OutChannels, conv.InChannels))
            : weights.Add(conv.Weight.Value, conv.Weight.Value.Span);
        if (_hasBias) _bias = weights.Add(conv.Bias!.Value, conv.Bias.Value.Span);

        // Compile the kernels now: a run must never wait on the JIT.
        switch (Choice)
        {
            case GpuConvAlgorithm.Gemm1x1: _ = kernels.Gemm; break;
            case GpuConvAlgorithm.Im2colGemm: _ = kernels.Im2Col; _ = kernels.Gemm; break;
            case GpuConvAlgorithm.Direct: _ = kernels.DirectConv; break;
            case GpuConvAlgorithm.Winograd23: _ = kernels.WinogradInput; _ = kernels.Gemm; _ = kernels.WinogradOutput; break;
        }
    }

    /// <summary>The algorithm this layer runs.</summary>
    public GpuConvAlgorithm Choice { get; }

    public override string Algorithm => Choice switch
    {
        GpuConvAlgorithm.Gemm1x1 => "gpu-gemm1x1",
        GpuConvAlgorithm.Im2colGemm => "gpu-im2col-gemm",
        GpuConvAlgorithm.Direct => "gpu-direct",
        _ => "gpu-winograd2x3",
    };

    /// <summary>Whether <paramref name="algorithm"/> can compute <paramref name="conv"/>, and if not, why.</summary>
    internal static string? Unsupported(Conv2d conv, GpuConvAlgorithm algorithm) => algorithm switch
    {
        GpuConvAlgorithm.Gemm1x1 when conv.KernelH != 1 || conv.KernelW != 1 || conv.StrideH != 1 || conv.StrideW != 1 || !conv.Padding.IsZero =>
            "gemm1x1 needs a 1×1 kernel, stride 1 and no padding",
        GpuConvAlgorithm.Winograd23 when conv.KernelH != 3 || conv.KernelW != 3 || conv.StrideH != 1 || conv.StrideW != 1
            || conv.DilationH != 1 || conv.DilationW != 1 || conv.Groups != 1 =>
            "winograd2x3 needs a 3×3 kernel, stride 1, dilation 1 and one group",
        _ => null,
    };

    private static GpuConvAlgorithm Choose(string node, Conv2d conv, GpuConvAlgorithm forced, bool forcedForLayer)
    {
        if (forced != GpuConvAlgorithm.Auto)
        {
            string? why = Unsupported(conv, forced);
            if (why is null) return forced;
            if (forcedForLayer) throw new GpuUnsupportedOperatorException(node, conv.Kind, $"algorithm {forced} was forced but {why} ({conv.Describe()}).");
        }
        int cg = conv.InChannels / conv.Groups, kg = conv.OutChannels / conv.Groups;
        if (conv.Groups > 1 && (cg < 8 || kg < 8)) return GpuConvAlgorithm.Direct;
        if (Unsupported(conv, GpuConvAlgorithm.Gemm1x1) is null) return GpuConvAlgorithm.Gemm1x1;
        if (Unsupported(conv, GpuConvAlgorithm.Winograd23) is null && conv.InChannels >= 16 && conv.OutChannels >= 16) return GpuConvAlgorithm.Winograd23;
        return GpuConvAlgorithm.Im2colGemm;
    }

    private ConvArgs Args(CompiledStep step)
    {
        var x = step.InputShapes[0]; var y = step.OutputShape;
        return new ConvArgs
        {
            N = x.N, C = x.C, H = x.H, W = x.W, K = y.C, P = y.H, Q = y.W, R = _conv.KernelH, S = _conv.KernelW,
            StrideH = _conv.StrideH, StrideW = _conv.StrideW, PadTop = _conv.Padding.Top, PadLeft = _conv.Padding.Left,
            DilationH = _conv.DilationH, DilationW = _conv.DilationW,
            Groups = _conv.Groups, Cg = x.C / _conv.Groups, Kg = y.C / _conv.Groups,
            ImageStart = 0, Images = x.N, HasBias = _hasBias ? 1 : 0, HasResidual = _residual ? 1 : 0,
            Min = _epilogue.Min, Max = _epilogue.Max,
        };
    }

    // Images per chunk so that a chunk's scratch stays under the cap (at least one image, whatever it costs).
    private static int ImagesPerChunk(long perImage, int n, long maxScratch) => (int)Math.Clamp(maxScratch / Math.Max(1, perImage), 1, n);

    private long ScratchPerImage(ConvArgs a) => Choice switch
    {
        GpuConvAlgorithm.Im2colGemm => (long)a.C * a.R * a.S * a.P * a.Q,
        GpuConvAlgorithm.Winograd23 => 16L * (a.C + a.K) * ((a.P + 1) / 2) * ((a.Q + 1) / 2),
        _ => 0,
    };

    public override long ScratchElements(CompiledStep step, long maxScratch)
    {
        var a = Args(step);
        long per = ScratchPerImage(a);
        return per == 0 ? 0 : per * ImagesPerChunk(per, a.N, maxScratch);
    }

    public override Action? Bind(BindContext c)
    {
        var a = Args(c.Step);
        var k = c.Kernels;
        var x = c.Inputs[0];
        var y = c.Output;
        var residual = _residual ? c.Inputs[1] : c.Dummy;
        var w = c.Weights[_weight];
        var bias = _hasBias ? c.Weights[_bias] : c.Dummy;
        int pq = a.P * a.Q, hw = a.H * a.W;
        switch (Choice)
        {
            case GpuConvAlgorithm.Direct:
                return () => Launch1D((long)a.N * a.K * pq, n => k.DirectConv(n, a, x, w, bias, residual, y));

            case GpuConvAlgorithm.Gemm1x1:
            {
                // Per group g: Y_g (Kg × N·HW) = W_g (Kg × Cg) · X_g (Cg × N·HW), columns mapped straight onto NCHW.
                var g = new GemmArgs
                {
                    M = a.Kg, N = a.N * hw, K = a.Cg,
                    ABatch = (long)a.Kg * a.Cg, ARow = a.Cg, ACol = 1,
                    BBatch = (long)a.Cg * hw, BRow = hw, BColsPerImage = hw, BImage = (long)a.C * hw, BCol = 1,
                    CBatch = (long)a.Kg * pq, CRow = pq, CColsPerImage = pq, CImage = (long)a.K * pq, CCol = 1,
                    HasBias = a.HasBias, BiasBatch = a.Kg, HasResidual = a.HasResidual, Min = a.Min, Max = a.Max,
                };
                var config = GemmKernel.Config(g, a.Groups);
                return () => k.Gemm(config, g, w, x, y, bias, residual);
            }

            case GpuConvAlgorithm.Im2colGemm:
            {
                int rows = a.C * a.R * a.S, kdim = a.Cg * a.R * a.S;
                int chunk = ImagesPerChunk(ScratchPerImage(a), a.N, c.MaxScratch);
                var launches = new List<Action>();
                for (int start = 0; start < a.N; start += chunk)
                {
                    var ca = a; ca.ImageStart = start; ca.Images = Math.Min(chunk, a.N - start);
                    int cols = ca.Images * pq;
                    var col = c.Scratch.SubView(0, (long)rows * cols);
                    // Per group g: Y_g (Kg × cols) = W_g (Kg × Cg·R·S) · col_g (Cg·R·S × cols); col_g is rows g·Cg·R·S….
                    var g = new GemmArgs
                    {
                        M = a.Kg, N = cols, K = kdim,
                        ABatch = (long)a.Kg * kdim, ARow = kdim, ACol = 1,
                        BBatch = (long)kdim * cols, BRow = cols, BColsPerImage = cols, BImage = 0, BCol = 1,
                        CBatch = (long)a.Kg * pq, CRow = pq, CColsPerImage = pq, CImage = (long)a.K * pq, CCol = 1,
                        HasBias = a.HasBias, BiasBatch = a.Kg, HasResidual = a.HasResidual, Min = a.Min, Max = a.Max,
                    };
                    long outStart = (long)start * a.K * pq, outLength = (long)ca.Images * a.K * pq;
                    var yChunk = y.SubView(outStart, outLength);
                    var rChunk = _residual ? residual.SubView(outStart, outLength) : residual;
                    var config = GemmKernel.Config(g, a.Groups);
                    launches.Add(() =>
                    {
                        Launch1D((long)rows * cols, n => k.Im2Col(n, ca, x, col));
                        k.Gemm(config, g, w, col, yChunk, bias, rChunk);
                    });
                }
                return () => { foreach (var l in launches) l(); };
            }

            default: // Winograd F(2×2, 3×3)
            {
                int tilesPerImage = ((a.P + 1) / 2) * ((a.Q + 1) / 2);
                int chunk = ImagesPerChunk(ScratchPerImage(a), a.N, c.MaxScratch);
                var launches = new List<Action>();
                for (int start = 0; start < a.N; start += chunk)
                {
                    var ca = a; ca.ImageStart = start; ca.Images = Math.Min(chunk, a.N - start);
                    int t = ca.Images * tilesPerImage;
                    var v = c.Scratch.SubView(0, 16L * a.C * t);
                    var m = c.Scratch.SubView(16L * a.C * t, 16L * a.K * t);
                    // 16 independent products M[ξ] (K × T) = U[ξ] (K × C) · V[ξ] (C × T), one per grid Z slice.
                    var g = new GemmArgs
                    {
                        M = a.K, N = t, K = a.C,
                        ABatch = (long)a.K * a.C, ARow = a.C, ACol = 1,
                        BBatch = (long)a.C * t, BRow = t, BColsPerImage = t, BImage = 0, BCol = 1,
                        CBatch = (long)a.K * t, CRow = t, CColsPerImage = t, CImage = 0, CCol = 1,
                        HasBias = 0, HasResidual = 0, Min = float.NegativeInfinity, Max = float.PositiveInfinity,
                    };
                    long outStart = (long)start * a.K * pq, outLength = (long)ca.Images * a.K * pq;
                    var yChunk = y.SubView(outStart, outLength);
                    var rChunk = _residual ? residual.SubView(outStart, outLength) : residual;
                    var config = GemmKernel.Config(g, 16);
                    var dummy = c.Dummy;
                    launches.Add(() =>
                    {
                        Launch1D((long)a.C * t, n => k.WinogradInput(n, ca, x, v));
                        k.Gemm(config, g, w, v, m, dummy, dummy);
                        Launch1D((long)a.K * t, n => k.WinogradOutput(n, ca, m, bias, rChunk, yChunk));
                    });
                }
                return () => { foreach (var l in launches) l(); };
            }
        }
    }
}

/// <summary>A fully connected layer (plain or fused) as one GEMM: Y (Out × N, stored N×Out) = W (Out × In) · Xᵀ.</summary>
internal sealed class LinearLayer : GpuLayer
{
    private readonly Linear _linear;
    private readonly bool _residual;
    private readonly Epilogue _epilogue;
    private readonly WeightRef _weight, _bias;

    public LinearLayer(Linear linear, bool residual, Epilogue epilogue, WeightStore weights, KernelLibrary kernels)
    {
        _linear = linear; _residual = residual; _epilogue = epilogue;
        _weight = weights.Add(linear.Weight.Value, linear.Weight.Value.Span);
        if (linear.Bias is not null) _bias = weights.Add(linear.Bias.Value, linear.Bias.Value.Span);
        _ = kernels.Gemm;
    }

    public override string Algorithm => "gpu-gemm";

    public override Action? Bind(BindContext c)
    {
        int n = c.Step.InputShapes[0][0], inF = _linear.InFeatures, outF = _linear.OutFeatures;
        // Rows are output features, columns are images: B[k, j] = x[j·In + k], C[o, j] = y[j·Out + o].
        var g = new GemmArgs
        {
            M = outF, N = n, K = inF,
            ARow = inF, ACol = 1,
            BRow = 1, BColsPerImage = 1, BImage = inF, BCol = 0,
            CRow = 1, CColsPerImage = 1, CImage = outF, CCol = 0,
            HasBias = _linear.Bias is null ? 0 : 1, HasResidual = _residual ? 1 : 0, Min = _epilogue.Min, Max = _epilogue.Max,
        };
        var k = c.Kernels;
        var w = c.Weights[_weight];
        var bias = _linear.Bias is null ? c.Dummy : c.Weights[_bias];
        var x = c.Inputs[0];
        var residual = _residual ? c.Inputs[1] : c.Dummy;
        var y = c.Output;
        var config = GemmKernel.Config(g, 1);
        return () => k.Gemm(config, g, w, x, y, bias, residual);
    }
}
