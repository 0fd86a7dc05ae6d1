using SharpConv.Compilation;
using SharpConv.Gpu.Execution;
using SharpConv.Gpu.Kernels;
using SharpConv.Ops;

namespace SharpConv.Gpu.Layers;

// Dimension legend: N batch · C channels · H×W input · P×Q output · "area" = elements after the channel axis.

/// <summary>Flatten, Reshape, Dropout: no kernel; the output slot aliases the input's device memory.</summary>
internal sealed class ViewLayer : GpuLayer
{
    public override string Algorithm => "gpu-view";
    public override bool IsView => true;
    public override Action? Bind(BindContext c) => null;
}

/// <summary>Max and average pooling with padding, dilation, ceil mode and count_include_pad.</summary>
internal sealed class PoolLayer : GpuLayer
{
    private readonly PoolWindow _window;
    private readonly bool _max, _countIncludePad;

    public PoolLayer(PoolWindow window, bool max, bool countIncludePad, KernelLibrary kernels)
    {
        _window = window; _max = max; _countIncludePad = countIncludePad;
        _ = max ? kernels.MaxPool : kernels.AvgPool;
    }

    public override string Algorithm => _max ? "gpu-maxpool" : "gpu-avgpool";

    public override Action? Bind(BindContext c)
    {
        var x = c.Step.InputShapes[0]; var y = c.Step.OutputShape; var w = _window;
        var p = new PoolArgs
        {
            H = x.H, W = x.W, P = y.H, Q = y.W, R = w.KernelH, S = w.KernelW, StrideH = w.StrideH, StrideW = w.StrideW,
            PadTop = w.Padding.Top, PadLeft = w.Padding.Left, PadBottom = w.Padding.Bottom, PadRight = w.Padding.Right,
            DilationH = w.DilationH, DilationW = w.DilationW, CountIncludePad = _countIncludePad ? 1 : 0,
        };
        var kernel = _max ? c.Kernels.MaxPool : c.Kernels.AvgPool;
        var xv = c.Inputs[0]; var yv = c.Output;
        return () => Launch1D(y.ElementCount, i => kernel(i, p, xv, yv));
    }
}

/// <summary>Adaptive average pooling to a fixed output size.</summary>
internal sealed class AdaptivePoolLayer : GpuLayer
{
    public AdaptivePoolLayer(KernelLibrary kernels) => _ = kernels.AdaptivePool;
    public override string Algorithm => "gpu-adaptive-avgpool";
    public override Action? Bind(BindContext c)
    {
        var x = c.Step.InputShapes[0]; var y = c.Step.OutputShape;
        var p = new PoolArgs { H = x.H, W = x.W, P = y.H, Q = y.W };
        var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output;
        return () => Launch1D(y.ElementCount, i => k.AdaptivePool(i, p, xv, yv));
    }
}

/// <summary>Global average or max pooling: one thread per (n, c) plane.</summary>
internal sealed class GlobalPoolLayer : GpuLayer
{
    private readonly bool _max;
    public GlobalPoolLayer(bool max, KernelLibrary kernels) { _max = max; _ = kernels.GlobalPool; }
    public override string Algorithm => _max ? "gpu-global-maxpool" : "gpu-global-avgpool";
    public override Action? Bind(BindContext c)
    {
        var x = c.Step.InputShapes[0];
        int area = (int)x.ElementsFrom(2), mode = _max ? 1 : 0;
        var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output;
        return () => Launch1D(c.Step.OutputShape.ElementCount, i => k.GlobalPool(i, area, mode, xv, yv));
    }
}

/// <summary>Unary element-wise ops (ReLU, Clip, LeakyReLU, Sigmoid, Tanh, Scale, Pow).</summary>
internal sealed class UnaryLayer : GpuLayer
{
    private readonly UnaryArgs _args;
    public UnaryLayer(UnaryArgs args, KernelLibrary kernels) { _args = args; _ = kernels.Unary; }
    public override string Algorithm => "gpu-unary";

    /// <summary>The kernel arguments for <paramref name="op"/>, or null when it has no GPU form.</summary>
    public static UnaryArgs? For(Op op) => op switch
    {
        Relu => new UnaryArgs { Code = (int)UnaryCode.Relu },
        Clip c => new UnaryArgs { Code = (int)UnaryCode.Clamp, A = c.Min, B = c.Max },
        LeakyRelu l => new UnaryArgs { Code = (int)UnaryCode.LeakyRelu, A = l.Alpha },
        Sigmoid => new UnaryArgs { Code = (int)UnaryCode.Sigmoid },
        Tanh => new UnaryArgs { Code = (int)UnaryCode.Tanh },
        Scale s => new UnaryArgs { Code = (int)UnaryCode.Affine, A = s.Multiplier, B = s.Offset },
        Pow p => new UnaryArgs { Code = (int)UnaryCode.Pow, A = p.Exponent },
        _ => null,
    };

    public override Action? Bind(BindContext c)
    {
        var a = _args; var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output; long n = c.Step.OutputShape.ElementCount;
        return () => Launch1D(n, i => k.Unary(i, a, xv, yv));
    }
}

/// <summary>Add, Sub, Mul, Div with NumPy broadcasting over up to 6 axes.</summary>
internal sealed class BinaryLayer : GpuLayer
{
    /// <summary>The most axes the broadcasting kernel handles.</summary>
    public const int MaxRank = 6;
    private readonly BinaryCode _code;
    public BinaryLayer(BinaryCode code, KernelLibrary kernels) { _code = code; _ = kernels.Binary; }
    public override string Algorithm => "gpu-binary";

    /// <summary>The kernel code of <paramref name="op"/>, or null when it has no GPU form.</summary>
    public static BinaryCode? For(Op op) => op switch
    {
        Add => BinaryCode.Add, Sub => BinaryCode.Sub, Mul => BinaryCode.Mul, Div => BinaryCode.Div, _ => null,
    };

    public override Action? Bind(BindContext c)
    {
        var sa = c.Step.InputShapes[0]; var sb = c.Step.InputShapes[1]; var so = c.Step.OutputShape;
        var p = new BinaryArgs { Code = (int)_code, Same = sa == sb && sa == so ? 1 : 0 };
        // Right-align the output's axes into the 6 slots; leading unused slots are size 1 with stride 0.
        var d = new int[MaxRank]; var ta = new long[MaxRank]; var tb = new long[MaxRank];
        Array.Fill(d, 1);
        var stridesA = Broadcast.Strides(sa, so); var stridesB = Broadcast.Strides(sb, so);
        for (int i = 0; i < so.Rank; i++)
        {
            int slot = MaxRank - so.Rank + i;
            d[slot] = so[i]; ta[slot] = stridesA[i]; tb[slot] = stridesB[i];
        }
        (p.D0, p.D1, p.D2, p.D3, p.D4, p.D5) = (d[0], d[1], d[2], d[3], d[4], d[5]);
        (p.A0, p.A1, p.A2, p.A3, p.A4, p.A5) = (ta[0], ta[1], ta[2], ta[3], ta[4], ta[5]);
        (p.B0, p.B1, p.B2, p.B3, p.B4, p.B5) = (tb[0], tb[1], tb[2], tb[3], tb[4], tb[5]);
        var k = c.Kernels; var av = c.Inputs[0]; var bv = c.Inputs[1]; var yv = c.Output;
        return () => Launch1D(so.ElementCount, i => k.Binary(i, p, av, bv, yv));
    }
}

/// <summary>The element-wise mean of several same-shaped tensors: one accumulating launch per input.</summary>
internal sealed class MeanLayer : GpuLayer
{
    public MeanLayer(KernelLibrary kernels) => _ = kernels.MeanTerm;
    public override string Algorithm => "gpu-mean";
    public override Action? Bind(BindContext c)
    {
        var k = c.Kernels; var ins = c.Inputs; var yv = c.Output; long n = c.Step.OutputShape.ElementCount;
        float count = ins.Length;
        return () =>
        {
            for (int t = 0; t < ins.Length; t++)
            {
                var xv = ins[t]; int first = t == 0 ? 1 : 0, last = t == ins.Length - 1 ? 1 : 0;
                Launch1D(n, i => k.MeanTerm(i, first, last, count, xv, yv));
            }
        };
    }
}

/// <summary>BatchNorm that was not folded (no convolution before it): its affine form per channel, then the clamp
/// that was fused into it (DenseNet's norm → relu) in place.</summary>
internal sealed class BatchNormLayer : GpuLayer
{
    private readonly WeightRef _scale, _shift;
    private readonly Epilogue _epilogue;
    public BatchNormLayer(BatchNorm bn, Epilogue epilogue, WeightStore weights, KernelLibrary kernels)
    {
        var (a, b) = bn.AsAffine();
        _scale = weights.Add(bn.Scale, a);
        _shift = weights.Add(bn.Shift, b);
        _epilogue = epilogue;
        _ = kernels.ChannelAffine;
        if (!epilogue.IsNone) _ = kernels.Unary;
    }
    public override string Algorithm => "gpu-batchnorm";
    public override Action? Bind(BindContext c)
    {
        var x = c.Step.InputShapes[0];
        int channels = x.C, area = (int)x.ElementsFrom(2);
        var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output; var sv = c.Weights[_scale]; var bv = c.Weights[_shift];
        if (_epilogue.IsNone) return () => Launch1D(x.ElementCount, i => k.ChannelAffine(i, channels, area, xv, sv, bv, yv));
        var clamp = new UnaryArgs { Code = (int)UnaryCode.Clamp, A = _epilogue.Min, B = _epilogue.Max };
        return () =>
        {
            Launch1D(x.ElementCount, i => k.ChannelAffine(i, channels, area, xv, sv, bv, yv));
            Launch1D(x.ElementCount, i => k.Unary(i, clamp, yv, yv));
        };
    }
}

/// <summary>Concatenation along any axis: one block copy per input into its place in the output.</summary>
internal sealed class ConcatLayer : GpuLayer
{
    private readonly Concat _concat;
    public ConcatLayer(Concat concat, KernelLibrary kernels) { _concat = concat; _ = kernels.CopyBlocks; }
    public override string Algorithm => "gpu-concat";
    public override Action? Bind(BindContext c)
    {
        var os = c.Step.OutputShape;
        int axis = _concat.Axis < 0 ? _concat.Axis + os.Rank : _concat.Axis;
        long inner = os.ElementsFrom(axis + 1);
        var k = c.Kernels; var yv = c.Output;
        var launches = new List<Action>();
        long offset = 0;
        for (int t = 0; t < c.Inputs.Length; t++)
        {
            var shape = c.Step.InputShapes[t];
            var p = new CopyArgs { Block = (int)(shape[axis] * inner), OutStride = os[axis] * inner, Offset = offset };
            var xv = c.Inputs[t];
            launches.Add(() => Launch1D(shape.ElementCount, i => k.CopyBlocks(i, p, xv, yv)));
            offset += p.Block;
        }
        return () => { foreach (var l in launches) l(); };
    }
}

/// <summary>ResNet's option-A shortcut (subsample + zero channels).</summary>
internal sealed class ChannelZeroPadLayer : GpuLayer
{
    private readonly ChannelZeroPad _op;
    public ChannelZeroPadLayer(ChannelZeroPad op, KernelLibrary kernels) { _op = op; _ = kernels.ChannelZeroPad; }
    public override string Algorithm => "gpu-zero-pad";
    public override Action? Bind(BindContext c)
    {
        var x = c.Step.InputShapes[0]; var y = c.Step.OutputShape;
        var p = new ZeroPadArgs { C = x.C, H = x.H, W = x.W, OutC = y.C, P = y.H, Q = y.W, Before = _op.Before, Stride = _op.Stride };
        var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output;
        return () => Launch1D(y.ElementCount, i => k.ChannelZeroPad(i, p, xv, yv));
    }
}

/// <summary>Local response normalisation across channels.</summary>
internal sealed class LrnLayer : GpuLayer
{
    private readonly Lrn _lrn;
    public LrnLayer(Lrn lrn, KernelLibrary kernels) { _lrn = lrn; _ = kernels.Lrn; }
    public override string Algorithm => "gpu-lrn";
    public override Action? Bind(BindContext c)
    {
        var x = c.Step.InputShapes[0];
        int before = (_lrn.Size - 1) / 2;
        var p = new LrnArgs
        {
            Channels = x.C, Area = (int)x.ElementsFrom(2), Before = before, After = _lrn.Size - 1 - before,
            K = _lrn.K, AlphaOverSize = _lrn.Alpha / _lrn.Size, Beta = _lrn.Beta,
        };
        var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output;
        return () => Launch1D(x.ElementCount, i => k.Lrn(i, p, xv, yv));
    }
}

/// <summary>Softmax or log-softmax along an axis: one thread per row.</summary>
internal sealed class SoftmaxLayer : GpuLayer
{
    private readonly int _axis;
    private readonly bool _log;
    public SoftmaxLayer(int axis, bool log, KernelLibrary kernels) { _axis = axis; _log = log; _ = kernels.Softmax; }
    public override string Algorithm => _log ? "gpu-log-softmax" : "gpu-softmax";
    public override Action? Bind(BindContext c)
    {
        var s = c.Step.InputShapes[0];
        int axis = _axis < 0 ? _axis + s.Rank : _axis;
        int len = s[axis]; long inner = s.ElementsFrom(axis + 1);
        long rows = s.ElementCount / Math.Max(1, len);
        var p = new SoftmaxArgs { Len = len, Inner = (int)inner, Log = _log ? 1 : 0 };
        var k = c.Kernels; var xv = c.Inputs[0]; var yv = c.Output;
        return () => Launch1D(rows, i => k.Softmax(i, p, xv, yv));
    }
}

/// <summary>Makes the device form of each step, or says precisely why it has none.</summary>
internal static class LayerFactory
{
    /// <summary>The layer for <paramref name="step"/>; throws <see cref="GpuUnsupportedOperatorException"/> naming the node and op.</summary>
    public static GpuLayer Create(CompiledStep step, GpuOptions options, WeightStore weights, KernelLibrary kernels)
    {
        var op = step.Op;
        bool forcedForLayer = options.LayerAlgorithms.TryGetValue(step.Name, out var forced)
            || options.LayerAlgorithms.TryGetValue(step.OutputName, out forced);
        if (!forcedForLayer) forced = options.ConvAlgorithm;
        if (forcedForLayer && forced != GpuConvAlgorithm.Auto && op is not (Conv2d or FusedOp { Main: Conv2d }))
            throw new GpuUnsupportedOperatorException(step.Name, op.Kind, $"algorithm {forced} was forced on a layer that is not a convolution.");

        switch (op)
        {
            case Conv2d conv: return new ConvLayer(step.Name, conv, false, Epilogue.None, forced, forcedForLayer, weights, kernels);
            case FusedOp { Main: Conv2d conv, Prologue: { } norm } f:
                return new InputNormConvLayer(new BatchNormLayer(norm, f.PrologueClamp, weights, kernels),
                    new ConvLayer(step.Name, conv, f.HasResidual, f.Epilogue, forced, forcedForLayer, weights, kernels));
            case FusedOp { Main: Conv2d conv } f: return new ConvLayer(step.Name, conv, f.HasResidual, f.Epilogue, forced, forcedForLayer, weights, kernels);
            case Linear lin: return new LinearLayer(lin, false, Epilogue.None, weights, kernels);
            case FusedOp { Main: Linear lin } f: return new LinearLayer(lin, f.HasResidual, f.Epilogue, weights, kernels);
            case Flatten or Reshape or Dropout: return new ViewLayer();
            case MaxPool2d m: return new PoolLayer(m.Window, max: true, countIncludePad: false, kernels);
            case AvgPool2d a: return new PoolLayer(a.Window, max: false, a.CountIncludePad, kernels);
            case AdaptiveAvgPool2d: return new AdaptivePoolLayer(kernels);
            case GlobalAvgPool: return new GlobalPoolLayer(max: false, kernels);
            case GlobalMaxPool: return new GlobalPoolLayer(max: true, kernels);
            case BatchNorm bn: return new BatchNormLayer(bn, Epilogue.None, weights, kernels);
            case FusedOp { Main: BatchNorm bn } f: return new BatchNormLayer(bn, f.Epilogue, weights, kernels);
            case Concat concat: return new ConcatLayer(concat, kernels);
            case ChannelZeroPad pad: return new ChannelZeroPadLayer(pad, kernels);
            case Lrn lrn: return new LrnLayer(lrn, kernels);
            case Softmax softmax: return new SoftmaxLayer(softmax.Axis, log: false, kernels);
            case LogSoftmax logSoftmax: return new SoftmaxLayer(logSoftmax.Axis, log: true, kernels);
            case Mean: return new MeanLayer(kernels);
        }
        if (UnaryLayer.For(op) is { } unary) return new UnaryLayer(unary, kernels);
        if (BinaryLayer.For(op) is { } binary)
        {
            if (step.OutputShape.Rank > BinaryLayer.MaxRank)
                throw new GpuUnsupportedOperatorException(step.Name, op.Kind, $"broadcasting is limited to {BinaryLayer.MaxRank} axes, the output {step.OutputShape} has {step.OutputShape.Rank}.");
            return new BinaryLayer(binary, kernels);
        }
        throw new GpuUnsupportedOperatorException(step.Name, op.Kind, "there is no GPU kernel for this op; run it on the CPU engine.");
    }
}

/// <summary>A convolution whose input is normalised first (the CPU's input map, DenseNet's norm → relu → conv 1×1): the
/// BatchNorm + clamp writes the normalised input into the front of the scratch, the convolution reads it there.</summary>
internal sealed class InputNormConvLayer(BatchNormLayer norm, ConvLayer conv) : GpuLayer
{
    public override string Algorithm => conv.Algorithm;

    private static long Normalised(CompiledStep step) => (step.InputShapes[0].ElementCount + 63) & ~63L;

    public override long ScratchElements(CompiledStep step, long maxScratch)
    {
        long n = Normalised(step);
        return n + conv.ScratchElements(step, Math.Max(1, maxScratch - n));
    }

    public override Action? Bind(BindContext c)
    {
        long n = Normalised(c.Step);
        var normalised = c.Scratch.SubView(0, n);
        var runNorm = norm.Bind(new BindContext
        {
            Kernels = c.Kernels, Step = c.Step, Inputs = [c.Inputs[0]], Output = normalised, Scratch = c.Dummy,
            Weights = c.Weights, Dummy = c.Dummy, MaxScratch = 1,
        });
        var inputs = c.Inputs.ToArray();
        inputs[0] = normalised;
        var rest = c.Scratch.Length > n ? c.Scratch.SubView(n) : c.Dummy;
        var runConv = conv.Bind(new BindContext
        {
            Kernels = c.Kernels, Step = c.Step, Inputs = inputs, Output = c.Output, Scratch = rest,
            Weights = c.Weights, Dummy = c.Dummy, MaxScratch = Math.Max(1, c.MaxScratch - n),
        });
        return () => { runNorm?.Invoke(); runConv?.Invoke(); };
    }
}
