namespace SharpConv.Onnx.Import;

/// <summary>
/// Evaluates nodes whose inputs are all known at load time: the shape glue PyTorch emits
/// (<c>Shape → Gather → Unsqueeze → Concat → Reshape</c>, pads computed through ConstantOfShape/Slice/Transpose/Cast,
/// the condition of an <c>If</c>) and small float arithmetic on initializers. Integers may be symbolic in the batch
/// size (<see cref="SymInt"/>); <c>Shape</c> of a runtime value folds even though the value itself is not constant.
/// </summary>
internal static class ConstantFolder
{
    private static readonly HashSet<string> Foldable = new(StringComparer.Ordinal)
    {
        "Constant", "Identity", "Dropout", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Slice",
        "Transpose", "Cast", "ConstantOfShape", "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Neg", "Sqrt", "Flatten",
        "If", "Size", "Range",
    };

    /// <summary>The folded outputs, or null when the node must run in the network.</summary>
    public static OnnxValue[]? TryFold(NodeContext ctx)
    {
        string op = ctx.OpType;
        if (!Foldable.Contains(op)) return null;
        if (op == "Shape") return [OnnxValue.Of(Shape(ctx))];
        if (op == "Size")
        {
            var x = ctx.RequiredInput(0);
            var sym = ctx.SymShape(x);
            SymInt size = SymInt.Of(1);
            foreach (var d in sym) size = MulSym(ctx, size, d);
            return [OnnxValue.Of(ConstTensor.FromInts([], [size]))];
        }
        if (op == "If") return If(ctx);
        var inputs = new List<ConstTensor?>();
        for (int i = 0; i < ctx.InputCount; i++)
        {
            var v = ctx.Input(i);
            if (v is null) { inputs.Add(null); continue; }
            if (v.Const is null) return null;
            inputs.Add(v.Const);
        }
        if (op != "Constant" && inputs.All(c => c is null)) return null;
        ConstTensor In(int i) => i < inputs.Count && inputs[i] is { } c ? c : throw ctx.Malformed($"input {i} is required but missing.");
        ConstTensor result = op switch
        {
            "Constant" => Constant(ctx),
            "Identity" or "Dropout" => In(0),
            "Gather" => Gather(ctx, In(0), In(1)),
            "Unsqueeze" => Unsqueeze(ctx, In(0)),
            "Squeeze" => Squeeze(ctx, In(0)),
            "Concat" => Concat(ctx, inputs.Where(c => c is not null).Select(c => c!).ToList()),
            "Reshape" => Reshape(ctx, In(0), In(1)),
            "Flatten" => FlattenConst(ctx, In(0)),
            "Slice" => Slice(ctx, In(0)),
            "Transpose" => Transpose(ctx, In(0)),
            "Cast" => Cast(ctx, In(0)),
            "ConstantOfShape" => ConstantOfShape(ctx, In(0)),
            "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Equal" => Binary(ctx, op, In(0), In(1)),
            "Neg" => Unary(ctx, In(0), x => -x, s => new SymInt(-s.Coef, s.Batch)),
            "Sqrt" => Unary(ctx, In(0), MathF.Sqrt, null),
            "Range" => Range(ctx, In(0), In(1), In(2)),
            _ => throw new InvalidOperationException(op),
        };
        if (op == "Dropout" && ctx.Proto.Output.Count > 1)
            return [OnnxValue.Of(result), OnnxValue.Of(ConstTensor.FromLongs(result.Dims, new long[result.Length].Select(_ => 1L).ToArray(), ConstTensor.TypeBool))];
        return [OnnxValue.Of(result)];
    }

    // ---- nodes ---------------------------------------------------------------------------------------------

    private static ConstTensor Constant(NodeContext ctx)
    {
        if (ctx.TensorAttribute("value") is { } t) return t;
        if (ctx.Has("value_float")) return ConstTensor.Scalar(ctx.Float("value_float", 0));
        if (ctx.Floats("value_floats") is { } fs) return ConstTensor.FromFloats([fs.Length], fs);
        if (ctx.Has("value_int")) return ConstTensor.FromLongs([], [ctx.Int("value_int", 0)]);
        if (ctx.Ints("value_ints") is { } ls) return ConstTensor.FromLongs([ls.Length], ls);
        if (ctx.Has("sparse_value")) throw ctx.Unsupported("a sparse_value constant is not supported; use a dense 'value'.");
        throw ctx.Malformed("has no value attribute (value, value_float(s), value_int(s)).");
    }

    private static ConstTensor Shape(NodeContext ctx)
    {
        var x = ctx.RequiredInput(0);
        var sym = ctx.SymShape(x);
        int rank = sym.Length;
        long start = ctx.Int("start", 0), end = ctx.Int("end", rank);
        if (start < 0) start += rank;
        if (end < 0) end += rank;
        start = Math.Clamp(start, 0, rank); end = Math.Clamp(end, 0, rank);
        var dims = end > start ? sym[(int)start..(int)end] : [];
        return ConstTensor.FromInts([dims.Length], dims);
    }

    private static OnnxValue[] If(NodeContext ctx)
    {
        var cond = ctx.RequiredInput(0).Const
            ?? throw ctx.Unsupported("its condition is computed at run time; SharpConv folds If only when the condition is known at load time (shape checks such as PyTorch's LRN export).");
        if (cond.Length != 1) throw ctx.Malformed($"the condition must have one element, found {cond.Length}.");
        bool taken = cond.Kind == ConstKind.Float ? cond.Floats![0] != 0 : (cond.Ints![0].IsKnown ? cond.Ints[0].Coef != 0 : throw ctx.Unsupported("its condition depends on the batch size."));
        var branch = ctx.Graph(taken ? "then_branch" : "else_branch");
        ctx.Importer.ProcessGraph(branch, isMain: false);
        var outs = new OnnxValue[branch.Output.Count];
        for (int i = 0; i < outs.Length; i++) outs[i] = ctx.Importer.Lookup(branch.Output[i].Name, ctx);
        return outs;
    }

    private static ConstTensor Gather(NodeContext ctx, ConstTensor data, ConstTensor indices)
    {
        int rank = data.Rank;
        if (rank == 0) throw ctx.Malformed("cannot gather from a scalar.");
        int axis = NormalizeAxis(ctx, ctx.Int("axis", 0), rank);
        var idx = indices.ToLongs($"node '{ctx.Name}' indices");
        int axisLen = data.Dims[axis];
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] < 0) idx[i] += axisLen;
            if (idx[i] < 0 || idx[i] >= axisLen) throw ctx.Malformed($"index {idx[i]} is outside axis {axis} of length {axisLen}.");
        }
        var outDims = data.Dims[..axis].Concat(indices.Dims).Concat(data.Dims[(axis + 1)..]).ToArray();
        long outer = Prod(data.Dims[..axis]), inner = Prod(data.Dims[(axis + 1)..]);
        return Map(data, outDims, (src, dst) =>
        {
            int o = 0;
            for (long a = 0; a < outer; a++)
                foreach (long j in idx)
                    for (long b = 0; b < inner; b++)
                        dst[o++] = (int)((a * axisLen + j) * inner + b);
        });
    }

    private static ConstTensor Unsqueeze(NodeContext ctx, ConstTensor x)
    {
        var axes = ctx.IntsFromAttributeOrInput("axes", 1, "axes") ?? throw ctx.Malformed("has no axes.");
        return x.WithDims(UnsqueezeDims(ctx, x.Dims, axes));
    }

    /// <summary>Dimensions after inserting 1s at <paramref name="axes"/> (relative to the output rank).</summary>
    public static int[] UnsqueezeDims(NodeContext ctx, int[] dims, long[] axes)
    {
        int outRank = dims.Length + axes.Length;
        var isNew = new bool[outRank];
        foreach (long a in axes)
        {
            int ax = NormalizeAxis(ctx, a, outRank);
            if (isNew[ax]) throw ctx.Malformed($"axis {a} is repeated.");
            isNew[ax] = true;
        }
        var r = new int[outRank];
        for (int i = 0, j = 0; i < outRank; i++) r[i] = isNew[i] ? 1 : dims[j++];
        return r;
    }

    private static ConstTensor Squeeze(NodeContext ctx, ConstTensor x) =>
        x.WithDims(SqueezeDims(ctx, x.Dims, ctx.IntsFromAttributeOrInput("axes", 1, "axes")));

    /// <summary>Dimensions after removing the 1s at <paramref name="axes"/> (all 1s when null).</summary>
    public static int[] SqueezeDims(NodeContext ctx, int[] dims, long[]? axes)
    {
        var drop = new bool[dims.Length];
        if (axes is null) for (int i = 0; i < dims.Length; i++) drop[i] = dims[i] == 1;
        else
            foreach (long a in axes)
            {
                int ax = NormalizeAxis(ctx, a, dims.Length);
                if (dims[ax] != 1) throw ctx.Malformed($"cannot squeeze axis {a} of size {dims[ax]}.");
                drop[ax] = true;
            }
        return dims.Where((_, i) => !drop[i]).ToArray();
    }

    private static ConstTensor Concat(NodeContext ctx, List<ConstTensor> xs)
    {
        int rank = xs[0].Rank;
        int axis = NormalizeAxis(ctx, ctx.Int("axis", 0), rank);
        bool anyFloat = xs.Any(x => x.Kind == ConstKind.Float);
        if (anyFloat && xs.Any(x => x.Kind == ConstKind.Int)) throw ctx.Malformed("mixes float and integer inputs.");
        foreach (var x in xs)
            if (x.Rank != rank || Enumerable.Range(0, rank).Any(d => d != axis && x.Dims[d] != xs[0].Dims[d]))
                throw ctx.Malformed($"input shapes [{string.Join(",", xs[0].Dims)}] and [{string.Join(",", x.Dims)}] differ off axis {axis}.");
        var outDims = (int[])xs[0].Dims.Clone();
        outDims[axis] = xs.Sum(x => x.Dims[axis]);
        long outer = Prod(outDims[..axis]), inner = Prod(outDims[(axis + 1)..]);
        if (anyFloat)
        {
            var r = new List<float>();
            for (long o = 0; o < outer; o++)
                foreach (var x in xs) { long block = x.Dims[axis] * inner; r.AddRange(x.Floats!.AsSpan((int)(o * block), (int)block).ToArray()); }
            return ConstTensor.FromFloats(outDims, r.ToArray(), xs[0].OnnxType);
        }
        var ri = new List<SymInt>();
        for (long o = 0; o < outer; o++)
            foreach (var x in xs) { long block = x.Dims[axis] * inner; ri.AddRange(x.Ints!.AsSpan((int)(o * block), (int)block).ToArray()); }
        return ConstTensor.FromInts(outDims, ri.ToArray(), xs[0].OnnxType);
    }

    private static ConstTensor Reshape(NodeContext ctx, ConstTensor x, ConstTensor shape)
    {
        var dims = ResolveReshape(ctx, x.Dims.Select(d => SymInt.Of(d)).ToArray(), TargetOf(ctx, shape), ctx.Int("allowzero", 0) != 0);
        return x.WithDims(dims.Select(d => d.Value is >= 0 and <= int.MaxValue ? (int)d.Value
            : throw ctx.Malformed($"reshapes to a dimension of {d.Value}.")).ToArray());
    }

    /// <summary>
    /// ONNX Reshape's target against a (symbolic) input shape: 0 copies the input dimension (unless allowzero),
    /// −1 is inferred. The result may contain one batch-dependent dimension.
    /// </summary>
    public static SymInt[] ResolveReshape(NodeContext ctx, SymInt[] input, SymInt[] target, bool allowZero)
    {
        var r = new SymInt[target.Length];
        int infer = -1;
        SymInt known = SymInt.Of(1);
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i].Batch) { r[i] = target[i]; known = MulSym(ctx, known, r[i]); continue; }
            long t = target[i].Coef;
            if (t == -1)
            {
                if (infer >= 0) throw ctx.Malformed($"shape {NodeContext.List(target)} has more than one −1.");
                infer = i; continue;
            }
            if (t < -1) throw ctx.Malformed($"shape {NodeContext.List(target)} has a negative dimension.");
            if (t == 0 && !allowZero)
            {
                if (i >= input.Length) throw ctx.Malformed($"shape {NodeContext.List(target)} copies dimension {i} (0) of a rank-{input.Length} input.");
                r[i] = input[i];
            }
            else r[i] = SymInt.Of(t);
            known = MulSym(ctx, known, r[i]);
        }
        SymInt total = SymInt.Of(1);
        foreach (var d in input) total = MulSym(ctx, total, d);
        if (infer >= 0)
        {
            if (known.Coef == 0) throw ctx.Malformed($"cannot infer −1 in {NodeContext.List(target)} when another dimension is 0.");
            r[infer] = DivSym(ctx, total, known);
            if (MulSym(ctx, r[infer], known) != total)
                throw ctx.Malformed($"cannot reshape [{string.Join(", ", input)}] ({total} elements) to {NodeContext.List(target)}: {total} is not a multiple of {known}.");
        }
        else if (total != known)
            throw ctx.Malformed($"cannot reshape [{string.Join(", ", input)}] ({total} elements) to {NodeContext.List(target)} ({known} elements).");
        return r;
    }

    /// <summary>A Reshape target, possibly holding batch-dependent entries (folded <c>Shape(x)[0]</c>).</summary>
    public static SymInt[] TargetOf(NodeContext ctx, ConstTensor shape) =>
        shape.Kind == ConstKind.Int ? shape.Ints! : shape.ToLongs($"node '{ctx.Name}' shape").Select(SymInt.Of).ToArray();

    private static ConstTensor FlattenConst(NodeContext ctx, ConstTensor x)
    {
        int axis = (int)ctx.Int("axis", 1);
        if (axis < 0) axis += x.Rank;
        if (axis < 0 || axis > x.Rank) throw ctx.Malformed($"axis {ctx.Int("axis", 1)} is outside rank {x.Rank}.");
        return x.WithDims([(int)Prod(x.Dims[..axis]), (int)Prod(x.Dims[axis..])]);
    }

    private static ConstTensor Slice(NodeContext ctx, ConstTensor x)
    {
        var spec = SliceSpec.From(ctx, x.Dims.Select(d => (long)d).ToArray());
        var outDims = spec.OutputDims(x.Dims);
        return Map(x, outDims, (src, dst) =>
        {
            var index = new int[outDims.Length];
            var strides = Strides(x.Dims);
            for (int o = 0; o < dst.Length; o++)
            {
                long at = 0;
                for (int d = 0; d < index.Length; d++) at += (spec.Start[d] + (long)index[d] * spec.Step[d]) * strides[d];
                dst[o] = (int)at;
                for (int d = index.Length - 1; d >= 0; d--) { if (++index[d] < outDims[d]) break; index[d] = 0; }
            }
        });
    }

    private static ConstTensor Transpose(NodeContext ctx, ConstTensor x)
    {
        var perm = Permutation(ctx, ctx.Ints("perm"), x.Rank);
        var outDims = perm.Select(p => x.Dims[p]).ToArray();
        var inStrides = Strides(x.Dims);
        return Map(x, outDims, (src, dst) =>
        {
            var index = new int[outDims.Length];
            for (int o = 0; o < dst.Length; o++)
            {
                long at = 0;
                for (int d = 0; d < index.Length; d++) at += (long)index[d] * inStrides[perm[d]];
                dst[o] = (int)at;
                for (int d = index.Length - 1; d >= 0; d--) { if (++index[d] < outDims[d]) break; index[d] = 0; }
            }
        });
    }

    /// <summary>A checked permutation (default: reversed axes).</summary>
    public static int[] Permutation(NodeContext ctx, long[]? perm, int rank)
    {
        if (perm is null) return Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length != rank) throw ctx.Malformed($"perm {NodeContext.List(perm)} does not match rank {rank}.");
        var seen = new bool[rank];
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int p = NormalizeAxis(ctx, perm[i], rank);
            if (seen[p]) throw ctx.Malformed($"perm {NodeContext.List(perm)} is not a permutation.");
            seen[p] = true; r[i] = p;
        }
        return r;
    }

    private static ConstTensor Cast(NodeContext ctx, ConstTensor x)
    {
        int to = (int)ctx.Int("to", 0);
        bool toFloat = to is ConstTensor.TypeFloat or ConstTensor.TypeDouble or ConstTensor.TypeFloat16 or 16;
        bool toInt = to is >= 2 and <= 7 or ConstTensor.TypeBool or 12 or 13;
        if (!toFloat && !toInt) throw ctx.Unsupported($"cast to {TensorReader.TypeName(to)} is not supported.");
        if (toFloat)
            return x.Kind == ConstKind.Float ? ConstTensor.FromFloats(x.Dims, x.Floats!, to)
                : ConstTensor.FromFloats(x.Dims, x.Ints!.Select(i => (float)i.Value).ToArray(), to);
        if (x.Kind == ConstKind.Int)
            return ConstTensor.FromInts(x.Dims, to == ConstTensor.TypeBool ? x.Ints!.Select(i => SymInt.Of(i.Value != 0 ? 1 : 0)).ToArray() : x.Ints!, to);
        return ConstTensor.FromLongs(x.Dims, x.Floats!.Select(f => to == ConstTensor.TypeBool ? (f != 0 ? 1L : 0L) : (long)f).ToArray(), to);
    }

    private static ConstTensor ConstantOfShape(NodeContext ctx, ConstTensor shape)
    {
        var dims = shape.ToLongs($"node '{ctx.Name}' shape");
        var d = new int[dims.Length];
        long n = 1;
        for (int i = 0; i < d.Length; i++)
        {
            if (dims[i] < 0 || dims[i] > int.MaxValue) throw ctx.Malformed($"shape {NodeContext.List(dims)} has an invalid dimension.");
            d[i] = (int)dims[i];
            n = dims[i] == 0 ? 0 : n > long.MaxValue / 2 / dims[i] ? long.MaxValue / 2 : n * dims[i]; // saturating
        }
        if (n > Limits.MaxTensorElements) throw new LimitExceededException($"node '{ctx.Name}' (ConstantOfShape)", $"shape {NodeContext.List(dims)}", Limits.MaxTensorElements);
        var value = ctx.TensorAttribute("value") ?? ConstTensor.Scalar(0f);
        if (value.Length != 1) throw ctx.Malformed("its value must hold exactly one element.");
        return value.Kind == ConstKind.Float
            ? ConstTensor.FromFloats(d, Enumerable.Repeat(value.Floats![0], (int)n).ToArray(), value.OnnxType)
            : ConstTensor.FromInts(d, Enumerable.Repeat(value.Ints![0], (int)n).ToArray(), value.OnnxType);
    }

    private static ConstTensor Range(NodeContext ctx, ConstTensor start, ConstTensor limit, ConstTensor delta)
    {
        if (start.Length != 1 || limit.Length != 1 || delta.Length != 1)
            throw ctx.Malformed($"start, limit and delta must be scalars; found {start.Length}, {limit.Length} and {delta.Length} elements.");
        if (start.Kind == ConstKind.Int)
        {
            long s = start.ToLongs("start")[0], l = limit.ToLongs("limit")[0], dl = delta.ToLongs("delta")[0];
            if (dl == 0) throw ctx.Malformed("delta is 0.");
            // ⌈(limit − start) / delta⌉ in 128 bits: limit − start may not fit in 64.
            Int128 span = (Int128)l - s, step = dl;
            Int128 steps = span / step + (span % step != 0 && (span < 0) == (step < 0) ? 1 : 0);
            long count = steps <= 0 ? 0 : steps > long.MaxValue ? long.MaxValue : (long)steps;
            if (count > Limits.MaxTensorElements) throw new LimitExceededException($"node '{ctx.Name}' (Range)", $"{count} elements", Limits.MaxTensorElements);
            return ConstTensor.FromLongs([(int)count], Enumerable.Range(0, (int)count).Select(i => s + i * dl).ToArray(), start.OnnxType);
        }
        float fs = (float)start.GetDouble(0), fl = (float)limit.GetDouble(0), fd = (float)delta.GetDouble(0);
        if (fd == 0) throw ctx.Malformed("delta is 0.");
        long c = Math.Max(0, (long)Math.Ceiling((fl - fs) / fd));
        if (c > Limits.MaxTensorElements) throw new LimitExceededException($"node '{ctx.Name}' (Range)", $"{c} elements", Limits.MaxTensorElements);
        return ConstTensor.FromFloats([(int)c], Enumerable.Range(0, (int)c).Select(i => fs + i * fd).ToArray());
    }

    private static ConstTensor Unary(NodeContext ctx, ConstTensor x, Func<float, float> f, Func<SymInt, SymInt>? i)
    {
        if (x.Kind == ConstKind.Float) return ConstTensor.FromFloats(x.Dims, x.Floats!.Select(f).ToArray(), x.OnnxType);
        if (i is null) throw ctx.Unsupported("is not supported on integers.");
        return ConstTensor.FromInts(x.Dims, x.Ints!.Select(i).ToArray(), x.OnnxType);
    }

    private static ConstTensor Binary(NodeContext ctx, string op, ConstTensor a, ConstTensor b)
    {
        var outDims = BroadcastDims(ctx, a.Dims, b.Dims);
        int n = (int)Prod(outDims);
        var ia = BroadcastIndex(a.Dims, outDims);
        var ib = BroadcastIndex(b.Dims, outDims);
        bool floats = a.Kind == ConstKind.Float || b.Kind == ConstKind.Float;
        if (op == "Equal")
        {
            var eq = new SymInt[n];
            for (int i = 0; i < n; i++)
            {
                if (floats) { eq[i] = SymInt.Of(a.GetDouble(ia[i]) == b.GetDouble(ib[i]) ? 1 : 0); continue; }
                SymInt x = a.Ints![ia[i]], y = b.Ints![ib[i]];
                if (x.Batch != y.Batch && !(x.Coef == 0 && y.Coef == 0))
                    throw ctx.Unsupported($"compares {x} with {y}, which depends on the batch size.");
                eq[i] = SymInt.Of(x == y ? 1 : 0);
            }
            return ConstTensor.FromInts(outDims, eq, ConstTensor.TypeBool);
        }
        if (floats)
        {
            if (a.Kind != b.Kind && op != "Pow") throw ctx.Malformed($"mixes float and integer operands.");
            var r = new float[n];
            for (int i = 0; i < n; i++)
            {
                float x = (float)a.GetDouble(ia[i]), y = (float)b.GetDouble(ib[i]);
                r[i] = op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, "Div" => x / y, _ => MathF.Pow(x, y) };
            }
            return ConstTensor.FromFloats(outDims, r, a.Kind == ConstKind.Float ? a.OnnxType : b.OnnxType);
        }
        var s = new SymInt[n];
        for (int i = 0; i < n; i++)
        {
            SymInt x = a.Ints![ia[i]], y = b.Ints![ib[i]];
            s[i] = op switch
            {
                "Add" => AddSym(ctx, x, y, 1),
                "Sub" => AddSym(ctx, x, y, -1),
                "Mul" => MulSym(ctx, x, y),
                "Div" => DivSym(ctx, x, y),
                _ => x.IsKnown && y.IsKnown ? SymInt.Of((long)Math.Pow(x.Coef, y.Coef)) : throw ctx.Unsupported($"raises {x} to {y}, which depends on the batch size."),
            };
        }
        return ConstTensor.FromInts(outDims, s, a.OnnxType);
    }

    // ---- symbolic integers ---------------------------------------------------------------------------------

    private static SymInt AddSym(NodeContext ctx, SymInt x, SymInt y, int sign)
    {
        if (x.Batch == y.Batch)
        {
            long sum = Checked(ctx, () => checked(x.Coef + sign * y.Coef), $"{x} {(sign > 0 ? "+" : "−")} {y}");
            return new SymInt(sum, x.Batch && sum != 0);
        }
        if (y.Coef == 0) return x;
        if (x.Coef == 0) return new SymInt(sign * y.Coef, y.Batch);
        throw ctx.Unsupported($"computes {x} {(sign > 0 ? "+" : "−")} {y}; SharpConv folds shape arithmetic only as multiples of the batch size N.");
    }

    /// <summary>Shape arithmetic that overflows 64 bits is a size no tensor can have: a <see cref="LimitExceededException"/>.</summary>
    private static long Checked(NodeContext ctx, Func<long> compute, string what)
    {
        try { return compute(); }
        catch (OverflowException) { throw new LimitExceededException($"node '{ctx.Name}' ({ctx.OpType})", $"shape arithmetic {what} overflows 64 bits", Limits.MaxTensorElements); }
    }

    /// <summary>x·y, where at most one factor depends on the batch size.</summary>
    public static SymInt MulSym(NodeContext ctx, SymInt x, SymInt y)
    {
        if (x.Batch && y.Batch) throw ctx.Unsupported($"computes {x}·{y} (N²); SharpConv folds shape arithmetic only as multiples of the batch size N.");
        long c = Checked(ctx, () => checked(x.Coef * y.Coef), $"{x}·{y}");
        return new SymInt(c, (x.Batch || y.Batch) && c != 0);
    }

    /// <summary>x / y (integer division) when the result is a constant or a whole multiple of N.</summary>
    public static SymInt DivSym(NodeContext ctx, SymInt x, SymInt y)
    {
        if (y.Coef == 0) throw ctx.Malformed("divides by zero while folding shapes.");
        if (x.Batch && y.Batch)
        {
            if (x.Coef % y.Coef != 0) throw ctx.Unsupported($"computes {x} / {y}, which is not a whole number.");
            return SymInt.Of(x.Coef / y.Coef);
        }
        if (y.Batch) throw ctx.Unsupported($"divides {x} by {y}, which depends on the batch size.");
        if (x.Batch && x.Coef % y.Coef != 0) throw ctx.Unsupported($"computes {x} / {y}, which is not a whole multiple of N.");
        return new SymInt(x.Coef / y.Coef, x.Batch);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>An axis in [−rank, rank) made non-negative.</summary>
    public static int NormalizeAxis(NodeContext ctx, long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw ctx.Malformed($"axis {axis} is outside a rank-{rank} tensor.");
        return (int)a;
    }

    /// <summary>The product of some dimensions.</summary>
    public static long Prod(IEnumerable<int> dims) { long n = 1; foreach (int d in dims) n *= d; return n; }

    private static long[] Strides(int[] dims)
    {
        var s = new long[dims.Length];
        long st = 1;
        for (int i = dims.Length - 1; i >= 0; i--) { s[i] = st; st *= dims[i]; }
        return s;
    }

    /// <summary>NumPy broadcasting of two shapes.</summary>
    public static int[] BroadcastDims(NodeContext ctx, int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1) throw ctx.Malformed($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast.");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    private static int[] BroadcastIndex(int[] dims, int[] outDims)
    {
        int n = (int)Prod(outDims);
        var r = new int[n];
        int rank = outDims.Length, off = rank - dims.Length;
        var strides = new long[rank];
        long st = 1;
        for (int i = rank - 1; i >= off; i--) { strides[i] = dims[i - off] == 1 ? 0 : st; st *= dims[i - off]; }
        var index = new int[rank];
        for (int o = 0; o < n; o++)
        {
            long at = 0;
            for (int d = 0; d < rank; d++) at += index[d] * strides[d];
            r[o] = (int)at;
            for (int d = rank - 1; d >= 0; d--) { if (++index[d] < outDims[d]) break; index[d] = 0; }
        }
        return r;
    }

    /// <summary>Builds a tensor of <paramref name="outDims"/> whose element o is source element map[o].</summary>
    private static ConstTensor Map(ConstTensor x, int[] outDims, Action<int, int[]> fill)
    {
        long n = Prod(outDims);
        if (n > Limits.MaxTensorElements) throw new LimitExceededException("folded constant", $"{n:N0} elements", Limits.MaxTensorElements);
        var map = new int[n];
        fill(0, map);
        return x.Kind == ConstKind.Float
            ? ConstTensor.FromFloats(outDims, map.Select(i => x.Floats![i]).ToArray(), x.OnnxType)
            : ConstTensor.FromInts(outDims, map.Select(i => x.Ints![i]).ToArray(), x.OnnxType);
    }
}

/// <summary>ONNX Slice parameters resolved against a shape: per-axis start, step and count (all axes).</summary>
internal sealed class SliceSpec
{
    /// <summary>
    /// Reads a Slice node's starts/ends/axes/steps (attributes before opset 10, constant inputs since), with ONNX's
    /// defaults (all leading axes, step 1), checking that the four lists have one entry per sliced axis.
    /// </summary>
    public static (long[] Starts, long[] Ends, long[] Axes, long[] Steps) ReadArguments(NodeContext ctx)
    {
        long[] starts, ends; long[]? axes, steps;
        if (ctx.Opset < 10)
        {
            starts = ctx.Ints("starts") ?? throw ctx.Malformed("has no starts.");
            ends = ctx.Ints("ends") ?? throw ctx.Malformed("has no ends.");
            axes = ctx.Ints("axes"); steps = null;
        }
        else
        {
            starts = ctx.ConstInput(1, "starts").ToLongs($"node '{ctx.Name}' starts");
            ends = ctx.ConstInput(2, "ends").ToLongs($"node '{ctx.Name}' ends");
            axes = ctx.OptionalConstInput(3, "axes")?.ToLongs($"node '{ctx.Name}' axes");
            steps = ctx.OptionalConstInput(4, "steps")?.ToLongs($"node '{ctx.Name}' steps");
        }
        if (starts.Length != ends.Length) throw ctx.Malformed("starts and ends differ in length.");
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (axes.Length != starts.Length || steps.Length != starts.Length) throw ctx.Malformed("starts, ends, axes and steps differ in length.");
        return (starts, ends, axes, steps);
    }

    public required long[] Start { get; init; }
    public required long[] Step { get; init; }
    public required int[] Count { get; init; }

    /// <summary>The output dimensions.</summary>
    public int[] OutputDims(int[] dims) => Count;

    /// <summary>
    /// Reads starts/ends/axes/steps (inputs since opset 10, attributes before) and clamps them against
    /// <paramref name="dims"/> the way ONNX specifies (INT64_MAX ends are common: "to the end").
    /// </summary>
    public static SliceSpec From(NodeContext ctx, long[] dims)
    {
        var (starts, ends, axes, steps) = ReadArguments(ctx);
        int rank = dims.Length;
        var start = new long[rank]; var step = new long[rank]; var count = new int[rank];
        for (int d = 0; d < rank; d++) { start[d] = 0; step[d] = 1; count[d] = (int)dims[d]; }
        var seen = new bool[rank];
        for (int i = 0; i < axes.Length; i++)
        {
            int ax = ConstantFolder.NormalizeAxis(ctx, axes[i], rank);
            if (seen[ax]) throw ctx.Malformed($"axis {axes[i]} is sliced twice.");
            seen[ax] = true;
            long len = dims[ax], st = steps[i];
            if (st == 0) throw ctx.Malformed("a step is 0.");
            long s = starts[i], e = ends[i];
            if (s < 0) s += len;
            if (e < 0) e += len;
            if (st > 0) { s = Math.Clamp(s, 0, len); e = Math.Clamp(e, 0, len); }
            else if (len == 0) { s = 0; e = 0; } // nothing to take (and Clamp(…, 0, −1) would throw)
            else { s = Math.Clamp(s, 0, len - 1); e = Math.Clamp(e, -1, len - 1); }
            // Counts as 1 + (distance − 1) / |step|: no overflow for a step near ±2^63.
            long absStep = st == long.MinValue ? long.MaxValue : Math.Abs(st);
            long n = st > 0 ? (e > s ? 1 + (e - s - 1) / absStep : 0) : (s > e ? 1 + (s - e - 1) / absStep : 0);
            start[ax] = s; step[ax] = st; count[ax] = (int)n;
        }
        return new SliceSpec { Start = start, Step = step, Count = count };
    }
}
