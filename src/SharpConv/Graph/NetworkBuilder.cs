using SharpConv.Ops;

namespace SharpConv.Graph;

/// <summary>
/// Builds a <see cref="Network"/> the way papers draw them: start from <see cref="Input(Shape, string)"/>, chain layers on
/// <see cref="Value"/> handles (<c>x.Conv(64, 3, padding: 1).BatchNorm().Relu()</c>), branch by reusing a handle,
/// join with <c>Concat</c>, <c>Add</c> or <c>Mean</c>. Every node's shape is inferred as it is
/// added, so a mistake fails at the line that made it, naming the node.
/// </summary>
/// <remarks>
/// Nodes get unique names from their scope and kind (<c>layer1.0.conv1</c>) unless named explicitly.
/// Weights are He-initialised lazily from <see cref="Seed"/> and the node name, so the same code gives the same
/// network on every machine, and building costs no weight memory until something reads the weights.
/// </remarks>
public sealed class NetworkBuilder
{
    private readonly List<Node> _nodes = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly Stack<string> _scopes = new();

    /// <summary>Starts a network called <paramref name="name"/>; weights derive from <paramref name="seed"/>.</summary>
    public NetworkBuilder(string name, int seed = 0) { Name = name; Seed = seed; }

    /// <summary>The network name.</summary>
    public string Name { get; }
    /// <summary>The weight seed.</summary>
    public int Seed { get; }
    /// <summary>The current scope prefix (empty at top level).</summary>
    public string CurrentScope => _scopes.Count == 0 ? "" : _scopes.Peek();

    /// <summary>Adds an input of the given shape (batch first).</summary>
    public Value Input(Shape shape, string name = "input") => Add(new Ops.Input(shape), [], name);

    /// <summary>Adds an NCHW input.</summary>
    public Value Input(int channels, int height, int width, int batch = 1, string name = "input") =>
        Input(new Shape(batch, channels, height, width), name);

    /// <summary>Adds a constant tensor.</summary>
    public Value Constant(Tensor value, string? name = null) => Add(new Ops.Constant(value), [], name);

    /// <summary>
    /// Opens a naming scope: nodes made until the returned handle is disposed are called <c>scope.kindN</c>.
    /// Scopes nest with dots (<c>layer1</c> then <c>0</c> gives <c>layer1.0</c>).
    /// </summary>
    public IDisposable Scope(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("scope name must not be empty.", nameof(name));
        _scopes.Push(_scopes.Count == 0 ? name : $"{_scopes.Peek()}.{name}");
        return new ScopeHandle(this);
    }

    private sealed class ScopeHandle(NetworkBuilder owner) : IDisposable
    {
        private bool _done;
        public void Dispose() { if (!_done) { _done = true; owner._scopes.Pop(); } }
    }

    /// <summary>A seed for a new layer's parameters, stable for a given network seed and node name.</summary>
    public int SeedFor(string nodeName) => unchecked(Seed * 1000003 + SeededRandom.StableHash(nodeName));

    /// <summary>The name the next node of <paramref name="kind"/> would get (used to derive its weight seed).</summary>
    public string NextName(string kind)
    {
        string stem = kind.ToLowerInvariant();
        _counters.TryGetValue(CurrentScope + "/" + stem, out int n);
        string local = $"{stem}{n + 1}";
        return CurrentScope.Length == 0 ? local : $"{CurrentScope}.{local}";
    }

    /// <summary>Adds a node with the given op reading the given values.</summary>
    /// <exception cref="GraphException">The name is taken, or an input belongs to another builder.</exception>
    public Value Add(Op op, IReadOnlyList<Value> inputs, string? name = null)
    {
        string resolved = ResolveName(op.Kind, name);
        var inputNodes = new Node[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Builder != this) throw new GraphException($"node '{resolved}': input {i} belongs to another network builder.");
            inputNodes[i] = inputs[i].Node;
        }
        Node node;
        try { node = new Node(_nodes.Count, resolved, op, inputNodes, CurrentScope); }
        catch { _names.Remove(resolved); throw; } // a failed add must not keep its name
        _nodes.Add(node);
        return new Value(this, node);
    }

    private string ResolveName(string kind, string? name)
    {
        string full;
        if (name is null)
        {
            string stem = kind.ToLowerInvariant();
            string key = CurrentScope + "/" + stem;
            do
            {
                _counters[key] = _counters.GetValueOrDefault(key) + 1;
                string local = $"{stem}{_counters[key]}";
                full = CurrentScope.Length == 0 ? local : $"{CurrentScope}.{local}";
            } while (_names.Contains(full));
        }
        else full = CurrentScope.Length == 0 ? name : $"{CurrentScope}.{name}";
        if (!_names.Add(full)) throw new GraphException($"network '{Name}': a node is already named '{full}'.");
        return full;
    }

    /// <summary>Concatenates along channels (or another axis).</summary>
    public Value Concat(IReadOnlyList<Value> inputs, int axis = 1, string? name = null) => Add(new Ops.Concat(axis), inputs, name);

    /// <summary>Concatenates along channels.</summary>
    public Value Concat(params Value[] inputs) => Concat((IReadOnlyList<Value>)inputs);

    /// <summary>Element-wise sum (residual connection).</summary>
    public Value Add(Value a, Value b, string? name = null) => Add(new Ops.Add(), [a, b], name);

    /// <summary>Element-wise mean (FractalNet join).</summary>
    public Value Mean(IReadOnlyList<Value> inputs, string? name = null) => Add(new Ops.Mean(), inputs, name);

    /// <summary>Finishes the network with one output.</summary>
    public Network Build(Value output) => Build([output]);

    /// <summary>Finishes the network with several outputs (e.g. GoogLeNet with auxiliary classifiers).</summary>
    public Network Build(IReadOnlyList<Value> outputs)
    {
        foreach (var o in outputs)
            if (o.Builder != this) throw new GraphException($"network '{Name}': output '{o.Node.Name}' belongs to another builder.");
        return new Network(Name, _nodes, outputs.Select(o => o.Node).ToList());
    }
}
