using System.Runtime.CompilerServices;
using SharpConv.Graph;
using SharpConv.Onnx.Protobuf;
using SharpConv.Ops;

namespace SharpConv.Onnx.Import;

/// <summary>
/// Walks an ONNX graph in dependency order and rebuilds it with a <see cref="NetworkBuilder"/>: constants are
/// folded, runtime nodes become SharpConv ops (<see cref="OnnxOperators"/>), <c>If</c> on a constant condition is
/// replaced by the branch taken.
/// </summary>
/// <remarks>
/// The batch stays dynamic: a symbolic first input dimension is declared at <see cref="OnnxLoadOptions.BatchSize"/>,
/// and every runtime value's shape is also inferred at that batch + 1, so shape glue can tell <c>N</c> from fixed
/// sizes (<c>Shape(x)[0]</c> folds to <c>N</c>, and a Reshape to <c>[N, -1]</c> becomes SharpConv's <c>[-1, 400]</c>).
/// </remarks>
internal sealed class OnnxImporter
{
    private readonly NetworkBuilder _builder;
    private readonly string _source;
    private readonly string? _directory;
    private readonly OnnxLoadOptions _options;
    private readonly int _batch1, _batch2;
    private readonly int _opset;
    private readonly Dictionary<string, OnnxValue> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<ConstTensor, Value> _constantNodes = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<ConstTensor, string> _constantNames = new();
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);

    private OnnxImporter(ModelProto model, string source, string? directory, OnnxLoadOptions options)
    {
        _source = source; _directory = directory; _options = options;
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "OnnxLoadOptions.BatchSize must be ≥ 1.");
        _batch1 = options.BatchSize; _batch2 = options.BatchSize + 1;
        _opset = ModelReader.DefaultOpset(model, source);
        string name = options.Name ?? (string.IsNullOrEmpty(model.Graph.Name) || model.Graph.Name == "torch_jit" || model.Graph.Name == "main_graph"
            ? Path.GetFileNameWithoutExtension(source) : model.Graph.Name);
        _builder = new NetworkBuilder(name);
    }

    /// <summary>The opset of the default domain.</summary>
    public int Opset => _opset;

    /// <summary>Imports <paramref name="model"/>.</summary>
    public static Network Import(ModelProto model, string source, string? directory, OnnxLoadOptions options)
    {
        var importer = new OnnxImporter(model, source, directory, options);
        return importer.Run(model.Graph);
    }

    /// <summary>
    /// Imports a graph whose every output folds to a constant (all inputs bound) and returns those constants —
    /// the load-time evaluator on its own, used to test the folding of shape glue against ONNX's conformance data.
    /// </summary>
    internal static ConstTensor[] FoldConstantGraph(ModelProto model, string source, OnnxLoadOptions options)
    {
        var importer = new OnnxImporter(model, source, null, options);
        importer.ImportMainGraph(model.Graph);
        return model.Graph.Output.Select(o => importer._values.TryGetValue(o.Name, out var v) && v.Const is { } c ? c
            : throw new ModelFormatException($"{source}: output '{o.Name}' does not fold to a constant.")).ToArray();
    }

    private Network Run(GraphProto graph)
    {
        ImportMainGraph(graph);
        if (graph.Output.Count == 0) throw new ModelFormatException($"{_source}: the graph has no outputs.");
        var outputs = new List<Value>();
        foreach (var o in graph.Output)
        {
            var v = _values.TryGetValue(o.Name, out var found) ? found
                : throw new ModelFormatException($"{_source}: graph output '{o.Name}' is not produced by any node, initializer or input.");
            outputs.Add(AsRuntime(v, o.Name));
        }
        try
        {
            return _builder.Build(outputs);
        }
        catch (GraphException e) when (e.Message.Contains("no input", StringComparison.Ordinal))
        {
            throw new ModelFormatException($"{_source}: every output is a constant; a SharpConv network needs at least one runtime input.", e);
        }
    }

    private void ImportMainGraph(GraphProto graph)
    {
        CollectConsumed(graph);
        foreach (var o in graph.Output) _consumed.Add(o.Name);
        var initializerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer) initializerNames.Add(t.Name);

        // Graph inputs: bound constants, initializers with a default, or real (runtime) inputs.
        foreach (var input in graph.Input)
        {
            if (_options.TypedConstants?.TryGetValue(input.Name, out var typed) == true) { Define(input.Name, OnnxValue.Of(typed)); continue; }
            if (_options.Constants?.TryGetValue(input.Name, out var bound) == true)
            {
                Define(input.Name, OnnxValue.Of(ConstTensor.FromFloats(bound.Shape.ToArray(), bound.ToArray())));
                continue;
            }
            if (initializerNames.Contains(input.Name)) continue;
            DefineInput(input);
        }
        if (_options.Constants is not null)
            foreach (var key in _options.Constants.Keys)
                if (!graph.Input.Any(i => i.Name == key))
                    throw new ArgumentException($"OnnxLoadOptions.Constants names '{key}', which is not an input of the graph.", nameof(_options));

        ProcessGraph(graph, isMain: true);
    }

    private void DefineInput(ValueInfoProto input)
    {
        var type = input.Type?.TensorType;
        if (input.Type is not null && input.Type.ValueCase != TypeProto.ValueOneofCase.TensorType)
            throw new ModelFormatException($"{_source}: input '{input.Name}' is not a tensor ({input.Type.ValueCase}); SharpConv networks take float32 tensors.");
        if (type is not null && type.ElemType != 0 && type.ElemType != ConstTensor.TypeFloat)
            throw new ModelFormatException($"{_source}: input '{input.Name}' has element type {TensorReader.TypeName(type.ElemType)}; SharpConv networks take float32 inputs (bind it with OnnxLoadOptions.Constants if it is a parameter).");
        Shape shape1, shape2;
        if (_options.InputShapes?.TryGetValue(input.Name, out var given) == true)
        {
            shape1 = given; shape2 = given.Rank > 0 && type?.Shape?.Dim.Count > 0 && !type.Shape.Dim[0].HasDimValue ? given.WithBatch(given[0] + 1) : given;
        }
        else
        {
            if (type?.Shape is null)
                throw new ModelFormatException($"{_source}: input '{input.Name}' declares no shape; give one with OnnxLoadOptions.InputShapes.");
            var d1 = new int[type.Shape.Dim.Count]; var d2 = new int[d1.Length];
            for (int i = 0; i < d1.Length; i++)
            {
                var dim = type.Shape.Dim[i];
                if (dim.HasDimValue)
                {
                    if (dim.DimValue < 0 || dim.DimValue > int.MaxValue)
                        throw new ModelFormatException($"{_source}: input '{input.Name}' dimension {i} is {dim.DimValue}.");
                    d1[i] = d2[i] = (int)dim.DimValue;
                }
                else if (i == 0) { d1[i] = _batch1; d2[i] = _batch2; }
                else
                    throw new ModelFormatException($"{_source}: input '{input.Name}' dimension {i} is symbolic ('{dim.DimParam}'); only the batch (dimension 0) may be. Give the shape with OnnxLoadOptions.InputShapes.");
            }
            shape1 = new Shape(d1); shape2 = new Shape(d2);
        }
        if (shape1.Rank == 0)
            throw new ModelFormatException($"{_source}: input '{input.Name}' is a scalar; SharpConv network inputs have a batch dimension (rank ≥ 1).");
        Limits.CheckTensorElements(shape2, $"input '{input.Name}'");
        string name = UniqueName(input.Name);
        Define(input.Name, OnnxValue.Of(_builder.Input(shape1, name), shape2));
    }

    /// <summary>Processes the nodes of a graph (the main graph, or a branch of a folded If) in dependency order.</summary>
    internal void ProcessGraph(GraphProto graph, bool isMain)
    {
        foreach (var t in graph.Initializer)
        {
            if (isMain && _values.ContainsKey(t.Name)) continue; // bound by the caller, overriding the default
            var c = ReadTensor(t, "initializer");
            Define(t.Name, OnnxValue.Of(c));
        }
        foreach (var node in Order(graph)) ProcessNode(node);
    }

    private void ProcessNode(NodeProto node)
    {
        string baseName = node.Name.Length > 0 ? node.Name : $"{node.OpType}_{(node.Output.Count > 0 ? node.Output[0] : "?")}";
        var ctx = new NodeContext(this, node, _opset, baseName);
        if (node.Domain is not ("" or "ai.onnx"))
            throw new UnsupportedOperatorException(baseName, $"{node.Domain}.{node.OpType}", _opset, "Only the default ONNX domain (ai.onnx) is supported.");
        var entry = OnnxOperators.Find(node.OpType)
            ?? throw new UnsupportedOperatorException(baseName, node.OpType, _opset, OnnxOperators.SupportedSummary(node.OpType));
        if (_opset < entry.MinOpset || _opset > entry.MaxOpset)
            throw new UnsupportedOperatorException(baseName, node.OpType, _opset, $"SharpConv implements {node.OpType} for opsets {entry.MinOpset}–{entry.MaxOpset}.");
        var outputs = ConstantFolder.TryFold(ctx) ?? entry.Convert(ctx);
        for (int i = 0; i < node.Output.Count; i++)
        {
            string o = node.Output[i];
            if (o.Length == 0) continue;
            if (i < outputs.Length) Define(o, outputs[i]);
            else if (_consumed.Contains(o))
                throw ctx.Unsupported($"its output {i} ('{o}') is used, but SharpConv computes only the first {outputs.Length} output(s) of {node.OpType}.");
        }
    }

    private void Define(string name, OnnxValue value)
    {
        if (!_values.TryAdd(name, value))
            throw new ModelFormatException($"{_source}: the value '{name}' is defined twice (by two nodes, or a node and an initializer/input).");
        if (value.Const is not null) _constantNames.AddOrUpdate(value.Const, name);
    }

    /// <summary>The value named <paramref name="name"/>, read by <paramref name="reader"/>.</summary>
    internal OnnxValue Lookup(string name, NodeContext reader) =>
        _values.TryGetValue(name, out var v) ? v
            : throw new ModelFormatException($"node '{reader.Name}' ({reader.OpType}) reads '{name}', which no node, initializer or graph input defines (a missing initializer?).");

    /// <summary>Reads a TensorProto with this model's folder for external data.</summary>
    internal ConstTensor ReadTensor(TensorProto t, string what) => TensorReader.Read(t, _directory, what);

    /// <summary>The symbolic shape of a value.</summary>
    internal SymInt[] SymShape(OnnxValue v, string node) => v.SymShape(_batch1, _batch2, node);

    /// <summary>Adds a SharpConv node; constants among the inputs become Constant nodes.</summary>
    internal OnnxValue Emit(Op op, OnnxValue[] inputs, string name)
    {
        var values = new Value[inputs.Length];
        var shapes2 = new Shape[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            values[i] = AsRuntime(inputs[i]);
            shapes2[i] = inputs[i].IsConst ? inputs[i].Shape : inputs[i].ShapeAtBatch2;
        }
        string unique = UniqueName(name);
        var v = _builder.Add(op, values, unique);
        Shape s2;
        try { s2 = op.InferShape(unique, shapes2); }
        catch (SharpConvException e)
        {
            throw new ModelFormatException($"node '{name}': its shapes do not follow the batch size (at batch {_batch2}: {e.Message}). SharpConv keeps the batch dynamic; a constant sized for one batch cannot be used here.", e);
        }
        return OnnxValue.Of(v, s2);
    }

    /// <summary>A runtime handle on <paramref name="v"/>; constants become (shared) Constant nodes.</summary>
    internal Value AsRuntime(OnnxValue v, string? nameHint = null)
    {
        if (v.Runtime is { } r) return r;
        var c = v.Const!;
        if (_constantNodes.TryGetValue(c, out var existing)) return existing;
        string name = _constantNames.TryGetValue(c, out var n) ? n : nameHint ?? "constant";
        var node = _builder.Constant(c.ToTensor(), UniqueName(name));
        _constantNodes[c] = node;
        return node;
    }

    private string UniqueName(string name)
    {
        if (_nodeNames.Add(name)) return name;
        for (int i = 2; ; i++)
            if (_nodeNames.Add($"{name}_{i}")) return $"{name}_{i}";
    }

    private void CollectConsumed(GraphProto graph)
    {
        foreach (var node in graph.Node)
        {
            foreach (var i in node.Input) if (i.Length > 0) _consumed.Add(i);
            foreach (var a in node.Attribute)
            {
                if (a.G is not null) { CollectConsumed(a.G); foreach (var o in a.G.Output) _consumed.Add(o.Name); }
                foreach (var g in a.Graphs) CollectConsumed(g);
            }
        }
    }

    /// <summary>
    /// The nodes of <paramref name="graph"/> in dependency order (ONNX requires files to be sorted, but not every
    /// writer obeys). A cycle raises <see cref="ModelFormatException"/> naming the nodes on it.
    /// </summary>
    private List<NodeProto> Order(GraphProto graph)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            foreach (var o in graph.Node[i].Output)
                if (o.Length > 0 && !producer.TryAdd(o, i))
                    throw new ModelFormatException($"{_source}: the value '{o}' is produced by two nodes ('{graph.Node[producer[o]].Name}' and '{graph.Node[i].Name}').");
        int n = graph.Node.Count;
        var pending = new int[n];
        var consumers = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            var deps = new HashSet<int>();
            foreach (var name in Reads(graph.Node[i]))
                if (producer.TryGetValue(name, out int p) && !_values.ContainsKey(name)) deps.Add(p);
            deps.Remove(i);
            if (Reads(graph.Node[i]).Any(r => producer.TryGetValue(r, out int p2) && p2 == i))
                throw new ModelFormatException($"{_source}: node '{graph.Node[i].Name}' ({graph.Node[i].OpType}) reads its own output (a cycle).");
            pending[i] = deps.Count;
            foreach (int d in deps) (consumers[d] ??= new List<int>()).Add(i);
        }
        var order = new List<NodeProto>(n);
        var queue = new PriorityQueue<int, int>();
        for (int i = 0; i < n; i++) if (pending[i] == 0) queue.Enqueue(i, i);
        while (queue.TryDequeue(out int i, out _))
        {
            order.Add(graph.Node[i]);
            if (consumers[i] is null) continue;
            foreach (int c in consumers[i]) if (--pending[c] == 0) queue.Enqueue(c, c);
        }
        if (order.Count != n)
        {
            var stuck = Enumerable.Range(0, n).Where(i => pending[i] > 0).Take(5).Select(i => $"'{graph.Node[i].Name}' ({graph.Node[i].OpType})");
            throw new ModelFormatException($"{_source}: the graph has a cycle; these nodes wait on each other: {string.Join(", ", stuck)}.");
        }
        return order;
    }

    private static IEnumerable<string> Reads(NodeProto node)
    {
        foreach (var i in node.Input) if (i.Length > 0) yield return i;
        foreach (var a in node.Attribute)
            if (a.G is not null)
                foreach (var inner in a.G.Node)
                    foreach (var r in Reads(inner)) yield return r;
    }
}
