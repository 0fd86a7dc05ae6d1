using System.Buffers.Binary;
using Google.Protobuf;
using SharpConv.Onnx.Protobuf;
using static SharpConv.Onnx.Protobuf.AttributeProto.Types;

namespace SharpConv.Fuzz;

/// <summary>
/// Mutates ONNX models: structure-aware edits of the parsed <c>ModelProto</c> (nodes, initializers, value infos,
/// attributes, opsets, injected shape blow-ups) and byte-level edits of the serialized file (bit flips, insertions,
/// deletions, truncation). Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class OnnxMutator
{
    private static readonly string[] OpTypes =
    [
        "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "LRN", "Gemm", "MatMul",
        "Relu", "LeakyRelu", "Clip", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Flatten", "Reshape", "Concat", "Add", "Sub",
        "Mul", "Div", "Pow", "Sum", "Mean", "ReduceMean", "Pad", "Slice", "Transpose", "Squeeze", "Unsqueeze", "Dropout",
        "Identity", "Constant", "Shape", "Size", "Gather", "ConstantOfShape", "Cast", "Equal", "Neg", "Sqrt", "Range", "If",
        "Expand", "Tile", "Resize", "NotAnOp",
    ];

    private static readonly string[] IntAttributes = ["group", "axis", "ceil_mode", "count_include_pad", "transA", "transB", "keepdims", "allowzero", "size", "to", "training_mode", "noop_with_empty_axes", "start", "end", "storage_order"];
    private static readonly string[] IntsAttributes = ["kernel_shape", "strides", "pads", "dilations", "perm", "axes", "shape", "starts", "ends", "value_ints"];
    private static readonly string[] FloatAttributes = ["alpha", "beta", "epsilon", "bias", "momentum", "min", "max", "value_float", "ratio"];
    private static readonly string[] Strings = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "constant", "reflect", "edge", "wrap", "", "x"];

    private static readonly long[] AbsurdInts =
    [
        0, -1, -2, 1, 2, 3, 7, 255, 1 << 16, int.MaxValue, (long)int.MaxValue + 1, uint.MaxValue, 1L << 40, 1_000_000_000_000,
        long.MaxValue, long.MinValue, int.MinValue, -1_000_000, 100_000,
    ];

    private static readonly float[] AbsurdFloats = [0f, -1f, 1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 1e-45f, float.MaxValue];

    private static readonly int[] Opsets = [-1, 0, 1, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 21, 25, 26, 1000, int.MaxValue];

    private readonly Random _rng;

    /// <summary>Creates a mutator drawing from <paramref name="rng"/>.</summary>
    public OnnxMutator(Random rng) => _rng = rng;

    /// <summary>The names of the mutations, in the order their indices are reported.</summary>
    public static readonly string[] MutationNames =
    [
        "bytes", "duplicate-node", "remove-node", "swap-nodes", "duplicate-initializer", "remove-initializer", "rewire-input",
        "rename-output", "initializer-dims", "initializer-type", "initializer-data", "value-info", "attribute-value",
        "attribute-type", "remove-attribute", "add-attribute", "opset", "op-type", "inject-blowup", "node-arity",
        "graph-outputs", "constant-node", "truncate",
    ];

    /// <summary>
    /// Makes one mutant of <paramref name="seed"/> (the parsed seed model, left unchanged) and returns its bytes;
    /// <paramref name="applied"/> lists the mutations used.
    /// </summary>
    public byte[] Mutate(ModelProto seed, byte[] seedBytes, List<string> applied)
    {
        // A quarter of the cases are pure byte-level mutants of the file; the rest are structural, some with bytes on top.
        if (_rng.Next(4) == 0)
        {
            applied.Add(MutationNames[0]);
            return MutateBytes(seedBytes);
        }
        var m = seed.Clone();
        int count = 1 + _rng.Next(3);
        for (int k = 0; k < count; k++)
        {
            int which = 1 + _rng.Next(MutationNames.Length - 2);
            applied.Add(MutationNames[which]);
            try { Apply(m, which); }
            catch (ArgumentException) { /* a protobuf setter refused the value (e.g. null); the mutation is skipped */ }
        }
        var bytes = m.ToByteArray();
        int tail = _rng.Next(10);
        if (tail == 0) { applied.Add("bytes"); bytes = MutateBytes(bytes); }
        else if (tail == 1) { applied.Add("truncate"); bytes = bytes[..(bytes.Length == 0 ? 0 : _rng.Next(bytes.Length))]; }
        return bytes;
    }

    private void Apply(ModelProto m, int which)
    {
        var g = m.Graph;
        switch (MutationNames[which])
        {
            case "duplicate-node":
                if (g.Node.Count > 0) g.Node.Insert(_rng.Next(g.Node.Count + 1), Pick(g.Node).Clone());
                break;
            case "remove-node":
                if (g.Node.Count > 0) g.Node.RemoveAt(_rng.Next(g.Node.Count));
                break;
            case "swap-nodes":
                if (g.Node.Count > 1)
                {
                    int a = _rng.Next(g.Node.Count), b = _rng.Next(g.Node.Count);
                    (g.Node[a], g.Node[b]) = (g.Node[b].Clone(), g.Node[a].Clone());
                }
                break;
            case "duplicate-initializer":
                if (g.Initializer.Count > 0) g.Initializer.Add(Pick(g.Initializer).Clone());
                break;
            case "remove-initializer":
                if (g.Initializer.Count > 0) g.Initializer.RemoveAt(_rng.Next(g.Initializer.Count));
                break;
            case "rewire-input":
            {
                // Point an input at another value: often a later node's output (a cycle), itself, or a name nobody defines.
                if (g.Node.Count == 0) break;
                var n = Pick(g.Node);
                if (n.Input.Count == 0) { n.Input.Add(AnyName(g)); break; }
                n.Input[_rng.Next(n.Input.Count)] = _rng.Next(3) switch
                {
                    0 => n.Output.Count > 0 ? n.Output[0] : "self",
                    1 => AnyName(g),
                    _ => "missing_" + _rng.Next(100),
                };
                break;
            }
            case "rename-output":
            {
                if (g.Node.Count == 0) break;
                var n = Pick(g.Node);
                if (n.Output.Count == 0) { n.Output.Add(AnyName(g)); break; }
                n.Output[_rng.Next(n.Output.Count)] = _rng.Next(4) == 0 ? "" : AnyName(g);
                break;
            }
            case "initializer-dims":
            {
                var t = PickTensor(m);
                if (t is null) break;
                MutateDims(t.Dims);
                break;
            }
            case "initializer-type":
            {
                var t = PickTensor(m);
                if (t is not null) t.DataType = _rng.Next(3) == 0 ? _rng.Next(-2, 30) : new[] { 1, 6, 7, 9, 10, 11, 16 }[_rng.Next(7)];
                break;
            }
            case "initializer-data":
            {
                var t = PickTensor(m);
                if (t is null) break;
                switch (_rng.Next(5))
                {
                    case 0: t.RawData = ByteString.CopyFrom(t.RawData.Span[..(t.RawData.Length == 0 ? 0 : _rng.Next(t.RawData.Length))]); break;
                    case 1: t.ClearRawData(); t.FloatData.Add(AbsurdFloats[_rng.Next(AbsurdFloats.Length)]); break;
                    case 2: t.ClearRawData(); for (int i = 0; i < 4; i++) t.Int64Data.Add(Pick(AbsurdInts)); break;
                    case 3:
                    {
                        // Poison values in place: NaN, ∞, huge, or (for integer tensors) absurd shapes and axes.
                        if (t.RawData.Length == 0) break;
                        var raw = t.RawData.ToByteArray();
                        int size = t.DataType is 7 or 11 ? 8 : 4;
                        for (int k = 0; k < 1 + _rng.Next(4) && raw.Length >= size; k++)
                        {
                            int at = _rng.Next(raw.Length / size) * size;
                            if (size == 8) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(at), Pick(AbsurdInts));
                            else BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(at), Pick(AbsurdFloats));
                        }
                        t.RawData = ByteString.CopyFrom(raw);
                        break;
                    }
                    default:
                        t.DataLocation = TensorProto.Types.DataLocation.External;
                        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = _rng.Next(2) == 0 ? "../../etc/passwd" : "weights.bin" });
                        break;
                }
                break;
            }
            case "value-info":
            {
                var infos = new List<ValueInfoProto>();
                infos.AddRange(g.Input); infos.AddRange(g.Output); infos.AddRange(g.ValueInfo);
                if (infos.Count == 0) break;
                var vi = Pick(infos);
                vi.Type ??= new TypeProto();
                switch (_rng.Next(4))
                {
                    case 0:
                        vi.Type.TensorType ??= new TypeProto.Types.Tensor { ElemType = 1 };
                        vi.Type.TensorType.ElemType = _rng.Next(-1, 20);
                        break;
                    case 1:
                        vi.Type.SequenceType = new TypeProto.Types.Sequence();
                        break;
                    default:
                    {
                        vi.Type.TensorType ??= new TypeProto.Types.Tensor { ElemType = 1 };
                        var shape = vi.Type.TensorType.Shape ??= new TensorShapeProto();
                        int op = _rng.Next(4);
                        if (op == 0 || shape.Dim.Count == 0) shape.Dim.Insert(_rng.Next(shape.Dim.Count + 1), new TensorShapeProto.Types.Dimension { DimValue = SmallOrAbsurd() });
                        else if (op == 1) shape.Dim.RemoveAt(_rng.Next(shape.Dim.Count));
                        else if (op == 2) shape.Dim[_rng.Next(shape.Dim.Count)] = new TensorShapeProto.Types.Dimension { DimParam = "sym" + _rng.Next(3) };
                        else shape.Dim[_rng.Next(shape.Dim.Count)] = new TensorShapeProto.Types.Dimension { DimValue = SmallOrAbsurd() };
                        break;
                    }
                }
                break;
            }
            case "attribute-value":
            {
                var a = PickAttribute(g);
                if (a is null) break;
                switch (a.Type)
                {
                    case AttributeType.Int: a.I = Pick(AbsurdInts); break;
                    case AttributeType.Ints:
                        if (a.Ints.Count == 0 || _rng.Next(4) == 0) a.Ints.Add(Pick(AbsurdInts));
                        else a.Ints[_rng.Next(a.Ints.Count)] = Pick(AbsurdInts);
                        if (_rng.Next(4) == 0 && a.Ints.Count > 0) a.Ints.RemoveAt(_rng.Next(a.Ints.Count));
                        break;
                    case AttributeType.Float: a.F = Pick(AbsurdFloats); break;
                    case AttributeType.Floats: a.Floats.Add(Pick(AbsurdFloats)); break;
                    case AttributeType.String: a.S = ByteString.CopyFromUtf8(Pick(Strings)); break;
                    case AttributeType.Tensor when a.T is not null: MutateDims(a.T.Dims); break;
                    default: a.I = Pick(AbsurdInts); break;
                }
                break;
            }
            case "attribute-type":
            {
                var a = PickAttribute(g);
                if (a is not null) a.Type = (AttributeType)_rng.Next(0, 15);
                break;
            }
            case "remove-attribute":
            {
                if (g.Node.Count == 0) break;
                var n = Pick(g.Node);
                if (n.Attribute.Count > 0) n.Attribute.RemoveAt(_rng.Next(n.Attribute.Count));
                break;
            }
            case "add-attribute":
            {
                if (g.Node.Count == 0) break;
                var n = Pick(g.Node);
                AttributeProto a = _rng.Next(4) switch
                {
                    0 => new AttributeProto { Name = Pick(IntAttributes), Type = AttributeType.Int, I = Pick(AbsurdInts) },
                    1 => new AttributeProto { Name = Pick(FloatAttributes), Type = AttributeType.Float, F = Pick(AbsurdFloats) },
                    2 => new AttributeProto { Name = "auto_pad", Type = AttributeType.String, S = ByteString.CopyFromUtf8(Pick(Strings)) },
                    _ => IntsAttribute(Pick(IntsAttributes)),
                };
                // Replace an attribute of the same name half of the time; else add (possibly a duplicate).
                int existing = -1;
                for (int i = 0; i < n.Attribute.Count; i++) if (n.Attribute[i].Name == a.Name) existing = i;
                if (existing >= 0 && _rng.Next(2) == 0) n.Attribute[existing] = a; else n.Attribute.Add(a);
                break;
            }
            case "opset":
                if (_rng.Next(5) == 0) m.IrVersion = Pick(AbsurdInts);
                else if (m.OpsetImport.Count == 0 || _rng.Next(6) == 0) m.OpsetImport.Add(new OperatorSetIdProto { Domain = _rng.Next(2) == 0 ? "" : "com.microsoft", Version = Pick(Opsets) });
                else Pick(m.OpsetImport).Version = Pick(Opsets);
                break;
            case "op-type":
                if (g.Node.Count > 0)
                {
                    var n = Pick(g.Node);
                    n.OpType = Pick(OpTypes);
                    if (_rng.Next(8) == 0) n.Domain = "ai.onnx.ml";
                }
                break;
            case "inject-blowup":
                InjectBlowup(g);
                break;
            case "node-arity":
            {
                if (g.Node.Count == 0) break;
                var n = Pick(g.Node);
                int op = _rng.Next(4);
                if (op == 0 && n.Input.Count > 0) n.Input.RemoveAt(_rng.Next(n.Input.Count));
                else if (op == 1) n.Input.Add(_rng.Next(3) == 0 ? "" : AnyName(g));
                else if (op == 2 && n.Output.Count > 0) n.Output.RemoveAt(_rng.Next(n.Output.Count));
                else n.Output.Add("extra_" + _rng.Next(100));
                break;
            }
            case "graph-outputs":
            {
                int op = _rng.Next(3);
                if (op == 0 && g.Output.Count > 0) g.Output.RemoveAt(_rng.Next(g.Output.Count));
                else if (op == 1) g.Output.Add(new ValueInfoProto { Name = AnyName(g) });
                else if (g.Input.Count > 0) g.Input.Add(Pick(g.Input).Clone());
                break;
            }
            case "constant-node":
            {
                // A Constant whose value has absurd dims, or a value_ints shape, feeding an existing node.
                if (g.Node.Count == 0) break;
                var target = Pick(g.Node);
                string name = "const_" + _rng.Next(1000);
                var t = new TensorProto { DataType = _rng.Next(2) == 0 ? 1 : 7 };
                MutateDims(t.Dims);
                if (_rng.Next(2) == 0) t.RawData = ByteString.CopyFrom(new byte[_rng.Next(64)]);
                var node = new NodeProto { OpType = "Constant", Name = name };
                node.Output.Add(name);
                node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeType.Tensor, T = t });
                g.Node.Insert(0, node);
                if (target.Input.Count > 0) target.Input[_rng.Next(target.Input.Count)] = name; else target.Input.Add(name);
                break;
            }
        }
    }

    /// <summary>
    /// Inserts a shape blow-up between the graph input and its first consumer: Reshape, Expand or Tile to an absurd
    /// shape, ConstantOfShape or Range of an absurd size, or a long chain of Identity nodes.
    /// </summary>
    private void InjectBlowup(GraphProto g)
    {
        if (g.Input.Count == 0 || g.Node.Count == 0) return;
        string x = g.Input[0].Name;
        string id = "blowup_" + _rng.Next(1_000_000);
        var dims = new List<long> { 1 };
        int rank = 1 + _rng.Next(5);
        for (int i = 0; i < rank; i++) dims.Add(_rng.Next(3) == 0 ? Pick(AbsurdInts) : 1L << _rng.Next(4, 20));
        var shape = new TensorProto { Name = id + "_shape", DataType = 7 };
        shape.Dims.Add(dims.Count);
        shape.Int64Data.AddRange(dims);
        g.Initializer.Add(shape);
        NodeProto node;
        string output = id + "_out";
        switch (_rng.Next(6))
        {
            case 0: node = new NodeProto { OpType = "Reshape", Input = { x, shape.Name } }; break;
            case 1: node = new NodeProto { OpType = "Expand", Input = { x, shape.Name } }; break;
            case 2: node = new NodeProto { OpType = "Tile", Input = { x, shape.Name } }; break;
            case 3:
            {
                // ConstantOfShape(shape) + x: a folded constant the size of the product of dims.
                var cos = new NodeProto { OpType = "ConstantOfShape", Name = id + "_cos", Input = { shape.Name }, Output = { id + "_c" } };
                g.Node.Insert(0, cos);
                node = new NodeProto { OpType = "Add", Input = { x, id + "_c" } };
                break;
            }
            case 4:
            {
                // Range(0, huge, 1) folded at load.
                TensorProto Scalar(string n, long v) { var t = new TensorProto { Name = n, DataType = 7 }; t.Int64Data.Add(v); return t; }
                g.Initializer.Add(Scalar(id + "_start", 0));
                g.Initializer.Add(Scalar(id + "_limit", Pick(AbsurdInts)));
                g.Initializer.Add(Scalar(id + "_delta", _rng.Next(2) == 0 ? 1 : Pick(AbsurdInts)));
                var range = new NodeProto { OpType = "Range", Name = id + "_range", Input = { id + "_start", id + "_limit", id + "_delta" }, Output = { id + "_r" } };
                g.Node.Insert(0, range);
                node = new NodeProto { OpType = "Reshape", Input = { id + "_r", shape.Name } };
                break;
            }
            default:
            {
                // A long chain: deep, but every node is fine.
                string prev = x;
                int length = 50 + _rng.Next(2000);
                for (int i = 0; i < length; i++)
                {
                    string o = $"{id}_{i}";
                    g.Node.Insert(i, new NodeProto { OpType = _rng.Next(2) == 0 ? "Identity" : "Relu", Name = o, Input = { prev }, Output = { o } });
                    prev = o;
                }
                node = new NodeProto { OpType = "Identity", Input = { prev } };
                break;
            }
        }
        node.Name = id;
        node.Output.Add(output);
        // Rewire the first reader of x (after the injected nodes) to the blow-up's output.
        foreach (var n in g.Node)
        {
            if (n.Name.StartsWith(id, StringComparison.Ordinal)) continue;
            int at = n.Input.IndexOf(x);
            if (at >= 0) { n.Input[at] = output; break; }
        }
        int insertAt = 0;
        while (insertAt < g.Node.Count && g.Node[insertAt].Name.StartsWith(id, StringComparison.Ordinal)) insertAt++;
        g.Node.Insert(insertAt, node);
    }

    private AttributeProto IntsAttribute(string name)
    {
        var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
        int count = _rng.Next(6);
        for (int i = 0; i < count; i++) a.Ints.Add(_rng.Next(3) == 0 ? Pick(AbsurdInts) : _rng.Next(-2, 5));
        return a;
    }

    private void MutateDims(Google.Protobuf.Collections.RepeatedField<long> dims)
    {
        int op = _rng.Next(4);
        if (op == 0 || dims.Count == 0) dims.Insert(_rng.Next(dims.Count + 1), SmallOrAbsurd());
        else if (op == 1) dims.RemoveAt(_rng.Next(dims.Count));
        else dims[_rng.Next(dims.Count)] = SmallOrAbsurd();
    }

    private long SmallOrAbsurd() => _rng.Next(2) == 0 ? _rng.Next(0, 8) : Pick(AbsurdInts);

    private string AnyName(GraphProto g)
    {
        var names = new List<string>();
        foreach (var n in g.Node) names.AddRange(n.Output);
        foreach (var i in g.Input) names.Add(i.Name);
        foreach (var t in g.Initializer) names.Add(t.Name);
        return names.Count == 0 ? "x" : Pick(names);
    }

    private TensorProto? PickTensor(ModelProto m)
    {
        var all = new List<TensorProto>(m.Graph.Initializer);
        foreach (var n in m.Graph.Node)
            foreach (var a in n.Attribute)
                if (a.T is not null) all.Add(a.T);
        return all.Count == 0 ? null : Pick(all);
    }

    private AttributeProto? PickAttribute(GraphProto g)
    {
        var all = new List<AttributeProto>();
        foreach (var n in g.Node) all.AddRange(n.Attribute);
        return all.Count == 0 ? null : Pick(all);
    }

    private T Pick<T>(IList<T> items) => items[_rng.Next(items.Count)];

    /// <summary>Byte-level mutations: bit flips, random bytes, insertions, deletions, duplication of a slice, truncation.</summary>
    public byte[] MutateBytes(byte[] input) => ByteMutator.Mutate(_rng, input);
}

/// <summary>Format-agnostic byte mutations shared by the model and image fuzzers.</summary>
public static class ByteMutator
{
    /// <summary>Applies 1–8 random byte-level edits, biased towards the start of the data (headers).</summary>
    public static byte[] Mutate(Random rng, byte[] input)
    {
        var data = new List<byte>(input);
        int edits = 1 + rng.Next(8);
        for (int k = 0; k < edits; k++)
        {
            if (data.Count == 0) { data.Add((byte)rng.Next(256)); continue; }
            int pos = rng.Next(3) == 0 ? rng.Next(Math.Min(data.Count, 64)) : rng.Next(data.Count);
            switch (rng.Next(7))
            {
                case 0: data[pos] ^= (byte)(1 << rng.Next(8)); break;
                case 1: data[pos] = (byte)rng.Next(256); break;
                case 2: data[pos] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0; break;
                case 3:
                {
                    var ins = new byte[1 + rng.Next(16)];
                    rng.NextBytes(ins);
                    data.InsertRange(pos, ins);
                    break;
                }
                case 4: data.RemoveRange(pos, Math.Min(data.Count - pos, 1 + rng.Next(16))); break;
                case 5:
                {
                    int len = Math.Min(data.Count - pos, 1 + rng.Next(64));
                    var slice = data.GetRange(pos, len);
                    data.InsertRange(rng.Next(data.Count + 1), slice);
                    break;
                }
                default: data.RemoveRange(pos, data.Count - pos); break;
            }
        }
        return data.ToArray();
    }
}
