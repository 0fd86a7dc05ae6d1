using System.Numerics.Tensors;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Kernels.Gemm;
using SharpConv.Kernels.Pool;
using SharpConv.Ops;

namespace SharpConv.Compilation;

// The bridge from the graph's ops to the fast kernels of SharpConv.Kernels. Each kernel here is made once per layer at
// compile time (weights packed/transformed then) and only reads its inputs and writes its output at run time.
// Legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups.

/// <summary>
/// The fast kernel for a layer, or null where the reference kernel is the right one (ops that only move memory, or
/// configurations no fast kernel covers).
/// </summary>
internal static class FastKernels
{
    /// <summary>Algorithm names accepted by <see cref="CompileOptions.ConvAlgorithm"/> and <see cref="CompileOptions.LayerAlgorithms"/>.</summary>
    public static readonly IReadOnlyDictionary<string, ConvAlgorithm> ConvAlgorithmNames = new Dictionary<string, ConvAlgorithm>(StringComparer.OrdinalIgnoreCase)
    {
        ["reference"] = ConvAlgorithm.Reference, ["im2col"] = ConvAlgorithm.Im2ColGemm, ["im2colgemm"] = ConvAlgorithm.Im2ColGemm,
        ["pointwise"] = ConvAlgorithm.Pointwise, ["winograd23"] = ConvAlgorithm.Winograd23, ["winograd43"] = ConvAlgorithm.Winograd43,
        ["winograd25"] = ConvAlgorithm.Winograd25,
        ["depthwise"] = ConvAlgorithm.Depthwise, ["direct"] = ConvAlgorithm.Direct,
    };

    /// <summary>The display name of an algorithm (the inverse of <see cref="ConvAlgorithmNames"/>).</summary>
    public static string NameOf(ConvAlgorithm a) => a switch
    {
        ConvAlgorithm.Im2ColGemm => "im2col",
        _ => a.ToString().ToLowerInvariant(),
    };

    public static Kernel? Create(CompiledNode node, Shape[] inputShapes, Shape output, CompileOptions options, string? forced)
    {
        var (main, residual, epilogue) = node.Op switch
        {
            FusedOp f => (f.Main, f.HasResidual, f.Epilogue),
            _ => (node.Op, false, Epilogue.None),
        };
        var inputMap = node.Op is FusedOp { Prologue: { } norm } fp ? ToInputAffine(norm, fp.PrologueClamp) : null;
        return main switch
        {
            Conv2d conv => ConvKernel.Create(node.Name, node.DisplayName, conv, inputShapes[0], residual, epilogue, inputMap, options, forced),
            Linear lin when !residual => new LinearKernel(lin, epilogue, options.Threads, inputShapes[0][0]),
            MaxPool2d pool when PoolKernel.Fits(pool.Window) => new PoolKernel(pool.Window, true, true, inputShapes[0], options.Threads),
            ConvMaxPool fused => ConvPoolKernel.Create(fused, inputShapes[0], options.Threads),
            AvgPool2d pool when PoolKernel.Fits(pool.Window) => new PoolKernel(pool.Window, false, pool.CountIncludePad, inputShapes[0], options.Threads),
            GlobalAvgPool when inputShapes[0].Rank >= 3 => new GlobalAveragePoolKernel(),
            Relu => new ClampKernel(Epilogue.Relu),
            Clip c when c.Min <= c.Max => new ClampKernel(new Epilogue(c.Min, c.Max)),
            BatchNorm bn when inputShapes[0].Rank >= 2 => new ScaleShiftKernel(bn, epilogue),
            Concat c when inputShapes[0].Rank >= 1 => new ConcatKernel(c.Axis < 0 ? c.Axis + inputShapes[0].Rank : c.Axis),
            Softmax s when (s.Axis == -1 || s.Axis == inputShapes[0].Rank - 1) => new SoftmaxKernel(),
            Add when inputShapes[0] == inputShapes[1] => new AddKernel(),
            _ => null,
        };
    }

    public static Activation ToActivation(Epilogue e) => new(e.Min, e.Max);

    private static InputAffine ToInputAffine(BatchNorm bn, Epilogue clamp)
    {
        var (scale, shift) = bn.AsAffine();
        return new InputAffine(scale, shift, ToActivation(clamp));
    }
}

/// <summary>
/// A convolution on one of the <see cref="PreparedConv"/> algorithms, with bias, residual and clamp fused. The algorithm
/// is chosen per batch size (<see cref="ConvAlgorithmChooser"/> weighs Winograd's tiles by the batch: a 7×7 map is too
/// small for it at batch 1 and pays at batch 8), so a layer holds one prepared variant per algorithm its planned batch
/// sizes use, prepared when a plan for that batch is made — never during a run.
/// </summary>
internal sealed class ConvKernel : Kernel
{
    private readonly ConvParams _p;
    private readonly Conv2d _conv;
    private readonly Activation _activation;
    private readonly ConvAlgorithm? _forced;
    private readonly bool _winogradSafe;
    private readonly bool _residual;
    private readonly InputAffine? _inputMap;
    private readonly int _threads;
    private readonly ConvAlgorithm _declared;
    private readonly PreparedConv?[] _prepared = new PreparedConv?[Enum.GetValues<ConvAlgorithm>().Length];
    private readonly Lock _prepareLock = new();

    private ConvKernel(in ConvParams p, Conv2d conv, Activation activation, InputAffine? inputMap, ConvAlgorithm? forced, bool residual, int threads, int declaredBatch)
    {
        _p = p; _conv = conv; _activation = activation; _inputMap = inputMap; _forced = forced; _residual = residual; _threads = threads;
        _winogradSafe = WinogradSafe(conv.Weight.Value.Span);
        _declared = ChooseFor(declaredBatch);
        Prepared(_declared);   // pack the weights now, at compile time, for the declared batch
    }

    /// <summary>The kernel-level shape of <paramref name="conv"/> on <paramref name="input"/>.</summary>
    internal static ConvParams ParamsOf(Conv2d conv, Shape input) =>
        new(conv.InChannels, input.H, input.W, conv.OutChannels, conv.KernelH, conv.KernelW, groups: conv.Groups)
        {
            StrideH = conv.StrideH, StrideW = conv.StrideW,
            PadTop = conv.Padding.Top, PadLeft = conv.Padding.Left, PadBottom = conv.Padding.Bottom, PadRight = conv.Padding.Right,
            DilationH = conv.DilationH, DilationW = conv.DilationW,
        };

    public static ConvKernel Create(string node, string nodeDisplay, Conv2d conv, Shape input, bool residual, Epilogue epilogue,
        InputAffine? inputMap, CompileOptions options, string? forced)
    {
        var p = ParamsOf(conv, input);
        ConvAlgorithm? fixedAlgorithm = null;
        if (forced is not null)
        {
            if (!FastKernels.ConvAlgorithmNames.TryGetValue(forced, out var algorithm))
                throw new InvalidLayerException(nodeDisplay, $"unknown convolution algorithm '{forced}'; known: {string.Join(", ", FastKernels.ConvAlgorithmNames.Keys)}.");
            if (ConvAlgorithmChooser.Supports(algorithm, p)) fixedAlgorithm = algorithm;
            else if (options.LayerAlgorithms.ContainsKey(node) || options.LayerAlgorithms.ContainsKey(nodeDisplay))
                // A per-layer choice that cannot run is an error; a global one applies where it can.
                throw new InvalidLayerException(nodeDisplay, $"algorithm '{forced}' cannot run this layer: {ConvAlgorithmChooser.WhyNot(algorithm, p)}.");
        }
        return new ConvKernel(p, conv, FastKernels.ToActivation(epilogue), inputMap, fixedAlgorithm, residual, options.Threads, input.N);
    }

    /// <summary>The algorithm this layer runs at <paramref name="batch"/> images: the forced one, else the chooser's,
    /// with Winograd refused for weights it cannot handle exactly.</summary>
    private ConvAlgorithm ChooseFor(int batch)
    {
        var algorithm = _forced ?? ConvAlgorithmChooser.Choose(_p, batch, _residual);
        if (ConvAlgorithmChooser.IsWinograd(algorithm) && !_winogradSafe) algorithm = ConvAlgorithm.Im2ColGemm;
        // A normalised input is read by the two kernels that take an input map (the fusion pass admits only 1×1 layers).
        if (_inputMap != null && algorithm is not (ConvAlgorithm.Pointwise or ConvAlgorithm.Direct)) algorithm = ConvAlgorithm.Pointwise;
        return algorithm;
    }

    private PreparedConv Prepared(ConvAlgorithm algorithm)
    {
        var prepared = Volatile.Read(ref _prepared[(int)algorithm]);
        if (prepared is not null) return prepared;
        lock (_prepareLock)
        {
            prepared = _prepared[(int)algorithm];
            if (prepared is null)
            {
                ReadOnlySpan<float> bias = _conv.Bias is null ? default : _conv.Bias.Value.Span;
                prepared = PreparedConv.Create(algorithm, _p, _conv.Weight.Value.Span, bias, _activation, inputMap: _inputMap);
                Volatile.Write(ref _prepared[(int)algorithm], prepared);
            }
            return prepared;
        }
    }

    /// <summary>
    /// Winograd computes the exact convolution only in exact arithmetic: its transforms add and subtract products of
    /// weights with several input positions, and in float32 the rounding error scales with the largest weight, not with
    /// the result. Trained weights are far below the bound; a corrupted or hostile file (a weight of 1e30 found by
    /// fuzzing gave 1e31 where the answer was 0.56) must not silently get a wrong answer, so such layers use im2col.
    /// </summary>
    internal static bool WinogradSafe(ReadOnlySpan<float> weights)
    {
        const float Bound = 1e6f;
        float max = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(weights);
        return float.IsFinite(max) && MathF.Abs(max) < Bound;
    }

    public override string Algorithm => FastKernels.NameOf(_declared);

    public override string AlgorithmFor(IReadOnlyList<Shape> inputs, Shape output) => FastKernels.NameOf(ChooseFor(output.N));

    // Called when a plan for this batch size is made: prepares the variant it will run.
    public override long ScratchElements(IReadOnlyList<Shape> inputs, Shape output) => Prepared(ChooseFor(output.N)).ScratchElements(output.N, _threads);

    internal override long PartScratchElements(IReadOnlyList<Shape> inputs, Shape output, int planBatch, int threads) =>
        Prepared(ChooseFor(planBatch)).ScratchElements(output.N, threads);

    internal override bool ImageWise => true;
    internal override long WeightElements => _conv.Weight.Value.Length;

    // The residual shares the output's layout, so only a layer without one writes into a concatenation.
    internal override bool WritesImageStrided => !_residual;

    // A layer with an input map runs on the pointwise or direct kernel, which read a slice of a concatenation in place
    // (DenseNet's dense layers read their prefix of the block).
    internal override bool ReadsImageStrided => _inputMap != null && !_residual;

    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context) =>
        Prepared(ChooseFor(context.PlanBatch)).Execute(inputs[0].Span, inputs[0].ImageStride, output.Shape.N, output.Span, output.ImageStride,
            _residual ? inputs[1].Span : default, context.Scheduler, context.Scratch.Span);
}

/// <summary>
/// A fully connected layer. At small batch (the compiled batch ≤ <see cref="GemvMaxBatch"/>, Vector512 or Vector256 accelerated)
/// a <see cref="PackedGemv"/>: memory-bound matrix–vector products on X and Y as they are, no transposes. Otherwise
/// one packed GEMM <c>Yᵀ[out × N] = W[out × in] · Xᵀ[in × N]</c>, X and Y transposed through scratch (a small cost
/// next to the GEMM; at batch 1 Xᵀ is X itself). Both sum every element in the same order (bit-identical results).
/// Only one packing is kept (FC weights are the biggest tensors of AlexNet/VGG); a batch other than the compiled one
/// runs on the same packing (correct, maybe slower).
/// </summary>
internal sealed class LinearKernel : Kernel
{
    /// <summary>Largest compiled batch that gets the GEMV path (measured: GEMM's 32-column tile wastes work below).</summary>
    internal static int GemvMaxBatch = 16;

    private readonly PackedMatrix? _weights;
    private readonly PackedGemv? _gemv;
    private readonly float[] _bias;
    private readonly Activation _activation;
    private readonly int _in, _out, _threads;

    public LinearKernel(Linear lin, Epilogue epilogue, int threads, int batch)
    {
        _in = lin.InFeatures; _out = lin.OutFeatures; _threads = threads;
        if (PackedGemv.IsSupported && batch <= GemvMaxBatch) _gemv = new PackedGemv(lin.Weight.Value.Span, _out, _in);
        else _weights = PackedMatrix.Pack(lin.Weight.Value.Span, _out, _in);
        _bias = lin.Bias is null ? new float[_out] : lin.Bias.Value.ToArray();
        _activation = FastKernels.ToActivation(epilogue);
    }

    public override string Algorithm => _gemv is null ? "gemm" : "gemv";

    public override long ScratchElements(IReadOnlyList<Shape> inputs, Shape output)
    {
        if (_gemv is not null) return 0;
        long n = output[0];
        return (n == 1 ? 0 : n * (_in + _out)) + PackedGemm.ScratchElements(_threads);
    }

    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context)
    {
        int n = output.Shape[0];
        if (_gemv is not null)
        {
            _gemv.Multiply(inputs[0].Span, n, output.Span, _bias, _activation, context.Scheduler);
            return;
        }
        var weights = _weights!;
        var scratch = context.Scratch.Span;
        if (n == 1)
        {
            PackedGemm.Multiply(weights, inputs[0].Span, 1, output.Span, _bias, default, _activation, context.Scheduler, scratch);
            return;
        }
        var xT = scratch[..(n * _in)];
        var yT = scratch.Slice(n * _in, n * _out);
        var x = inputs[0].Span; var y = output.Span;
        for (int b = 0; b < n; b++)
            for (int f = 0; f < _in; f++) xT[f * n + b] = x[b * _in + f];
        PackedGemm.Multiply(weights, xT, n, yT, _bias, default, _activation, context.Scheduler, scratch[(n * (_in + _out))..]);
        for (int o = 0; o < _out; o++)
            for (int b = 0; b < n; b++) y[b * _out + o] = yT[o * n + b];
    }
}

/// <summary>Max or average pooling on the vectorised pooling kernel.</summary>
internal sealed class PoolKernel : Kernel
{
    private readonly PoolParams _p;
    private readonly bool _max;
    private readonly int _threads;

    public static bool Fits(PoolWindow w) => w.DilationH == 1 && w.DilationW == 1;

    public PoolKernel(PoolWindow w, bool max, bool countIncludePad, Shape input, int threads)
    {
        _p = ParamsOf(w, input.C, input.H, input.W, countIncludePad);
        _max = max; _threads = threads;
    }

    /// <summary>The kernel-level parameters of window <paramref name="w"/> over C planes of H×W.</summary>
    internal static PoolParams ParamsOf(PoolWindow w, int c, int h, int width, bool countIncludePad = false) =>
        new(c, h, width, w.KernelH, w.KernelW, w.StrideH, 0, w.CeilMode, countIncludePad)
        {
            StrideW = w.StrideW, PadTop = w.Padding.Top, PadLeft = w.Padding.Left, PadBottom = w.Padding.Bottom, PadRight = w.Padding.Right,
        };

    public override string Algorithm => _max ? "maxpool" : "avgpool";
    public override long ScratchElements(IReadOnlyList<Shape> inputs, Shape output) => Pooling.ScratchElements(_p, _threads);
    internal override long PartScratchElements(IReadOnlyList<Shape> inputs, Shape output, int planBatch, int threads) => Pooling.ScratchElements(_p, threads);
    internal override bool ImageWise => true;
    internal override bool WritesImageStrided => true;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context)
    {
        if (_max) Pooling.Max(inputs[0].Span, output.Shape.N, _p, output.Span, output.ImageStride, context.Scheduler, context.Scratch.Span);
        else Pooling.Average(inputs[0].Span, output.Shape.N, _p, output.Span, output.ImageStride, context.Scheduler, context.Scratch.Span);
    }
}

/// <summary>A convolution and the max pool after it, band by band (<see cref="PooledConv"/>).</summary>
internal sealed class ConvPoolKernel : Kernel
{
    private readonly PooledConv _layer;
    private readonly int _threads;

    private readonly long _weights;

    private ConvPoolKernel(PooledConv layer, int threads, long weights) { _layer = layer; _threads = threads; _weights = weights; }

    internal override long WeightElements => _weights;

    /// <summary>The algorithm the fused convolution runs on, where it can be fused (direct or im2col, bands that cut
    /// the pool exactly); else null.</summary>
    internal static ConvAlgorithm? AlgorithmFor(ConvMaxPool op, Shape input, int batch)
    {
        var p = ConvKernel.ParamsOf(op.Convolution, input);
        var algorithm = ConvAlgorithmChooser.Choose(p, batch);
        return algorithm is ConvAlgorithm.Direct or ConvAlgorithm.Im2ColGemm && PooledConv.Fits(algorithm, p, PoolParamsOf(op.Pool.Window, p))
            ? algorithm : null;
    }

    private static PoolParams PoolParamsOf(PoolWindow w, in ConvParams p) => PoolKernel.ParamsOf(w, p.K, p.P, p.Q);

    public static ConvPoolKernel Create(ConvMaxPool op, Shape input, int threads)
    {
        var conv = op.Convolution;
        var p = ConvKernel.ParamsOf(conv, input);
        var algorithm = AlgorithmFor(op, input, input.N)
            ?? throw new InvalidOperationException($"{op.Describe()}: the fusion pass admitted a layer the fused kernel cannot run.");
        ReadOnlySpan<float> bias = conv.Bias is null ? default : conv.Bias.Value.Span;
        // Two bands an image, or as many as the threads need at the compiled batch (the cut never changes the bits).
        int bands = Math.Max(2, (threads + input.N - 1) / input.N);
        var layer = PooledConv.TryCreate(algorithm, p, conv.Weight.Value.Span, bias, FastKernels.ToActivation(op.Epilogue), PoolParamsOf(op.Pool.Window, p), bands)!;
        return new ConvPoolKernel(layer, threads, conv.Weight.Value.Length);
    }

    public override string Algorithm => $"{FastKernels.NameOf(_layer.Algorithm)}+maxpool";
    public override long ScratchElements(IReadOnlyList<Shape> inputs, Shape output) => _layer.ScratchElements(_threads);
    internal override long PartScratchElements(IReadOnlyList<Shape> inputs, Shape output, int planBatch, int threads) => _layer.ScratchElements(threads);
    internal override bool ImageWise => true;
    internal override bool WritesImageStrided => true;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context) =>
        _layer.Execute(inputs[0].Span, output.Shape.N, output.Span, output.ImageStride, context.Scheduler, context.Scratch.Span);
}

/// <summary>Global average pooling: one vectorised sum per plane.</summary>
internal sealed class GlobalAveragePoolKernel : Kernel
{
    public override string Algorithm => "vector";
    internal override bool ImageWise => true;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context)
    {
        var s = inputs[0].Shape;
        Pooling.GlobalAverage(inputs[0].Span, s.N, s.C, (int)s.ElementsFrom(2), output.Span, context.Scheduler);
    }
}

/// <summary>ReLU or a clamp, vectorised, split over the run's threads.</summary>
internal sealed class ClampKernel(Epilogue epilogue) : Kernel
{
    private readonly Activation _activation = FastKernels.ToActivation(epilogue);
    public override string Algorithm => "vector";
    internal override bool ImageWise => true;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context) =>
        ParallelElementwise.Clamp(inputs[0].Span, output.Span, _activation, context.Scheduler);
}

/// <summary>An unfolded BatchNorm as a per-channel scale and shift, with the clamp that followed it fused: one pass,
/// split over (image, channel) planes.</summary>
internal sealed class ScaleShiftKernel : Kernel
{
    private readonly float[] _scale, _shift;
    private readonly Activation _activation;
    public ScaleShiftKernel(BatchNorm bn, Epilogue epilogue)
    {
        var (scale, shift) = bn.AsAffine();
        _scale = GC.AllocateArray<float>(scale.Length, pinned: true);
        _shift = GC.AllocateArray<float>(shift.Length, pinned: true);
        scale.CopyTo(_scale); shift.CopyTo(_shift);
        _activation = FastKernels.ToActivation(epilogue);
    }
    public override string Algorithm => "vector";
    internal override bool ImageWise => true;
    internal override bool ReadsImageStrided => true;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context)
    {
        var s = inputs[0].Shape;
        ParallelElementwise.ScaleShift(inputs[0].Span, inputs[0].ImageStride, output.Span, s[0], s[1], (int)s.ElementsFrom(2), _scale, _shift, _activation, context.Scheduler);
    }
}

/// <summary>Concatenation: each input's block copied into place, the copies split over the run's threads. Along
/// channels, inputs and output may be image-strided views (the plan wrote some inputs into place already; those
/// copies are skipped).</summary>
internal sealed class ConcatKernel(int axis) : Kernel
{
    public override string Algorithm => "vector";
    internal override bool ImageWise => axis >= 1;
    internal override bool WritesImageStrided => axis == 1;
    internal override bool ReadsImageStrided => axis == 1;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context)
    {
        var os = output.Shape;
        long inner = os.ElementsFrom(axis + 1), outer = os.ElementCount / Math.Max(1, os[axis] * inner);
        bool images = axis == 1;   // along channels a block is one image's slice: views keep their image strides
        long offset = 0;
        foreach (var input in inputs)
        {
            long block = input.Shape[axis] * inner;
            ParallelElementwise.CopyBlocks(input.Span, images ? input.ImageStride : block, output.Span, (int)outer, block,
                images ? output.ImageStride : os[axis] * inner, offset, context.Scheduler);
            offset += block;
        }
    }
}

/// <summary>Element-wise sum of two same-shaped tensors (residuals the conv could not absorb).</summary>
internal sealed class AddKernel : Kernel
{
    public override string Algorithm => "vector";
    internal override bool ImageWise => true;
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context) =>
        ParallelElementwise.Add(inputs[0].Span, inputs[1].Span, output.Span, context.Scheduler);
}

/// <summary>Softmax over the last (contiguous) axis.</summary>
internal sealed class SoftmaxKernel : Kernel
{
    public override string Algorithm => "vector";
    public override void Execute(ReadOnlySpan<Tensor> inputs, Tensor output, RunContext context)
    {
        int length = inputs[0].Shape[-1];
        Elementwise.Softmax(inputs[0].Span, output.Span, inputs[0].Length / Math.Max(1, length), length);
    }
}
