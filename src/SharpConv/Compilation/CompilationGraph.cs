using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Compilation;

/// <summary>
/// The mutable form of a network that compile passes rewrite: folding, fusion and algorithm choice change nodes
/// here, never the user's <see cref="Network"/>.
/// </summary>
public sealed class CompilationGraph
{
    internal CompilationGraph(Network network)
    {
        Source = network;
        var map = new Dictionary<Node, CompiledNode>();
        foreach (var n in network.Nodes)
        {
            var c = new CompiledNode(n.Name, n.Op, n.Inputs.Select(i => map[i]).ToList(), n.Scope);
            map[n] = c;
            Nodes.Add(c);
        }
        Inputs = network.Inputs.Select(n => map[n]).ToList();
        Outputs = network.Outputs.Select(n => map[n]).ToList();
    }

    /// <summary>The network being compiled.</summary>
    public Network Source { get; }
    /// <summary>Nodes in execution order.</summary>
    public List<CompiledNode> Nodes { get; } = new();
    /// <summary>The input nodes.</summary>
    public IReadOnlyList<CompiledNode> Inputs { get; }
    /// <summary>The output nodes (may be replaced by passes).</summary>
    public List<CompiledNode> Outputs { get; }
    /// <summary>What each pass did, for the summary and for debugging.</summary>
    public List<string> Log { get; } = new();

    /// <summary>Nodes that read <paramref name="node"/>.</summary>
    public IEnumerable<CompiledNode> ConsumersOf(CompiledNode node) => Nodes.Where(n => n.Inputs.Contains(node));

    /// <summary>Whether anything but <paramref name="consumer"/> reads <paramref name="node"/> (or it is an output).</summary>
    public bool HasOtherUses(CompiledNode node, CompiledNode consumer) =>
        Outputs.Contains(node) || Nodes.Any(n => n != consumer && n.Inputs.Contains(node));

    /// <summary>Removes <paramref name="node"/>, making its readers read <paramref name="replacement"/> instead.</summary>
    public void Bypass(CompiledNode node, CompiledNode replacement)
    {
        foreach (var n in Nodes)
            for (int i = 0; i < n.Inputs.Count; i++)
                if (n.Inputs[i] == node) n.Inputs[i] = replacement;
        for (int i = 0; i < Outputs.Count; i++)
            if (Outputs[i] == node) Outputs[i] = replacement;
        Nodes.Remove(node);
    }
}

/// <summary>A node of the <see cref="CompilationGraph"/>: an op, its inputs, and the kernel chosen for it.</summary>
public sealed class CompiledNode
{
    internal CompiledNode(string name, Op op, List<CompiledNode> inputs, string scope)
    {
        Name = name; Op = op; Inputs = inputs; Scope = scope;
    }
    /// <summary>The name of the original node whose output this node produces (its value keeps that name).</summary>
    public string Name { get; }
    /// <summary>The name shown in summaries and profiles: the main layer's name when a pass fused others into it.</summary>
    public string DisplayName { get => _displayName ?? Name; set => _displayName = value; }
    private string? _displayName;
    /// <summary>The op (a pass may replace it, e.g. a convolution with BatchNorm folded in).</summary>
    public Op Op { get; set; }
    /// <summary>Inputs.</summary>
    public List<CompiledNode> Inputs { get; }
    /// <summary>Builder scope of the original node.</summary>
    public string Scope { get; }
    /// <summary>The kernel chosen for this node.</summary>
    public Kernel? Kernel { get; set; }
    /// <summary>Names of the original nodes merged into this one by folding or fusion.</summary>
    public List<string> Absorbed { get; } = new();
    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Op}{(Absorbed.Count > 0 ? $" (+{string.Join(", ", Absorbed)})" : "")}";
}
