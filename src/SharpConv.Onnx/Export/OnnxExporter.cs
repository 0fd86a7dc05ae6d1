using Google.Protobuf;
using SharpConv.Graph;
using SharpConv.Onnx.Import;
using SharpConv.Onnx.Protobuf;
using SharpConv.Ops;

namespace SharpConv.Onnx;

/// <summary>
/// Writes a <see cref="Network"/> as an ONNX model (opset 13, IR version 7, weights inline) with a dynamic batch
/// dimension, so that other runtimes — and <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/> — can run it.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The opset written.</summary>
    public const int Opset = 13;

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/>.</summary>
    /// <exception cref="UnsupportedOperatorException">A layer has no ONNX equivalent (the message names it).</exception>
    public static void Save(Network network, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllBytes(path, ToBytes(network));
    }

    /// <summary>Writes <paramref name="network"/> to a stream.</summary>
    public static void Save(Network network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = ToBytes(network);
        stream.Write(bytes, 0, bytes.Length);
    }

    /// <summary>The ONNX bytes of <paramref name="network"/>.</summary>
    public static byte[] ToBytes(Network network) => Build(network).ToByteArray();

    internal static ModelProto Build(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var g = new GraphProto { Name = network.Name };
        var writer = new Writer(g);
        foreach (var node in network.Nodes) writer.Add(node);
        foreach (var o in network.Outputs) g.Output.Add(ValueInfo(o.Name, o.OutputShape, dynamicBatch: true));
        var model = new ModelProto
        {
            IrVersion = 7, ProducerName = "SharpConv", ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, Shape shape, bool dynamicBatch)
    {
        var s = new TensorShapeProto();
        for (int i = 0; i < shape.Rank; i++)
            s.Dim.Add(i == 0 && dynamicBatch ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = s } } };
    }

    private sealed class Writer(GraphProto graph)
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        private string Unique(string name)
        {
            if (_names.Add(name)) return name;
            for (int i = 2; ; i++) if (_names.Add($"{name}_{i}")) return $"{name}_{i}";
        }

        private string Init(string name, Tensor t)
        {
            string n = Unique(name);
            graph.Initializer.Add(TensorReader.FromTensor(n, t));
            return n;
        }

        private string Longs(string name, params long[] values)
        {
            string n = Unique(name);
            graph.Initializer.Add(TensorReader.FromLongs(n, values));
            return n;
        }

        private string Scalar(string name, float v) => Init(name, new Tensor(new Shape(), [v]));

        private NodeProto Emit(string op, string name, string output, params string[] inputs)
        {
            var n = new NodeProto { OpType = op, Name = Unique(name) };
            n.Input.AddRange(inputs); n.Output.Add(output);
            graph.Node.Add(n);
            return n;
        }

        private static AttributeProto Attr(string name, long v) => new() { Name = name, I = v, Type = AttributeProto.Types.AttributeType.Int };
        private static AttributeProto Attr(string name, float v) => new() { Name = name, F = v, Type = AttributeProto.Types.AttributeType.Float };
        private static AttributeProto Attr(string name, string v) => new() { Name = name, S = ByteString.CopyFromUtf8(v), Type = AttributeProto.Types.AttributeType.String };
        private static AttributeProto Attr(string name, IEnumerable<long> v)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(v);
            return a;
        }

        public void Add(Node node)
        {
            string y = node.Name;
            _names.Add(y);
            var x = node.Inputs.Select(i => i.Name).ToArray();
            string X = x.Length > 0 ? x[0] : "";
            switch (node.Op)
            {
                case Input:
                    graph.Input.Add(ValueInfo(y, node.OutputShape, dynamicBatch: true));
                    break;
                case Constant c:
                    graph.Initializer.Add(TensorReader.FromTensor(y, c.Value));
                    break;
                case Conv2d conv:
                {
                    var inputs = new List<string> { X, Init($"{y}.weight", conv.Weight.Value) };
                    if (conv.Bias is { } b) inputs.Add(Init($"{y}.bias", b.Value));
                    var n = Emit("Conv", y, y, inputs.ToArray());
                    n.Attribute.Add(Attr("kernel_shape", [conv.KernelH, conv.KernelW]));
                    n.Attribute.Add(Attr("strides", [conv.StrideH, conv.StrideW]));
                    n.Attribute.Add(Attr("pads", [conv.Padding.Top, conv.Padding.Left, conv.Padding.Bottom, conv.Padding.Right]));
                    n.Attribute.Add(Attr("dilations", [conv.DilationH, conv.DilationW]));
                    n.Attribute.Add(Attr("group", conv.Groups));
                    break;
                }
                case MaxPool2d mp: Pool2d("MaxPool", mp.Window, null, node, X); break;
                case AvgPool2d ap: Pool2d("AveragePool", ap.Window, ap.CountIncludePad, node, X); break;
                case PoolNd pn:
                {
                    var n = Emit(pn.IsMax ? "MaxPool" : "AveragePool", y, y, X);
                    n.Attribute.Add(Attr("kernel_shape", pn.Kernel.Select(v => (long)v)));
                    n.Attribute.Add(Attr("strides", pn.Strides.Select(v => (long)v)));
                    n.Attribute.Add(Attr("pads", pn.Pads.Select(v => (long)v)));
                    n.Attribute.Add(Attr("ceil_mode", pn.CeilMode ? 1 : 0));
                    if (pn.IsMax) n.Attribute.Add(Attr("dilations", pn.Dilations.Select(v => (long)v)));
                    else
                    {
                        if (pn.Dilations.Any(d => d != 1)) throw Unsupported(node, "dilated average pooling needs opset 19; SharpConv exports opset 13.");
                        n.Attribute.Add(Attr("count_include_pad", pn.CountIncludePad ? 1 : 0));
                    }
                    break;
                }
                case GlobalAvgPool: Emit("GlobalAveragePool", y, y, X); break;
                case GlobalMaxPool: Emit("GlobalMaxPool", y, y, X); break;
                case AdaptiveAvgPool2d ad:
                {
                    var s = node.Inputs[0].OutputShape;
                    if (ad.OutH == 1 && ad.OutW == 1) { Emit("GlobalAveragePool", y, y, X); break; }
                    if (s.H % ad.OutH != 0 || s.W % ad.OutW != 0) { UnevenAdaptivePool(y, X, s.H, s.W, ad.OutH, ad.OutW); break; }
                    int kh = s.H / ad.OutH, kw = s.W / ad.OutW;
                    var n = Emit("AveragePool", y, y, X);
                    n.Attribute.Add(Attr("kernel_shape", [kh, kw]));
                    n.Attribute.Add(Attr("strides", [kh, kw]));
                    break;
                }
                case BatchNorm bn:
                {
                    var n = Emit("BatchNormalization", y, y, X, Init($"{y}.weight", bn.Scale.Value), Init($"{y}.bias", bn.Shift.Value),
                        Init($"{y}.running_mean", bn.RunningMean.Value), Init($"{y}.running_var", bn.RunningVariance.Value));
                    n.Attribute.Add(Attr("epsilon", bn.Epsilon));
                    break;
                }
                case Lrn lrn:
                {
                    var n = Emit("LRN", y, y, X);
                    n.Attribute.Add(Attr("size", lrn.Size)); n.Attribute.Add(Attr("alpha", lrn.Alpha));
                    n.Attribute.Add(Attr("beta", lrn.Beta)); n.Attribute.Add(Attr("bias", lrn.K));
                    break;
                }
                case Linear fc:
                {
                    var inputs = new List<string> { X, Init($"{y}.weight", fc.Weight.Value) };
                    if (fc.Bias is { } b) inputs.Add(Init($"{y}.bias", b.Value));
                    Emit("Gemm", y, y, inputs.ToArray()).Attribute.Add(Attr("transB", 1));
                    break;
                }
                case MatMul: Emit("MatMul", y, y, x); break;
                case Relu: Emit("Relu", y, y, X); break;
                case LeakyRelu lr: Emit("LeakyRelu", y, y, X).Attribute.Add(Attr("alpha", lr.Alpha)); break;
                case Tanh: Emit("Tanh", y, y, X); break;
                case PRelu pr: Emit("PRelu", y, y, X, Init($"{y}.slope", pr.Slope.Value)); break;
                case HardSigmoid hs:
                {
                    var n = Emit("HardSigmoid", y, y, X);
                    n.Attribute.Add(Attr("alpha", hs.Alpha)); n.Attribute.Add(Attr("beta", hs.Beta));
                    break;
                }
                case HardSwish:
                {
                    // HardSwish is opset 14; opset 13 spells it x · HardSigmoid(x; 1/6, 1/2).
                    string gate = Unique($"{y}.gate");
                    var n = Emit("HardSigmoid", $"{y}.hardsigmoid", gate, X);
                    n.Attribute.Add(Attr("alpha", 1f / 6f)); n.Attribute.Add(Attr("beta", 0.5f));
                    Emit("Mul", y, y, X, gate);
                    break;
                }
                case Sigmoid: Emit("Sigmoid", y, y, X); break;
                case Clip clip:
                    Emit("Clip", y, y, X, float.IsNegativeInfinity(clip.Min) ? "" : Scalar($"{y}.min", clip.Min), float.IsPositiveInfinity(clip.Max) ? "" : Scalar($"{y}.max", clip.Max));
                    break;
                case Softmax sm: Emit("Softmax", y, y, X).Attribute.Add(Attr("axis", sm.Axis)); break;
                case LogSoftmax ls: Emit("LogSoftmax", y, y, X).Attribute.Add(Attr("axis", ls.Axis)); break;
                case Concat cat: Emit("Concat", y, y, x).Attribute.Add(Attr("axis", cat.Axis)); break;
                case Ops.Add: Emit("Add", y, y, x); break;
                case Sub: Emit("Sub", y, y, x); break;
                case Mul: Emit("Mul", y, y, x); break;
                case Div: Emit("Div", y, y, x); break;
                case Mean: Emit("Mean", y, y, x); break;
                case Max: Emit("Max", y, y, x); break;
                case Min: Emit("Min", y, y, x); break;
                case Pow pw: Emit("Pow", y, y, X, Scalar($"{y}.exponent", pw.Exponent)); break;
                case Scale sc:
                {
                    if (sc.Offset == 0) { Emit("Mul", y, y, X, Scalar($"{y}.multiplier", sc.Multiplier)); break; }
                    string mid = Unique($"{y}.scaled");
                    Emit("Mul", $"{y}.mul", mid, X, Scalar($"{y}.multiplier", sc.Multiplier));
                    Emit("Add", y, y, mid, Scalar($"{y}.offset", sc.Offset));
                    break;
                }
                case ChannelZeroPad cz:
                {
                    // Option-A shortcut: x[:, :, ::s, ::s] then zero channels before and after.
                    string src = X;
                    if (cz.Stride != 1)
                    {
                        src = Unique($"{y}.subsampled");
                        Emit("Slice", $"{y}.slice", src, X, Longs($"{y}.starts", 0, 0), Longs($"{y}.ends", long.MaxValue, long.MaxValue),
                            Longs($"{y}.axes", 2, 3), Longs($"{y}.steps", cz.Stride, cz.Stride));
                    }
                    Emit("Pad", y, y, src, Longs($"{y}.pads", 0, cz.Before, 0, 0, 0, cz.After, 0, 0));
                    break;
                }
                case PadNd pad:
                {
                    var pads = pad.Before.Concat(pad.After).Select(v => (long)v).ToArray();
                    var n = Emit("Pad", y, y, X, Longs($"{y}.pads", pads), pad.Mode == PadMode.Constant && pad.Value != 0 ? Scalar($"{y}.value", pad.Value) : "");
                    n.Attribute.Add(Attr("mode", pad.Mode.ToString().ToLowerInvariant()));
                    break;
                }
                case Ops.Flatten fl: Emit("Flatten", y, y, X).Attribute.Add(Attr("axis", fl.Axis)); break;
                case Reshape rs: Emit("Reshape", y, y, X, Longs($"{y}.shape", rs.Target.Select(v => (long)v).ToArray())); break;
                case Ops.Transpose tr: Emit("Transpose", y, y, X).Attribute.Add(Attr("perm", tr.Perm.Select(v => (long)v))); break;
                case Ops.Slice sl:
                    Emit("Slice", y, y, X, Longs($"{y}.starts", sl.Starts.ToArray()), Longs($"{y}.ends", sl.Ends.ToArray()),
                        Longs($"{y}.axes", sl.Axes.Select(a => (long)a).ToArray()), Longs($"{y}.steps", sl.Steps.ToArray()));
                    break;
                case ReduceMean rm:
                {
                    var n = Emit("ReduceMean", y, y, X);
                    if (rm.Axes.Count > 0) n.Attribute.Add(Attr("axes", rm.Axes.Select(a => (long)a)));
                    n.Attribute.Add(Attr("keepdims", rm.KeepDims ? 1 : 0));
                    break;
                }
                case Dropout: Emit("Dropout", y, y, X); break;
                default:
                    throw Unsupported(node, $"SharpConv has no ONNX export for {node.Op.Kind}.");
            }
        }

        /// <summary>
        /// Adaptive average pooling with uneven windows (GoogLeNet's auxiliary head: 14×14 → 4×4), which no single ONNX
        /// pool expresses: one Slice → ReduceMean per output cell (PyTorch's windows: [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉)), then
        /// Concat along the width for each row and along the height.
        /// </summary>
        private void UnevenAdaptivePool(string y, string x, int h, int w, int oh, int ow)
        {
            var rows = new string[oh];
            for (int i = 0; i < oh; i++)
            {
                var cells = new string[ow];
                for (int j = 0; j < ow; j++)
                {
                    long h0 = (long)i * h / oh, h1 = ((long)(i + 1) * h + oh - 1) / oh;
                    long w0 = (long)j * w / ow, w1 = ((long)(j + 1) * w + ow - 1) / ow;
                    string cell = Unique($"{y}.cell{i}_{j}"), window = Unique($"{cell}.window");
                    Emit("Slice", $"{cell}.slice", window, x, Longs($"{cell}.starts", h0, w0), Longs($"{cell}.ends", h1, w1), Longs($"{cell}.axes", 2, 3));
                    var mean = Emit("ReduceMean", $"{cell}.mean", cell, window);
                    mean.Attribute.Add(Attr("axes", [2L, 3L])); mean.Attribute.Add(Attr("keepdims", 1));
                    cells[j] = cell;
                }
                rows[i] = ow == 1 ? cells[0] : Unique($"{y}.row{i}");
                if (ow > 1) Emit("Concat", rows[i], rows[i], cells).Attribute.Add(Attr("axis", 3));
            }
            Emit("Concat", y, y, rows).Attribute.Add(Attr("axis", 2));
        }

        private void Pool2d(string op, PoolWindow w, bool? countIncludePad, Node node, string x)
        {
            var n = Emit(op, node.Name, node.Name, x);
            n.Attribute.Add(Attr("kernel_shape", [w.KernelH, w.KernelW]));
            n.Attribute.Add(Attr("strides", [w.StrideH, w.StrideW]));
            n.Attribute.Add(Attr("pads", [w.Padding.Top, w.Padding.Left, w.Padding.Bottom, w.Padding.Right]));
            n.Attribute.Add(Attr("ceil_mode", w.CeilMode ? 1 : 0));
            if (countIncludePad is { } inc)
            {
                if (w.DilationH != 1 || w.DilationW != 1) throw Unsupported(node, "dilated average pooling needs opset 19; SharpConv exports opset 13.");
                n.Attribute.Add(Attr("count_include_pad", inc ? 1 : 0));
            }
            else n.Attribute.Add(Attr("dilations", [w.DilationH, w.DilationW]));
        }

        private static UnsupportedOperatorException Unsupported(Node node, string detail) =>
            new(node.Name, node.Op.Kind, Opset, $"(export) {detail}");
    }
}
