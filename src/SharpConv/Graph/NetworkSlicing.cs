using SharpConv.Ops;

namespace SharpConv.Graph;

/// <summary>
/// Cuts a network short: the same nodes (same ops, same weights) up to one chosen node, which becomes the only output.
/// This is how intermediate activations are read (ZFNet-style feature maps, debugging a layer) without a hook in the
/// runtime: the compiler plans and runs the truncated network like any other, so the fast kernels apply unchanged.
/// </summary>
public static class NetworkSlicing
{
    /// <summary>
    /// A network whose output is <paramref name="nodeName"/>: every node that node depends on, nothing after it.
    /// Ops and parameters are shared with <paramref name="network"/>, not copied (weights materialised by one are
    /// materialised for both).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No node has that name; the message lists a few that do.</exception>
    /// <exception cref="GraphException">The node is an input or a constant: there is nothing to compute.</exception>
    public static Network Truncate(this Network network, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(nodeName);
        if (!network.TryGetNode(nodeName, out var node))
        {
            // The full list can run to hundreds of names (DenseNet); the first ones show the naming scheme.
            var some = network.Nodes.Where(n => n.Op is not Input).Take(12).Select(n => n.Name);
            throw new KeyNotFoundException($"network '{network.Name}' has no node '{nodeName}'. Its nodes start: {string.Join(", ", some)}, …");
        }
        if (node.Op is Input or Constant)
            throw new GraphException($"network '{network.Name}': node '{nodeName}' is an {node.Op.Kind}; truncate at a layer that computes something.");
        // The constructor keeps only what the new output needs, in dependency order, and re-checks names.
        return new Network($"{network.Name}[..{nodeName}]", network.Nodes, [node]);
    }
}
