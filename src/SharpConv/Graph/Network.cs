using SharpConv.Compilation;
using SharpConv.Ops;

namespace SharpConv.Graph;

/// <summary>
/// A network as built or imported: nodes in topological order, named inputs and outputs, shapes inferred at the
/// declared batch size. Immutable. <see cref="Compile"/> turns it into something fast to run.
/// </summary>
public sealed class Network
{
    private readonly Dictionary<string, Node> _byName;

    internal Network(string name, IReadOnlyList<Node> nodes, IReadOnlyList<Node> outputs)
    {
        Name = name;
        if (nodes.Count > Limits.MaxNodes) throw new LimitExceededException($"network '{name}'", $"{nodes.Count:N0} nodes", Limits.MaxNodes);
        if (outputs.Count == 0) throw new GraphException($"network '{name}' has no output.");
        _byName = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var n in nodes)
            if (!_byName.TryAdd(n.Name, n)) throw new GraphException($"network '{name}': two nodes are named '{n.Name}'.");
        // Keep only what the outputs need, in an order where every node follows its inputs.
        var order = new List<Node>();
        var state = new Dictionary<Node, bool>();
        foreach (var o in outputs) Visit(o, state, order);
        foreach (var n in nodes) if (n.Op is Input && !state.ContainsKey(n)) { state[n] = true; order.Add(n); }
        Nodes = order;
        Inputs = order.Where(n => n.Op is Input).OrderBy(n => n.Id).ToList(); // declaration order, as callers feed them
        if (Inputs.Count == 0) throw new GraphException($"network '{name}' has no input.");
        Outputs = outputs.ToList();
    }

    private static void Visit(Node node, Dictionary<Node, bool> state, List<Node> order)
    {
        // Iterative depth-first search: ResNet-1202 and DenseNet chains are far deeper than a safe recursion.
        var stack = new Stack<(Node Node, int Next)>();
        if (state.ContainsKey(node)) return;
        stack.Push((node, 0)); state[node] = false;
        while (stack.Count > 0)
        {
            var (n, next) = stack.Pop();
            if (next < n.Inputs.Count)
            {
                stack.Push((n, next + 1));
                var input = n.Inputs[next];
                if (state.TryGetValue(input, out bool done))
                {
                    if (!done) throw new GraphException($"cycle through node '{input.Name}'.");
                    continue;
                }
                state[input] = false;
                stack.Push((input, 0));
            }
            else { state[n] = true; order.Add(n); }
        }
    }

    /// <summary>The network's name (e.g. <c>resnet50</c>).</summary>
    public string Name { get; }
    /// <summary>Every node the outputs depend on, each after its inputs.</summary>
    public IReadOnlyList<Node> Nodes { get; }
    /// <summary>The input nodes (ops of type <see cref="Input"/>).</summary>
    public IReadOnlyList<Node> Inputs { get; }
    /// <summary>The output nodes.</summary>
    public IReadOnlyList<Node> Outputs { get; }
    /// <summary>The single input's declared shape.</summary>
    public Shape InputShape => Inputs[0].OutputShape;
    /// <summary>The first output's shape at the declared batch size.</summary>
    public Shape OutputShape => Outputs[0].OutputShape;

    /// <summary>The node with this name.</summary>
    /// <exception cref="KeyNotFoundException">No such node.</exception>
    public Node this[string name] => _byName.TryGetValue(name, out var n) ? n : throw new KeyNotFoundException($"network '{Name}' has no node '{name}'.");

    /// <summary>Looks a node up by name.</summary>
    public bool TryGetNode(string name, out Node node) => _byName.TryGetValue(name, out node!);

    /// <summary>Trainable parameters (the published count).</summary>
    public long ParameterCount => Nodes.Sum(n => n.Op.TrainableParameterCount);

    /// <summary>Non-trainable buffers (BatchNorm running statistics).</summary>
    public long BufferCount => Nodes.Sum(n => n.Op.BufferCount);

    /// <summary>Multiply-accumulates of one forward pass at the declared batch size (1 MAC = 2 FLOPs).</summary>
    public long Macs => Nodes.Sum(n => n.Macs);

    /// <summary>
    /// Output shapes of every node (indexed by <see cref="Node.Id"/>… by position in <see cref="Nodes"/>) for another
    /// batch size; constants keep their shape.
    /// </summary>
    public Shape[] InferShapes(int batch)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be ≥ 1.");
        var shapes = new Dictionary<Node, Shape>();
        var result = new Shape[Nodes.Count];
        for (int i = 0; i < Nodes.Count; i++)
        {
            var n = Nodes[i];
            Shape s;
            if (n.Op is Input) s = n.OutputShape.WithBatch(batch);
            else
            {
                var inShapes = new Shape[n.Inputs.Count];
                for (int j = 0; j < inShapes.Length; j++) inShapes[j] = shapes[n.Inputs[j]];
                s = n.Op.InferShape(n.Name, inShapes);
            }
            shapes[n] = s; result[i] = s;
        }
        return result;
    }

    /// <summary>Compiles for fast repeated runs (see <see cref="CompileOptions"/>).</summary>
    public CompiledNetwork Compile(CompileOptions? options = null) => Compiler.Compile(this, options ?? new CompileOptions());

    /// <summary>
    /// Runs once with the reference kernels only — slow, obvious, the oracle. Compile once for repeated runs instead.
    /// </summary>
    public Tensor RunReference(Tensor input)
    {
        using var compiled = Compile(CompileOptions.Reference);
        return compiled.Run(input);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Nodes.Count} nodes, {ParameterCount:N0} parameters";
}
