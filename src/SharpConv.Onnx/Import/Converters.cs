using SharpConv.Ops;

namespace SharpConv.Onnx.Import;

/// <summary>
/// ONNX node → SharpConv ops, one method per operator (after <see cref="ConstantFolder"/> had its chance).
/// Each checks the attributes SharpConv cannot honour and says so through <see cref="NodeContext.Unsupported"/>.
/// </summary>
internal static class Converters
{
    private static OnnxValue[] One(OnnxValue v) => [v];

    // ---- convolution and pooling --------------------------------------------------------------------------

    public static OnnxValue[] Conv(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var w = ctx.ConstInput(1, "weight");
        var b = ctx.OptionalConstInput(2, "bias");
        if (x.Rank != 4 || w.Rank != 4)
            throw ctx.Unsupported($"only 2-D convolution (N×C×H×W input, K×C/G×R×S weight) is supported; the input has rank {x.Rank}.");
        var kernelShape = ctx.Ints("kernel_shape");
        if (kernelShape is not null && (kernelShape.Length != 2 || kernelShape[0] != w.Dims[2] || kernelShape[1] != w.Dims[3]))
            throw ctx.Malformed($"kernel_shape {NodeContext.List(kernelShape)} does not match the weight {string.Join("×", w.Dims)}.");
        int groups = ctx.ToInt(ctx.Int("group", 1), "group");
        var (stride, dilation) = (Pair(ctx, "strides", 1), Pair(ctx, "dilations", 1));
        var padding = Pads2d(ctx, x.Shape.H, x.Shape.W, w.Dims[2], w.Dims[3], stride, dilation);
        if (b is not null && (b.Rank != 1 || b.Dims[0] != w.Dims[0]))
            throw ctx.Malformed($"bias of shape [{string.Join(",", b.Dims)}] does not match {w.Dims[0]} output channels.");
        var op = new Conv2d(w.ToTensor(), b?.ToTensor(), stride, padding, dilation, groups);
        return One(ctx.Emit(op, x));
    }

    public static OnnxValue[] MaxPool(NodeContext ctx) => Pool(ctx, max: true);
    public static OnnxValue[] AveragePool(NodeContext ctx) => Pool(ctx, max: false);

    private static OnnxValue[] Pool(NodeContext ctx, bool max)
    {
        var x = ctx.RequiredInput(0);
        var kernel = ctx.Ints("kernel_shape") ?? throw ctx.Malformed("has no kernel_shape.");
        int r = kernel.Length;
        if (x.Rank != r + 2) throw ctx.Malformed($"kernel_shape {NodeContext.List(kernel)} needs a rank-{r + 2} input, found {x.Shape}.");
        if (max && ctx.Int("storage_order", 0) != 0 && ctx.Proto.Output.Count > 1)
            throw ctx.Unsupported("the Indices output (storage_order) is not supported.");
        var strides = ctx.Ints("strides") ?? Enumerable.Repeat(1L, r).ToArray();
        var dilations = ctx.Ints("dilations") ?? Enumerable.Repeat(1L, r).ToArray();
        if (strides.Length != r || dilations.Length != r)
            throw ctx.Malformed($"strides {NodeContext.List(strides)} and dilations {NodeContext.List(dilations)} need {r} entries each, like kernel_shape {NodeContext.List(kernel)}.");
        bool ceil = ctx.Int("ceil_mode", 0) != 0;
        bool includePad = !max && ctx.Int("count_include_pad", 0) != 0;
        var spatial = x.Shape.Dims[2..].ToArray();
        var pads = NdPads(ctx, spatial, kernel, strides, dilations);
        int[] I(long[] a, string what) => a.Select(v => ctx.ToInt(v, what)).ToArray();
        if (r == 2)
        {
            var window = new PoolWindow(ctx.ToInt(kernel[0], "kernel"), ctx.ToInt(kernel[1], "kernel"), ctx.ToInt(strides[0], "stride"), ctx.ToInt(strides[1], "stride"),
                new Padding(pads[0], pads[1], pads[2], pads[3]), ceil, ctx.ToInt(dilations[0], "dilation"), ctx.ToInt(dilations[1], "dilation"));
            Op op2 = max ? new MaxPool2d(window) : new AvgPool2d(window, includePad);
            return One(ctx.Emit(op2, x));
        }
        return One(ctx.Emit(new PoolNd(max, I(kernel, "kernel"), I(strides, "stride"), pads, I(dilations, "dilation"), ceil, includePad), x));
    }

    public static OnnxValue[] GlobalAveragePool(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        if (x.Rank == 4) return One(ctx.Emit(new GlobalAvgPool(), x));
        if (x.Rank < 3) throw ctx.Malformed($"needs an N×C×… input, found {x.Shape}.");
        return One(ctx.Emit(new ReduceMean(Enumerable.Range(2, x.Rank - 2).ToArray(), keepDims: true), x));
    }

    public static OnnxValue[] GlobalMaxPool(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        if (x.Rank == 4) return One(ctx.Emit(new GlobalMaxPool(), x));
        if (x.Rank < 3) throw ctx.Malformed($"needs an N×C×… input, found {x.Shape}.");
        int r = x.Rank - 2;
        var spatial = x.Shape.Dims[2..].ToArray();
        return One(ctx.Emit(new PoolNd(true, spatial, Enumerable.Repeat(1, r).ToArray(), new int[2 * r], Enumerable.Repeat(1, r).ToArray(), false, false), x));
    }

    private static (int H, int W) Pair(NodeContext ctx, string name, int fallback)
    {
        var v = ctx.Ints(name);
        if (v is null) return (fallback, fallback);
        if (v.Length != 2) throw ctx.Unsupported($"{name} {NodeContext.List(v)}: only 2-D is supported.");
        return (ctx.ToInt(v[0], name), ctx.ToInt(v[1], name));
    }

    private static Padding Pads2d(NodeContext ctx, int h, int w, int kh, int kw, (int H, int W) stride, (int H, int W) dilation)
    {
        var p = NdPads(ctx, [h, w], [kh, kw], [stride.H, stride.W], [dilation.H, dilation.W]);
        return new Padding(p[0], p[1], p[2], p[3]);
    }

    /// <summary>ONNX pads <c>[b1, b2…, e1, e2…]</c>, or the pads that auto_pad SAME_UPPER/SAME_LOWER/VALID implies.</summary>
    private static int[] NdPads(NodeContext ctx, int[] spatial, long[] kernel, long[] strides, long[] dilations)
    {
        int r = spatial.Length;
        string autoPad = ctx.String("auto_pad", "NOTSET");
        var pads = new int[2 * r];
        switch (autoPad)
        {
            case "NOTSET":
                var given = ctx.Ints("pads");
                if (given is null) return pads;
                if (given.Length != 2 * r) throw ctx.Malformed($"pads {NodeContext.List(given)} needs {2 * r} entries.");
                for (int i = 0; i < given.Length; i++)
                {
                    if (given[i] < 0) throw ctx.Unsupported($"negative pads {NodeContext.List(given)} are not supported.");
                    pads[i] = ctx.ToInt(given[i], "pad");
                }
                return pads;
            case "VALID":
                return pads;
            case "SAME_UPPER":
            case "SAME_LOWER":
                for (int i = 0; i < r; i++)
                {
                    // Checked here, before the arithmetic: a zero stride would divide by zero, huge values overflow.
                    if (kernel[i] is < 1 or > int.MaxValue || strides[i] is < 1 or > int.MaxValue || dilations[i] is < 1 or > int.MaxValue)
                        throw ctx.Malformed($"auto_pad {autoPad} with kernel {kernel[i]}, stride {strides[i]}, dilation {dilations[i]}: each must be in 1..{int.MaxValue}.");
                    long outSize = (spatial[i] + strides[i] - 1) / strides[i];
                    long total = Math.Max(0, (outSize - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
                    long small = total / 2, big = total - small;
                    pads[i] = ctx.ToInt(autoPad == "SAME_UPPER" ? small : big, "pad");
                    pads[i + r] = ctx.ToInt(autoPad == "SAME_UPPER" ? big : small, "pad");
                }
                return pads;
            default:
                throw ctx.Malformed($"auto_pad '{autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER.");
        }
    }

    // ---- normalisation -------------------------------------------------------------------------------------

    public static OnnxValue[] BatchNormalization(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        if (ctx.Int("training_mode", 0) != 0) throw ctx.Unsupported("training_mode=1 is not supported (inference only).");
        if (ctx.Opset < 9 && ctx.Int("spatial", 1) != 1) throw ctx.Unsupported("spatial=0 is not supported.");
        var scale = ctx.ConstInput(1, "scale"); var bias = ctx.ConstInput(2, "bias");
        var mean = ctx.ConstInput(3, "mean"); var variance = ctx.ConstInput(4, "variance");
        float eps = ctx.Float("epsilon", 1e-5f);
        var op = new BatchNorm(Vec(scale), Vec(bias), Vec(mean), Vec(variance), eps);
        return One(ctx.Emit(op, x));
    }

    private static Tensor Vec(ConstTensor c) => c.ToTensor().Reshape(new Shape(c.Length));

    public static OnnxValue[] Lrn(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        int size = ctx.ToInt(ctx.Int("size", 0), "size");
        if (size < 1) throw ctx.Malformed("size must be ≥ 1.");
        return One(ctx.Emit(new Ops.Lrn(size, ctx.Float("alpha", 1e-4f), ctx.Float("beta", 0.75f), ctx.Float("bias", 1f)), x));
    }

    // ---- dense -----------------------------------------------------------------------------------------------

    public static OnnxValue[] Gemm(NodeContext ctx)
    {
        var a = ctx.RequiredInput(0);
        var bVal = ctx.RequiredInput(1);
        var c = ctx.Input(2);
        float alpha = ctx.Float("alpha", 1f), beta = ctx.Float("beta", 1f);
        bool transA = ctx.Int("transA", 0) != 0, transB = ctx.Int("transB", 0) != 0;
        if (a.Rank != 2 || bVal.Rank != 2) throw ctx.Malformed($"needs 2-D A and B, found {a.Shape} and {bVal.Shape}.");
        if (transA) a = ctx.Emit(new Transpose(1, 0), a);
        OnnxValue y;
        int outFeatures;
        if (bVal.Const is { } b)
        {
            // Linear wants W as Out×In: that is B when transB, else Bᵀ. Fold alpha into W.
            int k = transB ? b.Dims[1] : b.Dims[0];
            outFeatures = transB ? b.Dims[0] : b.Dims[1];
            var wt = new float[outFeatures * k];
            var bs = b.ToTensor().Span;
            for (int o = 0; o < outFeatures; o++)
                for (int i = 0; i < k; i++)
                    wt[o * k + i] = alpha * (transB ? bs[o * k + i] : bs[i * outFeatures + o]);
            Tensor? bias = null;
            if (c?.Const is { } cc && cc.Length == outFeatures && cc.Dims.Count(d => d != 1) <= 1 && (cc.Rank == 0 || cc.Dims[^1] == outFeatures))
            {
                bias = cc.ToTensor().Reshape(new Shape(outFeatures));
                if (beta != 1f) { var t = new Tensor(bias.Shape); for (int i = 0; i < t.Length; i++) t[i] = beta * bias[i]; bias = t; }
                c = null;
            }
            y = ctx.Emit(new Linear(new Tensor(new Shape(outFeatures, k), wt), bias), a);
        }
        else
        {
            var bb = transB ? ctx.Emit(new Transpose(1, 0), bVal) : bVal;
            outFeatures = bb.Shape[1];
            y = ctx.Emit(new MatMul(), a, bb);
            if (alpha != 1f) y = ctx.Emit(new Scale(alpha), y);
        }
        if (c is not null && beta != 0f)
        {
            var term = c;
            if (beta != 1f) term = c.Const is { } cc2 ? OnnxValue.Of(ScaleConst(cc2, beta)) : ctx.Emit(new Scale(beta), c);
            y = ctx.Emit(new Add(), y, term);
        }
        return One(y);
    }

    private static ConstTensor ScaleConst(ConstTensor c, float s) => ConstTensor.FromFloats(c.Dims, c.ToTensor().ToArray().Select(v => v * s).ToArray());

    public static OnnxValue[] MatMulNode(NodeContext ctx)
    {
        var a = ctx.RequiredInput(0);
        var b = ctx.RequiredInput(1);
        if (a.Rank < 2 || b.Rank < 2) throw ctx.Unsupported($"1-D operands are not supported (found {a.Shape} · {b.Shape}); both must have rank ≥ 2.");
        if (a.Rank == 2 && b.Rank == 2 && b.Const is { } w && !a.IsConst)
        {
            int k = w.Dims[0], n = w.Dims[1];
            var wt = new float[n * k];
            var ws = w.ToTensor().Span;
            for (int o = 0; o < n; o++) for (int i = 0; i < k; i++) wt[o * k + i] = ws[i * n + o];
            return One(ctx.Emit(new Linear(new Tensor(new Shape(n, k), wt), null), a));
        }
        return One(ctx.Emit(new MatMul(), a, b));
    }

    // ---- activations -----------------------------------------------------------------------------------------

    public static OnnxValue[] Relu(NodeContext ctx) => One(ctx.Emit(new Ops.Relu(), ctx.RequiredInput(0)));
    public static OnnxValue[] LeakyRelu(NodeContext ctx) => One(ctx.Emit(new Ops.LeakyRelu(ctx.Float("alpha", 0.01f)), ctx.RequiredInput(0)));
    public static OnnxValue[] Tanh(NodeContext ctx) => One(ctx.Emit(new Ops.Tanh(), ctx.RequiredInput(0)));
    public static OnnxValue[] Sigmoid(NodeContext ctx) => One(ctx.Emit(new Ops.Sigmoid(), ctx.RequiredInput(0)));

    public static OnnxValue[] HardSigmoid(NodeContext ctx) =>
        One(ctx.Emit(new Ops.HardSigmoid(ctx.Float("alpha", 0.2f), ctx.Float("beta", 0.5f)), ctx.RequiredInput(0)));
    public static OnnxValue[] HardSwish(NodeContext ctx) => One(ctx.Emit(new Ops.HardSwish(), ctx.RequiredInput(0)));

    public static OnnxValue[] PRelu(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var slope = ctx.ConstInput(1, "slope");
        if (slope.Rank > x.Rank)
            throw ctx.Malformed($"slope of shape [{string.Join(",", slope.Dims)}] has a higher rank than the input {x.Shape}.");
        return One(ctx.Emit(new Ops.PRelu(slope.ToTensor()), x));
    }

    public static OnnxValue[] Clip(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        float min, max;
        if (ctx.Opset < 11)
        {
            min = ctx.Float("min", float.NegativeInfinity); max = ctx.Float("max", float.PositiveInfinity);
        }
        else
        {
            min = ctx.OptionalConstInput(1, "min") is { } lo ? Scalar(ctx, lo, "min") : float.NegativeInfinity;
            max = ctx.OptionalConstInput(2, "max") is { } hi ? Scalar(ctx, hi, "max") : float.PositiveInfinity;
        }
        if (min == 0f && float.IsPositiveInfinity(max)) return One(ctx.Emit(new Ops.Relu(), x));
        return One(ctx.Emit(new Ops.Clip(min, max), x));
    }

    private static float Scalar(NodeContext ctx, ConstTensor c, string what) =>
        c.Length == 1 ? (float)c.GetDouble(0) : throw ctx.Malformed($"{what} must be a scalar, found shape [{string.Join(",", c.Dims)}].");

    public static OnnxValue[] Softmax(NodeContext ctx) => SoftmaxLike(ctx, log: false);
    public static OnnxValue[] LogSoftmax(NodeContext ctx) => SoftmaxLike(ctx, log: true);

    private static OnnxValue[] SoftmaxLike(NodeContext ctx, bool log)
    {
        var x = ctx.RequiredInput(0);
        int rank = x.Rank;
        int axis = ConstantFolder.NormalizeAxis(ctx, ctx.Int("axis", ctx.Opset >= 13 ? -1 : 1), rank);
        Op Make(int a) => log ? new Ops.LogSoftmax(a) : new Ops.Softmax(a);
        if (ctx.Opset >= 13 || axis == rank - 1) return One(ctx.Emit(Make(axis), x));
        // Before opset 13 the input is coerced to 2-D [prod(dims < axis), prod(dims ≥ axis)] and normalised per row.
        var sym = ctx.SymShape(x);
        var flat = ctx.Emit(new Flatten(axis), x);
        var y = ctx.Emit(Make(1), flat);
        return One(EmitReshape(ctx, y, sym));
    }

    // ---- shape -----------------------------------------------------------------------------------------------

    public static OnnxValue[] Flatten(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        long axis = ctx.Int("axis", 1);
        if (axis < 0) axis += x.Rank;
        if (axis < 0 || axis > x.Rank) throw ctx.Malformed($"axis {ctx.Int("axis", 1)} is outside a rank-{x.Rank} input.");
        return One(ctx.Emit(new Ops.Flatten((int)axis), x));
    }

    public static OnnxValue[] Reshape(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var target = ConstantFolder.TargetOf(ctx, ctx.ConstInput(1, "shape"));
        var dims = ConstantFolder.ResolveReshape(ctx, ctx.SymShape(x), target, ctx.Opset >= 14 && ctx.Int("allowzero", 0) != 0);
        return One(EmitReshape(ctx, x, dims));
    }

    public static OnnxValue[] Squeeze(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var axes = ctx.IntsFromAttributeOrInput("axes", 1, "axes");
        var sym = ctx.SymShape(x);
        var drop = new bool[sym.Length];
        if (axes is null) for (int i = 0; i < sym.Length; i++) drop[i] = sym[i] == SymInt.Of(1);
        else
            foreach (long a in axes)
            {
                int ax = ConstantFolder.NormalizeAxis(ctx, a, sym.Length);
                if (sym[ax] != SymInt.Of(1)) throw ctx.Malformed($"cannot squeeze axis {a} of size {sym[ax]}.");
                drop[ax] = true;
            }
        return One(EmitReshape(ctx, x, sym.Where((_, i) => !drop[i]).ToArray()));
    }

    public static OnnxValue[] Unsqueeze(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var axes = ctx.IntsFromAttributeOrInput("axes", 1, "axes") ?? throw ctx.Malformed("has no axes.");
        var sym = ctx.SymShape(x);
        int outRank = sym.Length + axes.Length;
        var isNew = new bool[outRank];
        foreach (long a in axes)
        {
            int ax = ConstantFolder.NormalizeAxis(ctx, a, outRank);
            if (isNew[ax]) throw ctx.Malformed($"axis {a} is repeated.");
            isNew[ax] = true;
        }
        var dims = new SymInt[outRank];
        for (int i = 0, j = 0; i < outRank; i++) dims[i] = isNew[i] ? SymInt.Of(1) : sym[j++];
        return One(EmitReshape(ctx, x, dims));
    }

    /// <summary>
    /// A SharpConv Reshape to symbolic <paramref name="dims"/>: the one batch-dependent dimension (if any) becomes
    /// −1, so the network keeps working at every batch size; the others are fixed.
    /// </summary>
    internal static OnnxValue EmitReshape(NodeContext ctx, OnnxValue x, SymInt[] dims)
    {
        var target = new int[dims.Length];
        int batchDims = 0;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i].Batch) { target[i] = -1; batchDims++; }
            else target[i] = ctx.ToInt(dims[i].Coef, "dimension");
        }
        if (batchDims > 1) throw ctx.Unsupported($"the target shape [{string.Join(", ", dims)}] has more than one batch-dependent dimension.");
        var current = ctx.SymShape(x);
        if (current.SequenceEqual(dims)) return x;
        return ctx.Emit(new Ops.Reshape(target), x);
    }

    public static OnnxValue[] Transpose(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var perm = ConstantFolder.Permutation(ctx, ctx.Ints("perm"), x.Rank);
        if (perm.Select((p, i) => p == i).All(b => b)) return One(x);
        return One(ctx.Emit(new Ops.Transpose(perm), x));
    }

    public static OnnxValue[] Concat(NodeContext ctx)
    {
        var xs = ctx.PresentInputs();
        if (xs.Count == 0) throw ctx.Malformed("has no inputs.");
        // Zero-length inputs (legal in ONNX) contribute nothing.
        int axis = ConstantFolder.NormalizeAxis(ctx, ctx.Int("axis", ctx.Opset < 4 ? 1 : 0), xs[0].Rank);
        foreach (var v in xs)
            if (v.Rank != xs[0].Rank) throw ctx.Malformed($"inputs of different ranks ({xs[0].Shape} and {v.Shape}) cannot be concatenated.");
        var nonEmpty = xs.Where(v => !(v.IsConst && v.Shape[axis] == 0)).ToList();
        if (nonEmpty.Count == 1) return One(nonEmpty[0]);
        return One(ctx.Emit(new Ops.Concat(axis), nonEmpty.ToArray()));
    }

    public static OnnxValue[] Slice(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var (starts, ends, axes, steps) = SliceSpec.ReadArguments(ctx);
        var ax = axes.Select(a => ConstantFolder.NormalizeAxis(ctx, a, x.Rank)).ToArray();
        // A slice that keeps everything is the identity (PyTorch exports x[:, :, ::2, ::2] as one Slice per axis).
        var op = new Ops.Slice(ax, starts, ends, steps);
        return One(ctx.Emit(op, x));
    }

    public static OnnxValue[] Pad(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        string mode = ctx.String("mode", "constant");
        long[] pads;
        float value;
        long[]? axes = null;
        if (ctx.Opset < 11)
        {
            pads = ctx.Ints("pads") ?? ctx.Ints("paddings") ?? throw ctx.Malformed("has no pads.");
            value = ctx.Float("value", 0f);
        }
        else
        {
            pads = ctx.ConstInput(1, "pads").ToLongs($"node '{ctx.Name}' pads");
            value = ctx.OptionalConstInput(2, "constant_value") is { } cv ? Scalar(ctx, cv, "constant_value") : 0f;
            axes = ctx.OptionalConstInput(3, "axes")?.ToLongs($"node '{ctx.Name}' axes");
        }
        int rank = x.Rank;
        var ax = axes?.Select(a => ConstantFolder.NormalizeAxis(ctx, a, rank)).ToArray() ?? Enumerable.Range(0, rank).ToArray();
        if (pads.Length != 2 * ax.Length) throw ctx.Malformed($"pads {NodeContext.List(pads)} needs {2 * ax.Length} entries.");
        var before = new int[rank]; var after = new int[rank];
        for (int i = 0; i < ax.Length; i++)
        {
            if (pads[i] < 0 || pads[i + ax.Length] < 0) throw ctx.Unsupported($"negative pads {NodeContext.List(pads)} (cropping) are not supported.");
            before[ax[i]] = ctx.ToInt(pads[i], "pad"); after[ax[i]] = ctx.ToInt(pads[i + ax.Length], "pad");
        }
        if (before.All(p => p == 0) && after.All(p => p == 0)) return One(x);
        var padMode = mode switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Edge,
            _ => throw ctx.Unsupported($"mode '{mode}' is not supported (constant, reflect and edge are)."),
        };
        if (ctx.SymShape(x) is var sym && Enumerable.Range(0, rank).Any(i => sym[i].Batch && (before[i] != 0 || after[i] != 0)))
            throw ctx.Unsupported("padding the batch axis is not supported.");
        return One(ctx.Emit(new PadNd(before, after, padMode, value), x));
    }

    public static OnnxValue[] ReduceMeanNode(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        long[]? axes = ctx.Opset >= 18 ? ctx.OptionalConstInput(1, "axes")?.ToLongs($"node '{ctx.Name}' axes") : ctx.Ints("axes");
        bool keep = ctx.Int("keepdims", 1) != 0;
        if ((axes is null || axes.Length == 0) && ctx.Int("noop_with_empty_axes", 0) != 0) return One(x);
        var ax = (axes ?? []).Select(a => ConstantFolder.NormalizeAxis(ctx, a, x.Rank)).ToArray();
        // mean over a stack of branches: Unsqueeze(a, 0), Unsqueeze(b, 0) → Concat(0) → ReduceMean(0) is Mean(a, b).
        return One(ctx.Emit(new ReduceMean(ax, keep), x));
    }

    // ---- element-wise ----------------------------------------------------------------------------------------

    public static OnnxValue[] AddNode(NodeContext ctx) => Binary(ctx, "Add");
    public static OnnxValue[] SubNode(NodeContext ctx) => Binary(ctx, "Sub");
    public static OnnxValue[] MulNode(NodeContext ctx) => Binary(ctx, "Mul");
    public static OnnxValue[] DivNode(NodeContext ctx) => Binary(ctx, "Div");

    private static OnnxValue[] Binary(NodeContext ctx, string op)
    {
        var a = ctx.RequiredInput(0); var b = ctx.RequiredInput(1);
        if (ctx.Opset < 7 && ctx.Int("broadcast", 0) != 0) throw ctx.Unsupported("legacy broadcast attribute (opset < 7) is not supported.");
        // x op scalar-constant becomes the Scale layer (y = m·x + c), which the compiler can fuse.
        int rank = Math.Max(a.Rank, b.Rank);
        bool keepsShape(OnnxValue v, OnnxValue other) => other.Rank >= v.Rank;
        if (b.Const is { Length: 1 } cb && !a.IsConst && keepsShape(b, a))
        {
            float c = (float)cb.GetDouble(0);
            Op? scale = op switch { "Mul" => new Scale(c), "Add" => new Scale(1f, c), "Sub" => new Scale(1f, -c), _ => null };
            if (scale is not null) return One(ctx.Emit(scale, a));
        }
        if (a.Const is { Length: 1 } ca && !b.IsConst && keepsShape(a, b))
        {
            float c = (float)ca.GetDouble(0);
            Op? scale = op switch { "Mul" => new Scale(c), "Add" => new Scale(1f, c), "Sub" => new Scale(-1f, c), _ => null };
            if (scale is not null) return One(ctx.Emit(scale, b));
        }
        Op bin = op switch { "Add" => new Add(), "Sub" => new Sub(), "Mul" => new Mul(), _ => new Div() };
        _ = rank;
        return One(ctx.Emit(bin, a, b));
    }

    public static OnnxValue[] PowNode(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var e = ctx.ConstInput(1, "exponent");
        if (e.Length != 1) throw ctx.Unsupported("only a scalar constant exponent is supported.");
        return One(ctx.Emit(new Ops.Pow((float)e.GetDouble(0)), x));
    }

    public static OnnxValue[] Sum(NodeContext ctx)
    {
        var xs = ctx.PresentInputs();
        if (xs.Count == 0) throw ctx.Malformed("has no inputs.");
        var acc = xs[0];
        for (int i = 1; i < xs.Count; i++) acc = ctx.Emit(new Add(), acc, xs[i]);
        return One(acc);
    }

    public static OnnxValue[] MaxNode(NodeContext ctx) => Chain(ctx, static () => new Max());
    public static OnnxValue[] MinNode(NodeContext ctx) => Chain(ctx, static () => new Min());

    /// <summary>A variadic element-wise op as a chain of binary ones (one input: the identity).</summary>
    private static OnnxValue[] Chain(NodeContext ctx, Func<Op> make)
    {
        var xs = ctx.PresentInputs();
        if (xs.Count == 0) throw ctx.Malformed("has no inputs.");
        var acc = xs[0];
        for (int i = 1; i < xs.Count; i++) acc = ctx.Emit(make(), acc, xs[i]);
        return One(acc);
    }

    public static OnnxValue[] MeanNode(NodeContext ctx)
    {
        var xs = ctx.PresentInputs();
        if (xs.Count == 0) throw ctx.Malformed("has no inputs.");
        if (xs.Count == 1) return One(xs[0]);
        if (xs.All(v => v.Shape == xs[0].Shape && !v.IsConst)) return One(ctx.Emit(new Mean(), xs.ToArray()));
        var acc = xs[0];
        for (int i = 1; i < xs.Count; i++) acc = ctx.Emit(new Add(), acc, xs[i]);
        return One(ctx.Emit(new Scale(1f / xs.Count), acc));
    }

    // ---- pass-through ----------------------------------------------------------------------------------------

    public static OnnxValue[] Identity(NodeContext ctx) => One(ctx.RequiredInput(0));

    public static OnnxValue[] Dropout(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        if (ctx.OptionalConstInput(2, "training_mode") is { } tm && tm.GetDouble(0) != 0)
            throw ctx.Unsupported("training_mode=true is not supported (inference only).");
        if (ctx.Opset < 7 && ctx.Int("is_test", 0) == 0) throw ctx.Unsupported("is_test=0 (training) is not supported.");
        float ratio = ctx.Opset >= 12 ? (ctx.OptionalConstInput(1, "ratio") is { } r ? Scalar(ctx, r, "ratio") : 0.5f) : ctx.Float("ratio", 0.5f);
        // At inference Dropout is the identity; keep the node (the compiler removes it) so the summary shows it.
        if (!(ratio >= 0f && ratio < 1f)) return One(x);
        return One(ctx.Emit(new Ops.Dropout(ratio), x));
    }

    public static OnnxValue[] Cast(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        int to = (int)ctx.Int("to", 0);
        if (to is ConstTensor.TypeFloat) return One(x);
        throw ctx.Unsupported($"casting a runtime tensor to {TensorReader.TypeName(to)} is not supported (SharpConv tensors are float32; integer casts of shape glue are folded).");
    }

    /// <summary>For ops that only exist as shape glue: reaching here means an input is computed at run time.</summary>
    public static OnnxValue[] FoldOnly(NodeContext ctx) =>
        throw ctx.Unsupported("it is supported only when its inputs are known at load time (constant folding), but an input here is computed at run time.");
}
