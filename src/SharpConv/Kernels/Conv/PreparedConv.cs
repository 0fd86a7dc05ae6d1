using System.Runtime.CompilerServices;
using SharpConv.Runtime;

namespace SharpConv.Kernels.Conv;

/// <summary>
/// A convolution ready to run: weights transformed/packed once by <see cref="Create"/> (the "compile" step),
/// then <see cref="Execute(ReadOnlySpan{float}, int, Span{float}, ReadOnlySpan{float}, Scheduler, Span{float})"/> many times. Bias and activation are fused into the store; an optional residual
/// (shaped like the output) is added before the activation: <c>out = act(conv(x) + bias + residual)</c>.
/// </summary>
public abstract unsafe class PreparedConv
{
    private protected readonly float[] Bias;   // K values (zeros when the layer has none)

    private protected PreparedConv(in ConvParams p, ConvAlgorithm algorithm, ReadOnlySpan<float> bias, Activation activation)
    {
        p.Validate();
        if (!bias.IsEmpty && bias.Length != p.K)
            throw new ArgumentException($"conv {p}: bias needs {p.K} values, got {bias.Length}.");
        Params = p; Algorithm = algorithm; Activation = activation;
        Bias = GC.AllocateArray<float>(p.K, pinned: true);
        bias.CopyTo(Bias);
    }

    /// <summary>The layer's shape.</summary>
    public ConvParams Params { get; }
    /// <summary>The algorithm this object runs.</summary>
    public ConvAlgorithm Algorithm { get; }
    /// <summary>The fused activation.</summary>
    public Activation Activation { get; }
    /// <summary>The per-channel map applied to the input as it is read (an unfolded BatchNorm + clamp before the
    /// layer), or null.</summary>
    public InputAffine? InputMap { get; private set; }

    /// <summary>Whether <see cref="Run"/> reads input images at any stride; the others get one image at a time.</summary>
    private protected virtual bool ReadsStridedInput => false;

    /// <summary>Whether <see cref="Run"/> writes output images at any stride; the others get one image at a time.</summary>
    private protected virtual bool WritesStridedOutput => true;

    /// <summary>Prepares <paramref name="algorithm"/> for the layer (packs/transforms the weights).</summary>
    /// <param name="algorithm">The algorithm; <see cref="ConvAlgorithmChooser.Choose(in ConvParams, int, bool)"/> picks a good one.</param>
    /// <param name="p">The layer's shape.</param>
    /// <param name="weights">K × C/G × R × S values.</param>
    /// <param name="bias">K values, or empty for none.</param>
    /// <param name="activation">Fused clamp (ReLU…), <see cref="Activation.None"/> for none.</param>
    /// <param name="width">Vector width of the GEMM kernels; default the best one (tests force each).</param>
    /// <param name="inputMap">A per-channel affine + clamp applied to the input as it is read (DenseNet's BatchNorm +
    /// ReLU before a 1×1 convolution), or null. Only <see cref="ConvAlgorithm.Pointwise"/> and
    /// <see cref="ConvAlgorithm.Direct"/> with groups 1 and no padding take one.</param>
    /// <exception cref="InvalidLayerException">The shape is invalid.</exception>
    /// <exception cref="ArgumentException">The algorithm cannot run this shape, or a span has the wrong length.</exception>
    public static PreparedConv Create(ConvAlgorithm algorithm, in ConvParams p, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Activation activation, SimdWidth? width = null, InputAffine? inputMap = null)
    {
        p.Validate();
        if (inputMap != null && (algorithm is not (ConvAlgorithm.Pointwise or ConvAlgorithm.Direct) || p.Groups != 1 || inputMap.Channels != p.C
            || p.PadTop != 0 || p.PadLeft != 0 || p.PadBottom != 0 || p.PadRight != 0))
            throw new ArgumentException($"conv {p}: an input map needs the pointwise or direct algorithm, groups 1, no padding and {p.C} channels (got {algorithm}, {inputMap.Channels}).");
        if (weights.Length != p.WeightElements)
            throw new ArgumentException($"conv {p}: weights need {p.WeightElements} values (K·C/G·R·S), got {weights.Length}.");
        if (!ConvAlgorithmChooser.Supports(algorithm, p))
            throw new ArgumentException($"conv {p}: {algorithm} cannot run this shape ({ConvAlgorithmChooser.WhyNot(algorithm, p)}).");
        var w = width ?? SimdSupport.Best;
        PreparedConv conv = algorithm switch
        {
            ConvAlgorithm.Reference => new ReferenceConv(p, weights, bias, activation),
            ConvAlgorithm.Im2ColGemm => new Im2ColGemm(p, weights, bias, activation, w),
            ConvAlgorithm.Pointwise => new Pointwise(p, weights, bias, activation, w),
            ConvAlgorithm.Winograd23 or ConvAlgorithm.Winograd43 or ConvAlgorithm.Winograd25 => new Winograd(p, weights, bias, activation, w, algorithm),
            ConvAlgorithm.Depthwise => new Depthwise(p, weights, bias, activation),
            ConvAlgorithm.Direct => new Direct(p, weights, bias, activation, w),
            _ => throw new ArgumentException($"unknown algorithm {algorithm}"),
        };
        conv.InputMap = inputMap;
        return conv;
    }

    /// <summary>Scratch floats <see cref="Execute(ReadOnlySpan{float}, int, Span{float}, ReadOnlySpan{float}, Scheduler, Span{float})"/> needs for <paramref name="batch"/> images on
    /// <paramref name="threads"/> threads, so the caller can plan memory once.</summary>
    public abstract int ScratchElements(int batch, int threads);

    /// <summary>Runs the convolution on <paramref name="batch"/> NCHW images.</summary>
    /// <param name="input">batch × C × H × W.</param>
    /// <param name="batch">Images (N).</param>
    /// <param name="output">batch × K × P × Q; must not overlap the input.</param>
    /// <param name="residual">Empty, or batch × K × P × Q added before the activation (may alias the output).</param>
    /// <param name="scheduler">Threads; null runs inline.</param>
    /// <param name="scratch">At least <see cref="ScratchElements"/> floats.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public void Execute(ReadOnlySpan<float> input, int batch, Span<float> output, ReadOnlySpan<float> residual,
        Scheduler? scheduler, Span<float> scratch)
        => Execute(input, batch, output, Params.OutputElements, residual, scheduler, scratch);

    /// <summary>
    /// Runs the convolution writing image n at <c>output[n · outputImageStride …]</c>: the layer's K channels of each
    /// image are a slice of a wider tensor (a concatenation the output is written into in place). The residual, if any,
    /// has the same layout.
    /// </summary>
    /// <param name="input">batch × C × H × W.</param>
    /// <param name="batch">Images (N).</param>
    /// <param name="output">(batch − 1) · <paramref name="outputImageStride"/> + K·P·Q values; must not overlap the input.</param>
    /// <param name="outputImageStride">Floats from one output image to the next, at least K·P·Q.</param>
    /// <param name="residual">Empty, or laid out like the output, added before the activation (may alias the output).</param>
    /// <param name="scheduler">Threads; null runs inline.</param>
    /// <param name="scratch">At least <see cref="ScratchElements"/> floats.</param>
    /// <exception cref="ArgumentException">A span is too short or the stride is smaller than an image.</exception>
    public void Execute(ReadOnlySpan<float> input, int batch, Span<float> output, long outputImageStride, ReadOnlySpan<float> residual,
        Scheduler? scheduler, Span<float> scratch)
        => Execute(input, Params.InputElements, batch, output, outputImageStride, residual, scheduler, scratch);

    /// <summary>
    /// Runs the convolution reading input image n at <c>input[n · inputImageStride …]</c> (a slice of a wider
    /// concatenation) and writing output image n at <c>output[n · outputImageStride …]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short or a stride is smaller than an image.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(ReadOnlySpan<float> input, long inputImageStride, int batch, Span<float> output, long outputImageStride,
        ReadOnlySpan<float> residual, Scheduler? scheduler, Span<float> scratch)
    {
        var p = Params;
        if (batch <= 0) throw new ArgumentException($"conv {p}: batch must be positive, got {batch}.");
        if (outputImageStride < p.OutputElements) throw new ArgumentException($"conv {p}: the output image stride {outputImageStride} is smaller than an image ({p.OutputElements}).");
        if (inputImageStride < p.InputElements) throw new ArgumentException($"conv {p}: the input image stride {inputImageStride} is smaller than an image ({p.InputElements}).");
        long outputLength = (batch - 1) * outputImageStride + p.OutputElements;
        long inputLength = (batch - 1) * inputImageStride + p.InputElements;
        if (input.Length < inputLength) throw new ArgumentException($"conv {p}: input needs {inputLength} values, got {input.Length}.");
        if (output.Length < outputLength) throw new ArgumentException($"conv {p}: output needs {outputLength} values, got {output.Length}.");
        if (!residual.IsEmpty && residual.Length < outputLength) throw new ArgumentException($"conv {p}: residual needs {outputLength} values, got {residual.Length}.");
        scheduler ??= Scheduler.Inline;
        int need = ScratchElements(batch, scheduler.ThreadCount);
        if (scratch.Length < need) throw new ArgumentException($"conv {p}: scratch needs {need} floats, got {scratch.Length}.");
        fixed (float* pi = input) fixed (float* po = output) fixed (float* pr = residual) fixed (float* ps = scratch)
        {
            float* res = residual.IsEmpty ? null : pr;
            bool batched = batch == 1 || (inputImageStride == p.InputElements || ReadsStridedInput)
                && (outputImageStride == p.OutputElements || WritesStridedOutput);
            if (batched)
                Run(pi, inputImageStride, batch, po, outputImageStride, res, scheduler, ps);
            else
                for (int b = 0; b < batch; b++)   // correct for every algorithm; the batch-wide ones lose their batching
                    Run(pi + b * inputImageStride, p.InputElements, 1, po + b * outputImageStride, outputImageStride,
                        res == null ? null : res + b * outputImageStride, scheduler, ps);
        }
    }

    /// <summary>The algorithm's body. Input image n starts at <paramref name="inStride"/>·n (always the image size
    /// unless <see cref="ReadsStridedInput"/>), output image n (and its residual) at <paramref name="outStride"/>·n
    /// (always the image size unless <see cref="WritesStridedOutput"/>).</summary>
    private protected abstract void Run(float* input, long inStride, int batch, float* output, long outStride, float* residual, Scheduler scheduler, float* scratch);
}
