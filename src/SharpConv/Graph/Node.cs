using SharpConv.Ops;

namespace SharpConv.Graph;

/// <summary>
/// One layer instance in a <see cref="Network"/>: a unique name, an op, the nodes it reads, and its output shape at
/// the network's declared batch size (inferred when the node is made, so a wrong shape fails at build time).
/// </summary>
public sealed class Node
{
    internal Node(int id, string name, Op op, IReadOnlyList<Node> inputs, string scope)
    {
        Id = id; Name = name; Op = op; Inputs = inputs; Scope = scope;
        var shapes = new Shape[inputs.Count];
        for (int i = 0; i < shapes.Length; i++) shapes[i] = inputs[i].OutputShape;
        OutputShape = op.InferShape(name, shapes);
        Macs = op.Macs(shapes, OutputShape);
    }

    /// <summary>Creation order within its builder (unique within a network).</summary>
    public int Id { get; }
    /// <summary>Unique name, e.g. <c>layer1.0.conv1</c>.</summary>
    public string Name { get; }
    /// <summary>The layer.</summary>
    public Op Op { get; }
    /// <summary>The nodes whose outputs this node reads, in order.</summary>
    public IReadOnlyList<Node> Inputs { get; }
    /// <summary>The builder scope the node was made in (e.g. <c>layer1.0</c>); its first segment is the stage.</summary>
    public string Scope { get; }
    /// <summary>The top-level stage (the first segment of <see cref="Scope"/>, or the node name).</summary>
    public string Stage => Scope.Length == 0 ? Name : Scope.Split('.')[0];
    /// <summary>Output shape at the declared batch size.</summary>
    public Shape OutputShape { get; }
    /// <summary>Multiply-accumulates at the declared batch size.</summary>
    public long Macs { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Op} → {OutputShape}";
}
